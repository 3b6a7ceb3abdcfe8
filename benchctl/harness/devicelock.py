"""One run per device at a time, across processes and users of this machine.

Two runs on one device measure each other: four concurrent `benchctl run`s on the host were
neither serialized nor flagged, and two of them passed the validity gate. Every run therefore
holds an exclusive lock on its device from the first device step (capabilities, thermal gate)
to the last (pull, clean-up): a CLI run, a sweep, `confirm` and a lab worker's job all go through
`harness/run.py`, which takes it.

The lock is an `fcntl.flock` on a file in one shared folder, `/var/tmp/benchctl-locks/` (or
`$BENCHCTL_LOCK_DIR`): machine-wide rather than per project or per user, created sticky and
world-writable like /tmp so every user's runs meet there. The kernel drops a flock when its
holder dies, so a killed run never leaves the device locked. The holder writes who it is (pid,
user, command, model, since) into the file, so a waiting run can say what it waits for.

One file per physical device: the host (every `local` inventory entry is this machine), an SSH
board by host and port, a phone by adb serial or iOS UDID; two inventory names for one phone
share its lock. A board shared by several machines is serialized only by the lab (one queue per
device), not by this lock.
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchctl.errors import BenchError

if TYPE_CHECKING:
    from benchctl.harness.devices import Device

DEFAULT_LOCK_DIR = "/var/tmp/benchctl-locks"
POLL_S = 0.5  # how often a waiting run retries
REPORT_EVERY_S = 30.0  # a waiting run repeats its message this often (the holder may change)


class DeviceBusyError(BenchError):
    """The device is locked by another run and the caller asked not to wait (`--no-wait`)."""

    exit_code = 5


def lock_dir() -> Path:
    return Path(os.environ.get("BENCHCTL_LOCK_DIR") or DEFAULT_LOCK_DIR)


def lock_key(device: Device) -> str:
    """The physical device a run occupies, as a file name (the transport kind's `lock_key`, or
    kind-address)."""
    from benchctl.harness.transports import KINDS

    kind = KINDS.get_or_none(device.transport)
    if kind is not None and kind.lock_key is not None:
        key = kind.lock_key(device)
    else:
        key = f"{device.transport}-{device.address}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)[:120]


def _open(path: Path) -> tuple[int, bool]:
    """The lock file's descriptor and whether holder info can be written into it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.parent.stat().st_uid == os.getuid():
        os.chmod(path.parent, 0o1777)  # shared by every user, sticky like /tmp
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:  # another user's file we may only read: flock still works on it
        return os.open(path, os.O_RDONLY), False
    if os.fstat(fd).st_uid == os.getuid():
        os.fchmod(fd, 0o666)  # the umask must not keep the next user out
    return fd, True


def holder(path: Path) -> dict[str, Any] | None:
    """What the lock file says about its holder (None when unreadable or empty)."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text) if text.strip() else None
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def describe_holder(info: dict[str, Any] | None) -> str:
    if not info:
        return "another process (it has not said which)"
    since = info.get("since")
    age = f", for {time.time() - since:.0f} s" if isinstance(since, int | float) else ""
    what = info.get("what") or info.get("command") or "?"
    return (
        f"pid {info.get('pid', '?')} of {info.get('user', '?')} on {info.get('host', '?')} "
        f"({what}{age})"
    )


def _try_lock(fd: int) -> bool:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EACCES, errno.EAGAIN):
            return False
        raise


@contextmanager
def device_lock(
    device: Device,
    *,
    wait: bool = True,
    what: str = "",
    on_wait: Callable[[str], None] | None = None,
    timeout_s: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Path]:
    """Hold `device`'s lock for the block; waits for it (saying who holds it), or raises
    `DeviceBusyError` at once with `wait=False` (or after `timeout_s`)."""
    path = lock_dir() / f"{lock_key(device)}.lock"
    if sys.platform == "win32":  # no flock; benchctl hosts are Linux and macOS
        yield path
        return
    fd, writable = _open(path)
    try:
        started, reported = clock(), None
        while not _try_lock(fd):
            message = (
                f"{device.name} is busy: held by {describe_holder(holder(path))}; lock file {path}"
            )
            waited = clock() - started
            if not wait or (timeout_s is not None and waited >= timeout_s):
                raise DeviceBusyError(
                    message
                    + ("" if not wait else f"; gave up after {waited:.0f} s")
                    + "; wait for it, or run without --no-wait to queue behind it"
                )
            if on_wait is not None and (reported is None or clock() - reported >= REPORT_EVERY_S):
                on_wait(f"waiting for {message}")
                reported = clock()
            sleep(POLL_S)
        if writable:
            info = {
                "pid": os.getpid(),
                "user": _user(),
                "host": socket.gethostname(),
                "command": " ".join(sys.argv)[:300],
                "what": what[:300],
                "device": device.name,
                "since": time.time(),
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield path
        finally:
            if writable:
                os.ftruncate(fd, 0)  # the next holder writes its own; stale text never misleads
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a uid with no passwd entry (containers)
        return str(os.getuid())
