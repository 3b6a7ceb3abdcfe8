"""Nothing written outside the project folder, the user config folder and the caches the docs name
(probe/issue item 3): a host run of the tiny model under a fresh HOME and fresh XDG folders, and
every file created there listed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Where a run may write besides its project folder: the user config folder (devices.toml, the
# cache key), the cache the docs name (~/.cache/benchctl), and the machine-wide device locks.
ALLOWED = (".config/benchctl", ".cache/benchctl")


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_a_host_run_writes_nowhere_else(tmp_path: Path):
    home = tmp_path / "fresh-home"
    project = tmp_path / "proj"
    home.mkdir()
    project.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCHCTL_", "XDG_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        BENCHCTL_LOCK_DIR=str(tmp_path / "locks"),
        TMPDIR=str(tmp_path / "tmp"),
        PYTHONPATH=os.pathsep.join(sys.path),
    )
    (tmp_path / "tmp").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "benchctl", "run", "--model", "test_mobileone", "-n", "20"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    created = sorted(f for f in _files(home) if not f.startswith(ALLOWED))
    assert created == [], f"written outside the project, config and cache folders: {created}"
    leftover_tmp = sorted(_files(tmp_path / "tmp"))
    assert leftover_tmp == [], f"temporary files left behind: {leftover_tmp}"
    assert (project / ".benchctl" / "results.sqlite").is_file()
