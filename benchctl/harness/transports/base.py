"""The transport role: move files to and from a device and start processes there.

Every transport (local, ssh, adb, ios) offers the same calls, each with a timeout, so the run
lifecycle (push → run → pull) is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

LineFn = Callable[[str], None]


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout_tail: str
    stderr_tail: str
    timed_out: bool = False


class Transport(Protocol):
    name: str

    def workdir(self, run_id: str) -> str:
        """A fresh folder on the device for one run."""
        ...

    def push(self, local: Path, remote: str, *, timeout: float) -> None: ...

    def pull(self, remote: str, local: Path, *, timeout: float) -> None: ...

    def exists(self, remote: str) -> bool: ...

    def run(
        self, argv: Sequence[str], *, timeout: float, on_line: LineFn | None = None
    ) -> Completed:
        """Run a program (argv list, never a shell string); `on_line` sees stdout lines live."""
        ...

    def runner_argv(self) -> list[str]:
        """How to start the Python runner on this device."""
        ...

    def cleanup(self, remote: str) -> None: ...
