"""pymobiledevice3 in its own virtual environment, as users install it (it is GPL-3.0 and its
pins conflict with benchctl's), for the iOS tests that run its real client code.

The version is pinned (the one the first-contact review read): `PMD3_VERSION`. The environment
lives in `$BENCHCTL_TEST_TOOLS` (default `~/.cache/benchctl-test-tools`), one folder per version,
made once with `python -m venv` and `pip install pymobiledevice3==<version>` from PyPI.
`.ci/run` makes it before the suite; a test session makes it on first use. Standalone:

    python3 tests/harness/transports/pmd3_env.py --install     # prints the interpreter's path
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

PMD3_VERSION = "11.45.0"
SHIM = Path(__file__).with_name("pmd3_shim.py")


def venv_dir() -> Path:
    base = os.environ.get("BENCHCTL_TEST_TOOLS")
    root = Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    if not base:
        root = root / "benchctl-test-tools"
    return root / f"pymobiledevice3-{PMD3_VERSION}"


def _installed(python: Path) -> bool:
    if not python.exists():
        return False
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('pymobiledevice3'))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return probe.returncode == 0 and probe.stdout.strip() == PMD3_VERSION


def ensure(*, install: bool = True) -> Path:
    """The environment's python with pymobiledevice3 PMD3_VERSION; made if missing (locked, so
    parallel sessions make it once). Raises RuntimeError with the pip output when it cannot."""
    folder = venv_dir()
    python = folder / "bin" / "python"
    if _installed(python):
        return python
    if not install:
        raise RuntimeError(f"pymobiledevice3 {PMD3_VERSION} is not installed in {folder}")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed(python):
            return python
        steps = [
            [sys.executable, "-m", "venv", "--clear", str(folder)],
            [str(python), "-m", "pip", "install", "-q", f"pymobiledevice3=={PMD3_VERSION}"],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=1800, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(step)} failed:\n{done.stdout[-2000:]}{done.stderr}")
    return python


def for_tests() -> Path:
    """`ensure()` for a session fixture: without the environment (and no way to make it, e.g.
    offline) the iOS tests skip locally with the command to run, and fail in CI (`.ci/run` makes
    it first)."""
    import pytest

    try:
        return ensure(install=True)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        message = f"{exc}\nmake it with: python3 tests/harness/transports/pmd3_env.py --install"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


if __name__ == "__main__":
    if sys.argv[1:] != ["--install"]:
        sys.exit("usage: pmd3_env.py --install")
    print(ensure(install=True))
