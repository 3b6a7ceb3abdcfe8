"""Facts about the host and the versions under test, recorded with every run."""

from __future__ import annotations

import importlib.metadata
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from benchctl.runner.facts import device_facts

LIBRARIES = (
    "torch",
    "torchvision",
    "timm",
    "onnx",
    "onnxscript",
    "onnxruntime",
    "numpy",
    "sqlalchemy",
    "alembic",
)


@cache
def library_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def _git(*args: str) -> str | None:
    """`git ARGS` in benchctl's own checkout; None when it is not one (an installed wheel)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        proc = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


@cache
def harness_git_sha() -> str | None:
    """The commit benchctl's own source is at, when it runs from a git checkout."""
    sha = (_git("rev-parse", "HEAD") or "").strip()
    return sha if len(sha) == 40 else None


@cache
def harness_git_dirty() -> bool | None:
    """Whether benchctl's own source differs from that commit (then the sha alone does not
    reproduce the run); None outside a checkout."""
    status = _git("status", "--porcelain", "--untracked-files=no", "--", "benchctl")
    return None if status is None else bool(status.strip())


def host_facts() -> dict[str, Any]:
    return device_facts()
