"""The device side of one run, the same for every transport (research devices.md §7.4).

    capabilities (cached per device and runner version) → gate (battery, debuggable build,
    thermal cooldown until under the threshold) → push the model (skipped when the device's copy
    has the same sha256) and the spec → launch (Python runner or companion app) → wait with a
    deadline → pull result.json → validate → clean up (device logs pulled on failure) → gate
    snapshot after, within-run drift

`run_on_device` returns a `DeviceOutcome`: the validated result, or a `Failure` saying why there
is none, with what the host observed around it; `collect.build_record` turns it into the run's
record. Nothing here writes a record or stores anything, so a run interrupted with Ctrl-C leaves
no row.
"""

from __future__ import annotations

import json
import posixpath
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from benchctl import config
from benchctl.errors import (
    ConfigError,
    ContractError,
    DependencyMissingError,
    RunnerError,
    TransportError,
)
from benchctl.harness import gating
from benchctl.harness.collect import Failure, check_result
from benchctl.harness.transports import get_kind, make_transport
from benchctl.harness.transports.base import AppTarget, Completed, Transport
from benchctl.runner import contract

if TYPE_CHECKING:
    from benchctl.harness.devices import Device

# Budgets for the small steps around the runner (seconds).
STEP_TIMEOUT_S = 60.0
CAPABILITIES_TIMEOUT_S = 120.0
LOG_TAIL_CHARS = 2000


class Hooks(Protocol):
    """What the lifecycle reports while it works (run.py's RunHooks satisfies it)."""

    def stage(self, text: str) -> None: ...

    def progress(self, phase: str, done: int, total: int) -> None: ...


@dataclass(frozen=True)
class DeviceOutcome:
    """What the device side of one run produced.

    Exactly one of `result` (the validated result document, whatever its status) and `failure`
    (why there is none: unreachable, refused by a gate, timed out, no or an invalid result) is
    set. `host_env` is what the host observed around the run (gate snapshots, cooldown, model
    pushed, contention, drift, warnings); `hardware_class` the series' hardware identity read
    from the device (None when it was not reached); `spec` the spec as pushed (pointing at the
    device's model cache); `device_log` the device's log kept beside the run after a failure.
    """

    result: dict[str, Any] | None = None
    failure: Failure | None = None
    host_env: dict[str, Any] = field(default_factory=dict)
    hardware_class: dict[str, Any] | None = None
    spec: dict[str, Any] | None = None
    device_log: Path | None = None


def run_on_device(
    device: Device,
    artifact_path: Path,
    spec: dict[str, Any],
    run_dir: Path,
    hooks: Hooks,
    *,
    timeout: float,
    transport: Transport | None = None,
) -> DeviceOutcome:
    """Run `spec` on `device` and return what came of it (a result or a failure, never raised)."""
    host_env: dict[str, Any] = {}
    try:
        transport = transport or make_transport(device)
    except (TransportError, DependencyMissingError) as exc:
        return DeviceOutcome(failure=Failure("TRANSPORT_FAILED", str(exc)))
    remote: str | None = None
    result: dict[str, Any] | None = None
    failure: Failure | None = None
    hardware: dict[str, Any] | None = None
    device_log: Path | None = None
    pushed_spec: dict[str, Any] | None = None
    try:
        gates = gating.Gates.from_options(device.gates)
        if transport.capabilities.python_runner:
            hooks.stage(f"checking {device.name}'s runner")
            _check_backend(device, transport, spec)
        hooks.stage(f"checking {device.name}'s temperature and battery")
        host_env["before"], facts = _gate_before(device, transport, gates, hooks, host_env)
        hardware = _hardware_class(device, facts)
        remote = transport.workdir(spec["run_id"])
        hooks.stage(f"pushing to {device.name}")
        spec, host_env["model_pushed"] = _push_model(
            transport, artifact_path, spec, remote, timeout
        )
        pushed_spec = spec
        spec_path = run_dir / "spec.json"
        contract.write_atomic(spec_path, spec)
        spec_remote = posixpath.join(remote, "spec.json")
        transport.push(spec_path, spec_remote, timeout=STEP_TIMEOUT_S)
        hooks.stage(f"running on {device.name}")
        watch = AppCpuWatch.start(device, transport)
        done = launch_runner(device, transport, spec_remote, timeout, hooks)
        screen = getattr(transport, "screen", None)
        if screen:  # adb: the screen state the run had (A13)
            host_env["screen"] = screen
        if watch is not None:
            host_env["contention"] = watch.finish()
        result_remote = posixpath.join(remote, spec["output"]["result_path"])
        if done.timed_out:
            failure = Failure(
                "RUNNER_TIMEOUT",
                f"runner stopped after {timeout:.0f} s without finishing",
                status="timeout",
            )
        elif not transport.exists(result_remote):
            failure = Failure("RUNNER_NO_RESULT", no_result_message(done.returncode, done, run_dir))
        else:
            transport.pull(result_remote, run_dir / "result.json", timeout=STEP_TIMEOUT_S)
            try:
                result = check_result(contract.read(run_dir / "result.json"), spec)
            except (ContractError, contract.ContractViolation, ValueError) as exc:
                failure = Failure("INVALID_RESULT", str(exc))
            else:
                host_env["after"] = _safe_snapshot(transport)
                flag_warnings(
                    result, host_env, gates, explicit_drift="drift_threshold" in device.gates
                )
    except gating.GateRefused as exc:
        failure = Failure(exc.code, str(exc), status=exc.status)
    except RunnerError as exc:
        failure = Failure(exc.code, str(exc), status="unsupported_backend")
    except TransportError as exc:
        failure = Failure("TRANSPORT_FAILED", str(exc))
    except Exception as exc:  # a harness bug still leaves a row saying what happened
        result, failure = None, Failure("HARNESS_FAILED", f"{type(exc).__name__}: {exc}")
    finally:
        succeeded = result is not None and result["status"] == "ok"
        if not succeeded:
            device_log = _save_logs(transport, run_dir)
        try:
            if remote is not None and (succeeded or not device.options.get("keep_on_failure")):
                transport.cleanup(remote)
        except TransportError as exc:  # the run's outcome stands; say what was left behind
            host_env.setdefault("warnings", []).append(f"CLEANUP-FAILED: {exc}")
        finally:
            transport.close()
    return DeviceOutcome(
        result=result,
        failure=failure,
        host_env=host_env,
        hardware_class=hardware,
        spec=pushed_spec,
        device_log=device_log,
    )


# --- steps -----------------------------------------------------------------------------------


def runner_capabilities(transport: Transport, *, timeout: float = CAPABILITIES_TIMEOUT_S) -> dict:
    """Ask the device's Python runner what it can run (`benchctl.capabilities` v1)."""
    remote = transport.workdir("capabilities-" + uuid.uuid4().hex)
    try:
        out = posixpath.join(remote, "capabilities.json")
        done = transport.run([*transport.runner_argv(), "--capabilities", out], timeout=timeout)
        if done.timed_out or done.returncode != 0 or not transport.exists(out):
            raise RunnerError(
                f"the runner could not describe itself (exit {done.returncode}): "
                f"{done.stderr_tail.strip()[-600:]}",
                code="RUNNER_BROKEN",
            )
        local = config.home() / "tmp" / f"capabilities-{uuid.uuid4().hex}.json"
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            transport.pull(out, local, timeout=STEP_TIMEOUT_S)
            doc = contract.read(local)
        finally:
            local.unlink(missing_ok=True)
        try:
            contract.validate("capabilities", doc)
        except contract.ContractViolation as exc:
            raise RunnerError(str(exc), code="RUNNER_BROKEN") from None
        return doc
    finally:
        transport.cleanup(remote)


def cached_capabilities(device: Device, transport: Transport) -> dict:
    """Capabilities, read once per device and runner bundle (`.benchctl/capabilities/`)."""
    from benchctl import __version__

    cache = config.home() / "capabilities" / f"{device.name}.json"
    key = {"runner": device.options.get("runner", "push"), "version": __version__}
    extra = get_kind(device.transport).capabilities_key
    if extra is not None:
        key.update(extra())
    try:
        stored = contract.read(cache) if cache.is_file() else {}
    except (OSError, ValueError):
        stored = {}  # an unreadable cache entry is asked again, never trusted
    if isinstance(stored, dict) and stored.get("key") == key:
        return stored["capabilities"]
    doc = runner_capabilities(transport)
    cache.parent.mkdir(parents=True, exist_ok=True)
    contract.write_atomic(cache, {"key": key, "capabilities": doc})
    return doc


def _check_backend(device: Device, transport: Transport, spec: dict[str, Any]) -> None:
    if get_kind(device.transport).on_host:
        return  # the runner is this very installation; its capabilities are the host's
    doc = cached_capabilities(device, transport)
    backend = spec["backend"]["name"]
    entry = next((r for r in doc["runtimes"] if r["backend"] == backend), None)
    if entry is None:
        known = ", ".join(r["backend"] for r in doc["runtimes"])
        raise RunnerError(
            f"{device.name}'s runner has no {backend!r} backend (it has: {known}); "
            f"update benchctl there",
            code="UNKNOWN_BACKEND",
        )
    if not entry["available"]:
        raise RunnerError(
            f"{backend} is unavailable on {device.name}: {entry['reason_if_unavailable']}",
            code="RUNTIME_MISSING",
        )


def _gate_before(
    device: Device,
    transport: Transport,
    gates: gating.Gates,
    hooks: Hooks,
    host_env: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Refuse or wait until the device is fit to measure; returns (snapshot, device facts)."""
    facts = transport.facts(timeout=STEP_TIMEOUT_S)
    if facts.get("app_debuggable"):
        raise gating.GateRefused(
            f"the companion app on {device.name} is a debuggable build, which runs much slower; "
            "install the release build (android_app: ./gradlew :app:assembleStandardRelease)",
            code="DEBUGGABLE_BUILD",
        )
    if facts.get("build_type") == "eng":
        raise gating.GateRefused(
            f"{device.name} runs an eng build of Android (extra checks slow everything); "
            "flash a user or userdebug build",
            code="ENG_BUILD",
        )
    first = transport.snapshot(timeout=STEP_TIMEOUT_S)
    gating.check_battery(first, gates)
    if gating.thermal_reasons(first, gates):
        snap, waited = gating.wait_until_cool(
            lambda: transport.snapshot(timeout=STEP_TIMEOUT_S), gates, on_wait=hooks.stage
        )
        host_env["cooldown_s"] = round(waited, 1)
        return snap, facts
    host_env["cooldown_s"] = 0.0
    return first, facts


def _hardware_class(device: Device, facts: dict[str, Any]) -> dict[str, Any]:
    """The series' hardware identity, read from the device on every run (so an unprobed board,
    or a host whose GPU changed, never shares a series with other hardware); what the inventory
    states explicitly wins."""
    from benchctl.harness.doctor import split_facts

    hardware, _unit = split_facts(device.transport, facts)
    return {**hardware, **device.hardware}


def _push_model(
    transport: Transport, artifact: Path, spec: dict[str, Any], remote: str, timeout: float
) -> tuple[dict[str, Any], bool]:
    """Put the model in the device's model cache (unless its sha256 matches) and point the spec
    at it, relative to the run folder; returns the new spec and whether bytes were pushed."""
    sha = spec["model"]["sha256"]
    root = transport.capabilities.files_root
    cached = posixpath.join(root, "models", sha.split(":", 1)[1][:24], artifact.name)
    pushed = artifact.is_dir() or transport.sha256(cached, timeout=STEP_TIMEOUT_S) != sha
    if pushed:
        transport.push(artifact, cached, timeout=timeout)
    spec = json.loads(json.dumps(spec))
    spec["model"]["path"] = posixpath.relpath(cached, remote)
    contract.validate("spec", spec)
    return spec, pushed


def launch_runner(
    device: Device, transport: Transport, spec_remote: str, timeout: float, hooks: Hooks
) -> Completed:
    """Start the Python runner (or the companion app) on the pushed spec and wait for it, at
    most `timeout` seconds; its progress lines go to `hooks.progress` as they arrive."""
    from benchctl.runner.run import PROGRESS_PREFIX

    def on_line(line: str) -> None:
        if line.startswith(PROGRESS_PREFIX):
            phase, done, total = line[len(PROGRESS_PREFIX) :].split()
            hooks.progress(phase, int(done), int(total))

    if transport.capabilities.python_runner:
        return transport.run(
            [*transport.runner_argv(), spec_remote], timeout=timeout, on_line=on_line
        )
    if transport.capabilities.app_launch:
        if getattr(transport, "streams_app_progress", False):  # adb: the app's live progress
            launch: Callable[..., Completed] = transport.launch_app  # this one takes on_line too
            return launch(app_target(device), spec_remote, timeout=timeout, on_line=on_line)
        return transport.launch_app(app_target(device), spec_remote, timeout=timeout)
    raise TransportError(f"{device.name}: its transport can start neither the runner nor an app")


def app_target(device: Device) -> AppTarget:
    """The companion app named in the device's options (`app`, `component`, `launch`)."""
    opts = device.options
    defaults = get_kind(device.transport).app  # the kind's app, unless the options name one
    if defaults is None and "app" not in opts:
        raise ConfigError(f"device {device.name!r} ({device.transport}) names no companion app")
    return AppTarget(
        app_id=str(opts.get("app", defaults.app_id if defaults else "")),
        component=opts.get("component"),
        launch=str(opts.get("launch", defaults.launch if defaults else "instrument")),
    )


class AppCpuWatch:
    """Contention around a companion-app run on Android, read through adb shell: `/proc/stat`
    before and after, `dumpsys cpuinfo` after (an app itself may not read /proc/stat). The
    Python runner measures its own loop instead (runner/contention.py)."""

    def __init__(self, transport: Transport, package: str, before: str) -> None:
        self.transport, self.package, self.before = transport, package, before
        self.started = time.monotonic()

    @classmethod
    def start(cls, device: Device, transport: Transport) -> AppCpuWatch | None:
        if get_kind(device.transport).app is None or not transport.capabilities.shell:
            return None
        before = _read_all(transport, ["cat", "/proc/stat"])
        return None if before is None else cls(transport, app_target(device).app_id, before)

    def finish(self) -> dict[str, Any]:
        from benchctl.runner.contention import android_contention

        wall = time.monotonic() - self.started
        after = _read_all(self.transport, ["cat", "/proc/stat"])
        cpuinfo = _read_all(self.transport, ["dumpsys", "cpuinfo"]) or ""
        if after is None:
            return {"source": "adb", "missing": ["/proc/stat after the run"], "windows": []}
        return android_contention(self.before, after, wall, cpuinfo, self.package)


def _read_all(transport: Transport, argv: list[str]) -> str | None:
    """Every line a device command prints (not only the transport's tail), or None."""
    lines: list[str] = []
    try:
        done = transport.run(argv, timeout=STEP_TIMEOUT_S, on_line=lines.append)
    except TransportError:
        return None
    return "\n".join(lines) if done.returncode == 0 and not done.timed_out else None


def _safe_snapshot(transport: Transport) -> dict[str, Any]:
    try:
        return transport.snapshot(timeout=STEP_TIMEOUT_S)
    except TransportError as exc:
        return {"error": str(exc)}


def flag_warnings(
    result: dict[str, Any], host_env: dict[str, Any], gates: gating.Gates, *, explicit_drift: bool
) -> None:
    """Add to `host_env["warnings"]` what makes a run with this result suspect: the device got
    hotter (THERMAL-ROSE) or is hot after (HOT-AFTER), Core ML planned too little on the unit
    asked for (ACCELERATOR-SHARE-LOW), the samples drift (DRIFT, with `host_env["drift"]`)."""
    warnings: list[str] = []
    before, after = host_env.get("before") or {}, host_env.get("after") or {}
    lb, la = (gating.thermal_level(s.get("thermal_status")) for s in (before, after))
    if lb and la and la[0] > lb[0]:
        warnings.append("THERMAL-ROSE")
    if gating.thermal_reasons(after, gates):
        warnings.append("HOT-AFTER")
    plan = (result.get("runtime") or {}).get("plan_summary")
    if isinstance(plan, dict) and plan.get("below_floor") is True:
        # Core ML (Mac or iPhone) planned under share_floor of the operations on the unit asked
        # for: the run stands, with the share in its plan_summary, but it is flagged (G13).
        warnings.append("ACCELERATOR-SHARE-LOW")
    samples = list((result.get("timing_ns") or {}).get("samples") or [])
    drift = gating.drift(samples, threshold=gates.drift_threshold)
    if drift is not None:
        drift["device_threshold"] = explicit_drift  # the inventory set it: it judges validity
        host_env["drift"] = drift
        if drift["flagged"]:
            warnings.append("DRIFT")
    host_env.setdefault("warnings", []).extend(warnings)


def _save_logs(transport: Transport, run_dir: Path) -> Path | None:
    """Keep the device's recent log beside the run's files; its path, or None without a log."""
    try:
        text = transport.logs(timeout=STEP_TIMEOUT_S)
    except TransportError as exc:
        text = f"(could not read the device log: {exc})"
    if not text:
        return None
    path = run_dir / "device.log"
    path.write_text(text)
    return path


def no_result_message(returncode: int, done: Any, run_dir: Path) -> str:
    """One line for a runner that left no result: its output's last line (a traceback's is the
    exception), the whole output kept in the run's `runner.log`, not in the message."""
    tail = (done.stderr_tail or done.stdout_tail or "").strip()
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    message = f"runner exited with code {returncode} and no result"
    if lines:
        message += f": {lines[-1][:300]}"
    if tail:
        try:
            run_dir.mkdir(parents=True, exist_ok=True)
            log = run_dir / "runner.log"
            log.write_text(
                f"--- stdout ---\n{done.stdout_tail}\n--- stderr ---\n{done.stderr_tail}\n"
            )
            message += f" (its whole output: {log})"
        except OSError as exc:  # the message still names the last line
            message += f" (its whole output could not be kept: {exc})"
    return message
