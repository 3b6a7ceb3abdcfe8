"""The transport role: move files to and from a device, start programs or apps there, read facts.

Every transport (local, ssh, adb, ios) offers the same calls, each with a timeout, so the run
lifecycle (`harness/lifecycle.py`: capabilities → push → launch → wait → pull → clean up) is
written once. What a transport cannot do is said by its `TransportCapabilities`, never by an
`AttributeError`: a call it cannot serve raises `TransportError` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

LineFn = Callable[[str], None]


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout_tail: str
    stderr_tail: str
    timed_out: bool = False


@dataclass(frozen=True)
class TransportCapabilities:
    """What a transport can do on its device (the lifecycle picks its path from this)."""

    shell: bool  # runs argv programs (the Python runner, getprop, nvidia-smi…)
    python_runner: bool  # `python -m benchctl.harness.runner SPEC` can run there
    app_launch: bool  # starts a companion app with a spec path (Android, iOS)
    files_root: str  # where run folders and the model cache live on the device


@dataclass(frozen=True)
class AppTarget:
    """A companion app on a phone: what to launch and where its files are.

    Android: `app_id` is the package; `component` the instrumentation runner
    (`pkg/.BenchInstrumentation`, launched with `am instrument -w`) or an activity
    (`pkg/.BenchActivity`, launched with `am start -W -S`), chosen by `launch`. iOS: `app_id` is
    the bundle id; the app is launched with the spec path as its only argument.
    """

    app_id: str
    component: str | None = None
    launch: str = "instrument"  # android: instrument | activity; ios: dvt | devicectl
    extras: dict[str, Any] = field(default_factory=dict)


class Transport(Protocol):
    name: str
    capabilities: TransportCapabilities

    def workdir(self, run_id: str) -> str:
        """A fresh folder on the device for one run."""
        ...

    def push(self, local: Path, remote: str, *, timeout: float) -> None: ...

    def pull(self, remote: str, local: Path, *, timeout: float) -> None: ...

    def exists(self, remote: str) -> bool: ...

    def sha256(self, remote: str, *, timeout: float) -> str | None:
        """`sha256:<hex>` of a device file, or None when it is not there (push is then needed)."""
        ...

    def run(
        self, argv: Sequence[str], *, timeout: float, on_line: LineFn | None = None
    ) -> Completed:
        """Run a program (argv list, never a shell string); `on_line` sees stdout lines live."""
        ...

    def runner_argv(self) -> list[str]:
        """How to start the Python runner on this device."""
        ...

    def launch_app(self, app: AppTarget, spec_remote: str, *, timeout: float) -> Completed:
        """Start the companion app with the spec path and wait (≤ timeout) until it has ended."""
        ...

    def facts(self, *, timeout: float) -> dict[str, Any]:
        """Hardware class and unit identity of the device (model, SoC, serial…)."""
        ...

    def snapshot(self, *, timeout: float) -> dict[str, Any]:
        """Thermal and battery state now (see `harness/gating.py` for the keys)."""
        ...

    def logs(self, *, timeout: float) -> str:
        """Recent device log text (logcat, syslog, journal), pulled when a run fails."""
        ...

    def cleanup(self, remote: str) -> None: ...

    def close(self) -> None:
        """Release connections; the transport is not used afterwards."""
        ...
