"""What an interrupted run leaves behind, and its removal by the next run.

A run killed or interrupted mid-way leaves `runs/<id>/` without its `record.json` (only the spec,
perhaps a pulled result), its working folder `work/<id>/` on the host, and a conversion's
`artifacts/.staging-*` folder. Nothing there is a measurement (a run's record is written before
anything is stored, and a folder that has one is kept whatever happened to the database), so the
next run removes them -- but never those of a run still in progress, in this project or by
another process: each such folder is *claimed* while it is in use, by an `fcntl.flock` on its
`.owner` file (the kernel drops it when the holder dies, so a dead run's claim never lingers).
A folder with no `.owner` (made by an older benchctl, or just being created) counts as in use
until it is `UNCLAIMED_GRACE_S` old.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

OWNER = ".owner"
RECORD = "record.json"  # = results.keep.RECORD_FILE (kept light: no results import here)
STAGING_PREFIX = ".staging-"
UNCLAIMED_GRACE_S = 3600.0

_held: dict[str, int] = {}


def claim(folder: Path) -> None:
    """Mark `folder` in use by this process until `release(folder)` (or this process ends)."""
    path = folder / OWNER
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a fresh folder: nobody else holds it
    os.write(fd, f"{os.getpid()}\n".encode())
    _held[str(folder)] = fd


def release(folder: Path) -> None:
    """Drop this process's claim on `folder` (its `.owner` file goes too, if still there)."""
    fd = _held.pop(str(folder), None)
    if fd is None:
        return
    try:
        (folder / OWNER).unlink(missing_ok=True)
    finally:
        os.close(fd)


def in_use(folder: Path, now: float | None = None) -> bool:
    """Whether a live process claims `folder` (or it is unclaimed but recent)."""
    path = folder / OWNER
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        try:
            age = (now or time.time()) - folder.stat().st_mtime
        except FileNotFoundError:
            return False
        return age < UNCLAIMED_GRACE_S
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def find(home: Path) -> list[Path]:
    """The leftovers under a project's benchctl folder: folders of runs no process is running."""
    found: list[Path] = []
    runs = home / "runs"
    if runs.is_dir():
        for run in sorted(runs.iterdir()):
            if run.is_dir() and not (run / RECORD).exists() and not in_use(run):
                found.append(run)
    work = home / "work"
    if work.is_dir():
        for folder in sorted(work.iterdir()):
            run = runs / folder.name  # a run's working folder lives as long as its claim
            owner = run if (run / OWNER).exists() else folder
            if folder.is_dir() and not in_use(owner):
                found.append(folder)
    artifacts = home / "artifacts"
    if artifacts.is_dir():
        for staging in sorted(artifacts.glob(STAGING_PREFIX + "*")):
            if staging.is_dir() and not in_use(staging):
                found.append(staging)
    return found


def clean(home: Path) -> list[Path]:
    """Remove the leftovers of interrupted runs; the folders removed."""
    removed = []
    for folder in find(home):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed
