"""Third-party chatter during conversion goes to the run's log, not the user's terminal.

Converters and runtimes write straight to file descriptors 1 and 2 from C++ (TFLite's
"Created TensorFlow Lite XNNPACK delegate", absl's "All log messages before
absl::InitializeLog()…", the flatbuffer exporter's op counts) or through logging handlers that
captured `sys.stderr` when the library was imported (torch's pytree deprecation lines). None of it
is benchctl's to show, and in CI logs it buries the progress lines. While `quiet_native_output`
is active the two descriptors point at the log file; `sys.stdout`/`sys.stderr` are swapped for
streams on the original descriptors, so benchctl's own output (rich consoles look the streams up
at write time) still reaches the terminal. `BENCHCTL_DEBUG=1` leaves everything on the terminal.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path


def _backed_by(stream: object, fd: int) -> bool:
    try:
        return stream.fileno() == fd  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False  # a test runner's capture object, or a closed stream


@contextlib.contextmanager
def quiet_native_output(log: Path) -> Iterator[Path]:
    """Send whatever is written to fds 1 and 2 into `log` (appended) until the block ends."""
    if os.environ.get("BENCHCTL_DEBUG"):
        yield log
        return
    streams = {1: "stdout", 2: "stderr"}
    for name in streams.values():
        getattr(sys, name).flush()
    log.parent.mkdir(parents=True, exist_ok=True)
    sink = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    saved: dict[int, int] = {}
    swapped: dict[str, object] = {}
    try:
        for fd, name in streams.items():
            saved[fd] = os.dup(fd)
            old = getattr(sys, name)
            if _backed_by(old, fd):
                swapped[name] = old
                setattr(
                    sys,
                    name,
                    # its own copy of the terminal's descriptor, never closed here: a thread
                    # (a progress refresh) still holding it after the block writes to the
                    # terminal, not to a closed or reused descriptor
                    open(
                        os.dup(saved[fd]),
                        "w",
                        buffering=1,
                        encoding=getattr(old, "encoding", None) or "utf-8",
                        errors=getattr(old, "errors", None) or "replace",
                    ),
                )
            os.dup2(sink, fd)
        yield log
    finally:
        for fd, name in streams.items():
            if name in swapped:
                getattr(sys, name).flush()
                setattr(sys, name, swapped[name])  # the copy is closed when nothing holds it
            if fd in saved:
                os.dup2(saved[fd], fd)
                os.close(saved[fd])
        os.close(sink)
        if log.exists() and log.stat().st_size == 0:
            log.unlink()
