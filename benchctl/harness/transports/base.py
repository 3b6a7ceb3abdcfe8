"""The transport role: move files to and from a device, start programs or apps there, read facts.

Every transport (local, ssh, adb, ios) offers the same calls, each with a timeout, so the run
lifecycle (`harness/lifecycle.py`: capabilities → push → launch → wait → pull → clean up) is
written once. What a transport cannot do is said by its `TransportCapabilities`, never by an
`AttributeError`: a call it cannot serve raises `TransportError` with the reason.

What benchctl knows about a *kind* of transport beyond the calls — its inventory options, address
check, which facts are hardware class and which unit identity, its doctor checks and `devices
check` stages, its companion app's defaults — is one `TransportKind`, declared in the kind's own
module (`KIND`) and registered through the `benchctl.transports` entry points (`plugins.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from benchctl.harness.check import Stage
    from benchctl.harness.devices import Device
    from benchctl.harness.doctor import Report

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
    python_runner: bool  # `python -m benchctl.runner SPEC` can run there
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


@dataclass(frozen=True)
class AppDefaults:
    """The companion app a kind launches when the device's options name none, and how to get it
    onto the device (shown by `devices doctor`)."""

    app_id: str
    launch: str
    install_fix: str  # the app is not installed
    release_fix: str | None = None  # a debuggable build is installed


def _any_address(address: str | None) -> None:
    """Accept every address (a kind whose devices need none, or check it when connecting)."""


def _no_hint(device: Device) -> str:
    return "see the message"


@dataclass(frozen=True)
class TransportKind:
    """Everything benchctl knows about one kind of transport, so that adding a kind is its module.

    `connect` builds the bare transport for a device (importing the client library there, never
    at registration); the other fields answer what the inventory, `devices doctor`/`check`, the
    device lock and the run lifecycle ask about the kind.
    """

    name: str  # the inventory's `transport = …`
    connect: Callable[[Device], Transport]
    description: str = ""
    options: tuple[str, ...] = ()  # [devices.X.options] keys `connect` uses (others are ignored)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # allowed option values
    check_address: Callable[[str | None], None] = _any_address  # raises ConfigError: what to fix
    default_runtimes: tuple[str, ...] = ("onnxruntime",)  # when `devices add` names none
    accelerators: bool = False  # a Coral or GPU attached to it can be named (--accelerator)
    on_host: bool = False  # the device is this machine: the runner is this installation
    hardware_keys: tuple[str, ...] = ("platform", "machine", "board", "cpu", "cpu_count")
    unit_keys: tuple[str, ...] = ("hostname", "serial", "machine_id")
    app: AppDefaults | None = None  # a companion app runs there (only its runtimes; no --cpus)
    install_hint: str = "reinstall benchctl"  # the client library is missing
    connect_hint: Callable[[Device], str] = _no_hint  # it could not connect
    default_key: str | None = None  # the private key used when the options name none
    doctor_checks: Callable[[Device, Any, dict[str, Any], Report], None] | None = None
    check_stages: Callable[[Device], list[Stage]] | None = None  # after the common ones
    capabilities_key: Callable[[], dict[str, str]] | None = None  # what invalidates cached caps
    lock_key: Callable[[Device], str] | None = None  # the physical device (default kind-address)

    def connect_options(self, device: Device) -> dict[str, Any]:
        """The device's options that `connect` passes on."""
        return {k: device.options[k] for k in self.options if k in device.options}
