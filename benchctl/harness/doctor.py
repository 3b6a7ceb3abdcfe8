"""`benchctl devices doctor NAME`: every piece a run needs on a device, checked, with the fix.

Checks run in order and stop at the first one that makes the rest meaningless (no client
library → no connection → no runner). Each check says what it found; a failed one says what to
type. Probing also returns the device's hardware class and unit identity, which `devices add`
and `devices doctor` store in the inventory.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from benchctl import __version__
from benchctl.errors import BenchError, DependencyMissingError, RunnerError, TransportError
from benchctl.harness import gating
from benchctl.harness.devices import Device, kind

STEP_TIMEOUT_S = 60.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None
    advisory: bool = False  # a tuning hint (governor, turbo…): reported, never a failure


@dataclass
class Report:
    device: str
    checks: list[Check] = field(default_factory=list)
    capabilities: dict[str, Any] | None = None
    hardware: dict[str, Any] = field(default_factory=dict)
    unit: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok or c.advisory for c in self.checks)

    def add(self, name: str, ok: bool, detail: str, fix: str | None = None) -> bool:
        self.checks.append(Check(name, ok, detail, None if ok else fix))
        return ok

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "ok": self.ok,
            "checks": [asdict(c) for c in self.checks],
            "capabilities": self.capabilities,
            "hardware_class": self.hardware,
            "unit": self.unit,
        }


def split_facts(transport: str, facts: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Facts → (hardware class, unit identity): what is shared by every unit of a model, and
    what tells this unit apart (the transport kind says which keys are which)."""
    k = kind(transport)
    hardware = {key: facts[key] for key in k.hardware_keys if facts.get(key) is not None}
    accelerators = [g["name"] for g in facts.get("gpus", [])] + [
        "Coral USB Accelerator" for _ in facts.get("corals", [])
    ]
    if k.accelerators:
        hardware["accelerators"] = accelerators
    unit = {key: facts[key] for key in k.unit_keys if facts.get(key) is not None}
    return hardware, unit


def diagnose(device: Device) -> Report:
    """Check `device` end to end (connect, runner/app, runtimes, accelerator, gates)."""
    from benchctl.harness.transports import make_transport

    report = Report(device.name)
    try:
        transport = make_transport(device)
    except DependencyMissingError as exc:
        report.add("client", False, str(exc), _install_hint(device, str(exc)))
        return report
    except TransportError as exc:
        report.add("connect", False, str(exc), _connect_hint(device))
        return report
    report.add("client", True, f"{device.transport} transport ready")
    _key_check(device, report)
    try:
        try:
            facts = transport.facts(timeout=STEP_TIMEOUT_S)
        except TransportError as exc:
            report.add("connect", False, str(exc), _connect_hint(device))
            return report
        report.add("connect", True, f"reached {device.address or 'this machine'}")
        report.hardware, report.unit = split_facts(device.transport, facts)
        checks = kind(device.transport).doctor_checks
        if transport.capabilities.python_runner:
            _runner_checks(device, transport, report)
            if checks is not None:
                checks(device, transport, facts, report)
        elif app_checks(device, transport, facts, report) and checks is not None:
            checks(device, transport, facts, report)
        _accelerator_check(device, facts, report)
        _gate_checks(device, transport, report)
        if kind(device.transport).on_host:
            from benchctl.harness.tuning import host_tuning

            for t in host_tuning():
                report.checks.append(Check(t.name, t.good, t.detail, t.fix, advisory=True))
    except BenchError as exc:  # an unexpected refusal midway is one more failed check
        report.add("device", False, str(exc), "see the message; then run doctor again")
    finally:
        transport.close()
    return report


def _runner_checks(device: Device, transport: Any, report: Report) -> None:
    from benchctl.harness.lifecycle import runner_capabilities
    from benchctl.harness.runtimes import get_runtime

    mode = device.options.get("runner", "push")
    try:
        caps = runner_capabilities(transport)
    except (RunnerError, TransportError) as exc:
        fix = (
            "on the board: python3 -m pip install numpy jsonschema onnxruntime "
            "(the runner itself is pushed by benchctl)"
            if mode == "push"
            else f"on the board: pip install benchctl=={__version__}"
        )
        report.add("runner", False, str(exc), fix)
        return
    report.capabilities = caps
    runner = caps["runner"]
    python = caps["device"].get("python", "?")
    same = runner["version"] == __version__
    report.add(
        "runner",
        same,
        f"{runner['name']} {runner['version']} ({mode}), Python {python}, "
        f"contract {runner['contract_versions']}",
        f"on the board: pip install benchctl=={__version__} (or set runner = 'push')",
    )
    by_backend = {r["backend"]: r for r in caps["runtimes"]}
    for name in device.runtimes:
        try:
            backend = get_runtime(name).backend
        except BenchError as exc:
            report.add(f"runtime {name}", False, str(exc), "fix the device's runtimes list")
            continue
        entry = by_backend.get(backend)
        if entry is None:
            report.add(
                f"runtime {name}",
                False,
                f"the runner has no {backend!r} backend",
                f"update benchctl to a version with the {backend} backend",
            )
        elif not entry["available"]:
            report.add(
                f"runtime {name}",
                False,
                f"{backend} unavailable: {entry['reason_if_unavailable']}",
                "install what the message names on the device",
            )
        else:
            report.add(f"runtime {name}", True, f"{backend} {entry.get('version') or ''}".strip())


def app_checks(device: Device, transport: Any, facts: dict[str, Any], report: Report) -> bool:
    """The companion app's checks (installed, a release build), with the fixes its transport kind
    declares; True when it passed them."""
    from benchctl.harness.lifecycle import app_target

    app = app_target(device)
    defaults = kind(device.transport).app
    if facts.get("app_installed") is False:
        fix = defaults.install_fix if defaults else "install the companion app"
        report.add("app", False, f"{app.app_id} is not installed", fix)
        return False
    if facts.get("app_debuggable"):
        report.add(
            "app",
            False,
            f"{app.app_id} is a debuggable build (runs much slower)",
            (defaults.release_fix if defaults else None) or "install the release build",
        )
        return False
    version = facts.get("app_version")
    report.add("app", True, f"{app.app_id} {version or '(version unknown)'} installed")
    return True


def _accelerator_check(device: Device, facts: dict[str, Any], report: Report) -> None:
    if device.accelerator == "cuda":
        gpus = facts.get("gpus", [])
        report.add(
            "accelerator",
            bool(gpus),
            ", ".join(g["name"] for g in gpus) or (facts.get("accelerator_problem") or "no GPU"),
            "install the NVIDIA driver (nvidia-smi must list the GPU)",
        )
    elif device.accelerator == "edgetpu":
        corals = facts.get("corals", [])
        slow = [c for c in corals if c.get("speed_mbps") and c["speed_mbps"] < 5000]
        detail = ", ".join(
            f"{c['vendor_id']}:{c['product_id']} at {c.get('speed_mbps') or '?'} Mbit/s"
            for c in corals
        )
        if (
            report.add(
                "accelerator",
                bool(corals),
                detail or (facts.get("accelerator_problem") or "no Coral"),
                "plug the Coral in (USB ids 1a6e:089a or 18d1:9302) and install libedgetpu1-std",
            )
            and slow
        ):
            report.add(
                "usb speed", False, "the Coral is on a USB 2 port", "move it to a USB 3 port"
            )


def _gate_checks(device: Device, transport: Any, report: Report) -> None:
    gates = gating.Gates.from_options(device.gates)
    try:
        snap = transport.snapshot(timeout=STEP_TIMEOUT_S)
    except TransportError as exc:
        report.add("thermal", False, str(exc), "check the device's sensors are readable")
        return
    reasons = gating.thermal_reasons(snap, gates)
    shown = {k: v for k, v in snap.items() if k != "platform"}
    report.add(
        "thermal",
        not reasons,
        "; ".join(reasons) or (", ".join(f"{k}={v}" for k, v in shown.items()) or "no sensors"),
        "let the device cool down (runs wait for it, up to the cooldown limit)",
    )
    try:
        gating.check_battery(snap, gates)
    except gating.GateRefused as exc:
        report.add("battery", False, str(exc), "charge the device")
    else:
        if "battery_pct" in snap:
            report.add("battery", True, f"{snap['battery_pct']:g} %")


def private_key(device: Device) -> str | None:
    """The private key file benchctl uses to reach `device` (None: the client's default)."""
    if device.options.get("key"):
        return str(device.options["key"])
    return kind(device.transport).default_key


def _key_check(device: Device, report: Report) -> None:
    """A private key others can read is reported (ssh refuses such keys; adb does not)."""
    import os
    import stat
    from pathlib import Path

    name = private_key(device)
    path = Path(name).expanduser() if name else None
    if path is None or not path.is_file():
        return
    mode = stat.S_IMODE(os.stat(path).st_mode)
    report.add(
        "key",
        not mode & 0o077,
        f"{path} has mode {mode:04o}",
        f"chmod 600 {path}  (a private key must be readable by its owner only)",
    )


def _install_hint(device: Device, message: str = "") -> str:
    if "libusb1" in message:  # the extra does not carry it: USB needs the system library's binding
        return "pip install libusb1 (or use an adb server: adb start-server)"
    return kind(device.transport).install_hint


def ssh_command(device: Device) -> str:
    """The `ssh` command line that reaches `device` as benchctl does (transports/ssh.py)."""
    from benchctl.harness.transports.ssh import ssh_command

    return ssh_command(device)


def _connect_hint(device: Device) -> str:
    return kind(device.transport).connect_hint(device)
