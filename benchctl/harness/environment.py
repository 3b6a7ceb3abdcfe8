"""Facts about the host and the versions under test, recorded with every run."""

from __future__ import annotations

import importlib.metadata
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from benchctl.harness.runner.facts import device_facts

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


@cache
def harness_git_sha() -> str | None:
    """The commit benchctl's own source is at, when it runs from a git checkout."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    sha = proc.stdout.strip()
    return sha if proc.returncode == 0 and len(sha) == 40 else None


def host_facts() -> dict[str, Any]:
    return device_facts()
