"""One benchmark run, forward: request → `resolve` (every name and number checked, once) → an
immutable `RunPlan` → artifact (cached) → the device lifecycle's `DeviceOutcome` → the record,
built once (`collect.build_record`) → store.

Every failure after the names are resolved becomes a stored status row (conversion_failed, error,
timeout…), so a sweep can go on and nothing is lost. An interrupted run (Ctrl-C, a killed host)
stores nothing: the record is written in one transaction only once the result is complete.
Nothing global changes during a run: a user's model is an object in the plan, never registered,
so a sweep or a lab worker never sees another run's models.
"""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from benchctl import config
from benchctl.errors import ConfigError, ConversionError, DependencyMissingError
from benchctl.harness.chatter import quiet_native_output
from benchctl.harness.collect import Failure, build_record, harness_facts
from benchctl.harness.convert import artifact_as_given, get_artifact
from benchctl.harness.convert.cache import Artifact, ArtifactCache
from benchctl.harness.devicelock import DeviceBusyError, device_lock
from benchctl.harness.devices import Device, get_device
from benchctl.harness.gating import Gates
from benchctl.harness.lifecycle import DeviceOutcome, run_on_device
from benchctl.harness.request import RunRequest, RunSettings
from benchctl.harness.runtimes import Runtime, get_runtime
from benchctl.harness.transports import get_kind
from benchctl.harness.transports.base import Transport
from benchctl.models import ModelSpec
from benchctl.models._user import OnnxModelRef, resolve_model_ref
from benchctl.results.record import RunRecord
from benchctl.results.store import ResultStore
from benchctl.runner import contract

RUN_ID = re.compile(r"[0-9a-f]{32}")
# Progress lines come every this many timed iterations, whatever N: the same disturbance per run.
PROGRESS_EVERY = 100
# Time allowed for the runner to start, load the model and write its result, beyond the loop.
LOAD_BUDGET_S = 300.0

__all__ = [
    "RunHooks",
    "RunInterrupted",
    "RunOutcome",
    "RunPlan",
    "RunRequest",
    "RunSettings",
    "build_spec",
    "resolve",
    "run_benchmark",
]


class RunHooks(Protocol):
    def stage(self, text: str) -> None: ...

    def progress(self, phase: str, done: int, total: int) -> None: ...


class _NoHooks:
    def stage(self, text: str) -> None:
        return None

    def progress(self, phase: str, done: int, total: int) -> None:
        return None


@dataclass
class RunOutcome:
    record: RunRecord
    artifact: Artifact | None
    stored: bool
    db_location: str
    run_dir: Path


@dataclass(frozen=True)
class RunPlan:
    """A request resolved: the device, the runtime and the model themselves, looked up once.

    `model` is the object (a zoo `ModelSpec`, a user's factory wrapped as one, or an ONNX file),
    never a name to look up again, so nothing is registered for a run."""

    request: RunRequest
    device: Device
    runtime: Runtime
    model: ModelSpec | OnnxModelRef
    pinned: Artifact | None = None  # the cached artifact `artifact_sha256` named, found once

    @property
    def model_name(self) -> str:
        return self.model.name

    @property
    def input_shape(self) -> list[int]:
        if isinstance(self.model, OnnxModelRef):
            assert self.model.input_shape is not None  # resolve() refuses an unknown shape
            return list(self.model.input_shape)
        return [self.request.batch, *self.model.input_size]

    @property
    def precision(self) -> str:
        return "as-given" if isinstance(self.model, OnnxModelRef) else self.runtime.precision

    def source_hash(self) -> str:
        if isinstance(self.model, OnnxModelRef):
            return self.model.sha256
        return self.model.source_hash()


def resolve(req: RunRequest) -> RunPlan:
    """Check every name and number before any work and look each up once; raises
    ConfigError/UnknownNameError. Changes nothing global (no model is registered)."""
    from benchctl.harness.limits import check_request

    check_request(req, budget_s=LOAD_BUDGET_S)
    if req.run_id is not None and not RUN_ID.fullmatch(req.run_id):
        raise ConfigError(f"a run id is 32 lowercase hex digits, got {req.run_id[:40]!r}")
    if req.profile_iterations is not None and not 1 <= req.profile_iterations <= 10000:
        raise ConfigError(
            f"--profile-iterations must be between 1 and 10000, got {req.profile_iterations}"
        )
    if req.target_ci is not None and not 0 < req.target_ci <= 1:
        raise ConfigError(
            f"--target-ci is a percentage of the median in (0, 100], got {req.target_ci * 100:g}"
        )
    model = resolve_model_ref(req.model, req.input_shape)
    device = get_device(req.device)
    Gates.from_options(device.gates)  # a misspelt gate in the inventory fails here, exit 2
    runtime = get_runtime(req.runtime or device.default_runtime)
    _check_cores(req, device)
    if get_kind(device.transport).app is not None and runtime.name not in device.runtimes:
        # A companion app runs only what it was built with; the Python runner decides for itself.
        raise ConfigError(
            f"device {device.name!r} (its {device.transport} app) runs "
            f"{', '.join(device.runtimes)}; not {runtime.name!r}"
        )
    if req.weights is not None:
        from benchctl.models.weights import check_weights_path

        check_weights_path(req.weights)
        if isinstance(model, OnnxModelRef):
            raise ConfigError(f"{model.path.name} is an ONNX file with its weights; drop --weights")
    if isinstance(model, OnnxModelRef):
        if runtime.artifact_format == "onnx" and runtime.target != "onnx":
            raise ConfigError(
                f"{runtime.name} runs benchctl's {runtime.target} conversion of a zoo model; "
                f"{model.path.name} is benchmarked as given: use tensorrt or onnxruntime (the "
                "precision is the file's own)"
            )
        if runtime.target != "onnx":
            raise ConfigError(
                f"{model.path.name} is an ONNX file, benchmarked as given: use a "
                "runtime that runs ONNX (onnxruntime, onnxruntime-cuda, tensorrt…)"
            )
        if model.input_shape is None:
            raise ConfigError(
                f"{model.path.name} has a symbolic input shape "
                f"{list(model.declared_shape)}; give --input-shape N,C,H,W"
            )
        if req.batch != 1:
            raise ConfigError("--batch does not apply to an ONNX file; its shape is --input-shape")
    pinned = None
    if req.artifact_sha256 is not None:
        pinned = _pinned_artifact(ArtifactCache(config.artifacts_dir()), req.artifact_sha256)
        if (pinned.model_name, pinned.options.get("target")) != (model.name, runtime.target):
            raise ConfigError(
                f"artifact {req.artifact_sha256} is {pinned.model_name} as "
                f"{pinned.options.get('target')}, not {model.name} for {runtime.name}"
            )
    return RunPlan(req, device, runtime, model, pinned)


def _check_cores(req: RunRequest, device: Device) -> None:
    """`--cpus` that this machine has, and no more threads than CPUs unless asked for
    (`--threads 999` on two cores ran, `ok`, CV 297 %). Remote runners check it again there."""
    from benchctl.runner.contention import affinity, format_cpus

    if get_kind(device.transport).on_host:
        usable = affinity()
        if req.cpus:
            missing = sorted(set(req.cpus) - set(usable))
            if missing:
                raise ConfigError(
                    f"--cpus {format_cpus(missing)}: not CPUs this process may use "
                    f"({format_cpus(usable)})"
                )
        count: int | None = len(req.cpus or usable)
    else:
        known = device.hardware_class().get("cpu_count")
        count = len(req.cpus) if req.cpus else known if isinstance(known, int) else None
    if req.cpus and get_kind(device.transport).app is not None:
        raise ConfigError(
            f"--cpus pins the Python runner; {device.name}'s {device.transport} app cannot be "
            "pinned from outside (Android apps may not set affinity to big cores; iOS has none)"
        )
    if req.threads and count and req.threads > count and not req.allow_oversubscribe:
        where = f"--cpus {format_cpus(req.cpus)}" if req.cpus else f"{device.name}"
        raise ConfigError(
            f"--threads {req.threads} is more than the {count} CPUs of {where}: the threads "
            "would time-share the cores and the run would measure the scheduler; use "
            f"--threads {count} or fewer, or --allow-oversubscribe to measure it anyway"
        )


def _pinned_artifact(cache: ArtifactCache, sha256: str) -> Artifact:
    artifact = cache.find(sha256)
    if artifact is None:
        raise ConfigError(
            f"artifact {sha256} is not in {cache.root}; it was built elsewhere "
            "or removed — run without pinning it"
        )
    return artifact


def _now() -> datetime:
    return datetime.now(UTC)


def run_benchmark(
    plan: RunPlan | RunRequest, store: ResultStore, hooks: RunHooks | None = None
) -> RunOutcome:
    """Run one benchmark and store it (a success, or a status row saying what failed).

    Give the `RunPlan` `resolve` made (a request is resolved here, once, when given instead)."""
    hooks = hooks or _NoHooks()
    if isinstance(plan, RunRequest):
        plan = resolve(plan)
    req, device = plan.request, plan.device
    if not req.wait_for_device:  # a busy device fails before anything is built
        with device_lock(device, wait=False):
            pass
    from benchctl.harness import leftovers

    removed = leftovers.clean(config.home())  # of interrupted runs; never one in progress
    if removed:
        hooks.stage(f"removed {len(removed)} leftover(s) of interrupted runs")
    run_id = req.run_id or uuid.uuid4().hex
    run_dir = config.runs_dir() / run_id
    run_dir.mkdir(parents=True, exist_ok=req.run_id is not None)
    leftovers.claim(run_dir)
    tracked = _LastStage(hooks)
    try:
        return _run(plan, store, tracked, run_id, run_dir)
    except KeyboardInterrupt:
        raise RunInterrupted(_interrupted(run_id, run_dir, tracked.last)) from None
    finally:
        leftovers.release(run_dir)


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) during a run, saying in one line what was stopped and what was kept. Still
    a KeyboardInterrupt, so no `except Exception` (a sweep's per-combination boundary) eats it."""


class _LastStage:
    """Hooks passed through, remembering the last stage (what an interrupt stopped)."""

    def __init__(self, hooks: RunHooks) -> None:
        self._hooks = hooks
        self.last = "starting"

    def stage(self, text: str) -> None:
        self.last = text
        self._hooks.stage(text)

    def progress(self, phase: str, done: int, total: int) -> None:
        self.last = f"{phase} iterations ({done}/{total} done)"
        self._hooks.progress(phase, done, total)


def _interrupted(run_id: str, run_dir: Path, last: str) -> str:
    """Say what an interrupt stopped and kept; remove the run's own folder if it holds no record."""
    from benchctl.harness import leftovers

    kept = ["earlier runs in the database", "built artifacts in the cache"]
    if (run_dir / leftovers.RECORD).exists():
        kept.insert(0, f"this run's record in {run_dir}")
    else:
        shutil.rmtree(run_dir, ignore_errors=True)
    return (
        f"interrupted during {last}: run {run_id[:12]} stopped and not stored; "
        f"kept: {', '.join(kept)}"
    )


def _run(
    plan: RunPlan, store: ResultStore, hooks: RunHooks, run_id: str, run_dir: Path
) -> RunOutcome:
    created_at, harness = _now(), harness_facts()
    artifact: Artifact | None = None
    spec: dict[str, Any] | None = None
    outcome: DeviceOutcome | None = None
    # Reach the device first: a missing client library or an unreachable device fails here, in
    # seconds, before minutes of building and converting.
    transport, failure = _connect(plan.device, hooks)
    if transport is not None:
        artifact, failure = _artifact(plan, run_dir, hooks)
        if artifact is None:
            transport.close()
        else:
            try:
                spec = build_spec(plan.request, plan.runtime, artifact, run_id)
                outcome = _execute(plan, artifact, spec, run_dir, hooks, transport)
            except DeviceBusyError:
                transport.close()
                _remove_if_empty(run_dir)
                raise  # not a measurement: nothing is stored, the caller is told who holds it
            except Exception as exc:  # a harness bug must still leave a row saying what happened
                failure = Failure("HARNESS_FAILED", f"{type(exc).__name__}: {exc}")
    record = build_record(
        plan,
        run_id=run_id,
        created_at=created_at,
        harness=harness,
        artifact=artifact,
        spec=spec,
        device=outcome,
        failure=failure,
    )
    hooks.stage("storing the run")
    stored = _store(record, store, run_dir)
    return RunOutcome(
        record=record, artifact=artifact, stored=stored, db_location=store.location, run_dir=run_dir
    )


def _connect(device: Device, hooks: RunHooks) -> tuple[Transport | None, Failure | None]:
    """The device's transport, or why it cannot be reached (TRANSPORT_FAILED)."""
    from benchctl.errors import TransportError
    from benchctl.harness import lifecycle

    hooks.stage(f"connecting to {device.name}")
    try:
        return lifecycle.make_transport(device), None  # the lifecycle's own (tests replace it)
    except (TransportError, DependencyMissingError) as exc:
        return None, Failure("TRANSPORT_FAILED", str(exc))


def _artifact(
    plan: RunPlan, run_dir: Path, hooks: RunHooks
) -> tuple[Artifact | None, Failure | None]:
    """The plan's artifact (pinned, as given, or built and converted), or why there is none."""
    req, runtime = plan.request, plan.runtime
    hooks.stage(f"artifact for {plan.model_name} ({runtime.artifact_format})")
    cache = ArtifactCache(config.artifacts_dir())
    try:
        if plan.pinned is not None:
            return plan.pinned, None
        if isinstance(plan.model, OnnxModelRef):
            return artifact_as_given(plan.model, cache), None
        # converters' own chatter (C++ logging, XNNPACK INFO lines) → runs/<id>/convert.log
        with quiet_native_output(run_dir / "convert.log"):
            return get_artifact(
                plan.model,
                runtime.target,
                cache,
                batch=req.batch,
                seed=req.seed,
                on_stage=hooks.stage,
                calibration_dir=req.calibration_dir,
                weights=req.weights,
            ), None
    except (ConversionError, DependencyMissingError) as exc:  # a missing converter too
        return None, Failure("CONVERSION_FAILED", str(exc), status="conversion_failed")


def _store(record: RunRecord, store: ResultStore, run_dir: Path) -> bool:
    """Keep the complete record on disk, then write it to the database; a failed write is a
    NotStoredError naming the kept file and the command that stores it later."""
    from benchctl.errors import NotStoredError, StoreUnavailableError
    from benchctl.results import keep

    try:
        kept: Path | None = keep.write(record, run_dir)
    except OSError as exc:
        kept, keep_error = None, exc
    try:
        return store.ingest(record)
    except StoreUnavailableError as exc:
        what = f"run {record.run_id} ({record.status}) was not stored: {exc}"
        if kept is None:
            raise NotStoredError(
                f"{what}; nor could its record be written ({keep_error})",
                run_id=record.run_id,
                kept=None,
                hint=None,
            ) from None
        default = config.default_db_url().removeprefix("sqlite:///")
        command = keep.import_command(kept, None if store.location == default else store.location)
        raise NotStoredError(
            f"{what}; its samples are kept in {kept}",
            run_id=record.run_id,
            kept=str(kept),
            hint=f"store it with: {command}",
        ) from None


def build_spec(
    req: RunRequest, runtime: Runtime, artifact: Artifact, run_id: str
) -> dict[str, Any]:
    """The spec (contract `benchctl.spec`) a runner reads for one run of `artifact` on `runtime`
    with `req`'s settings; validated against the contract before it is returned."""
    spec: dict[str, Any] = {
        "schema": "benchctl.spec",
        "version": contract.CONTRACT_VERSION,
        "run_id": run_id,
        "created_at": _now().isoformat().replace("+00:00", "Z"),
        "model": {
            "path": artifact.path.name,
            "format": artifact.format,
            "sha256": artifact.sha256,
            "name": artifact.model_name,
        },
        "backend": {
            "name": runtime.backend,
            "accelerator": runtime.accelerator,
            "allow_fallback": req.allow_fallback,
            "options": {
                "num_threads": req.threads,
                "precision": runtime.precision,
                **runtime.options,
            },
        },
        "inputs": {"mode": "random", "seed": req.seed, "tensors": artifact.inputs},
        "timing": {
            "warmup_iters": req.warmup,
            "iters": req.iterations,
            "max_total_s": req.max_total_s,
            "progress_every": PROGRESS_EVERY,
        },
        "output": {"result_path": "result.json"},
    }
    if req.profile_iterations is not None:
        spec["profile"] = {"iterations": req.profile_iterations}
    if req.target_ci is not None:
        spec["timing"]["target_ci"] = req.target_ci
    if req.cpus or req.allow_oversubscribe:
        spec["placement"] = {"allow_oversubscribe": req.allow_oversubscribe}
        if req.cpus:
            spec["placement"]["cpus"] = sorted(req.cpus)
    contract.validate("spec", spec)
    return spec


def _execute(
    plan: RunPlan,
    artifact: Artifact,
    spec: dict[str, Any],
    run_dir: Path,
    hooks: RunHooks,
    transport: Transport,
) -> DeviceOutcome:
    """Push, run, pull, validate under the device's lock: what came of it."""
    req, device = plan.request, plan.device
    what = f"benchctl run {spec['run_id'][:12]}: {plan.model_name} on {plan.runtime.name}"
    # Held from the first device step (capabilities, gate) to the last (pull, clean-up).
    with device_lock(device, wait=req.wait_for_device, what=what, on_wait=hooks.stage):
        return run_on_device(
            device,
            artifact.path,
            spec,
            run_dir,
            hooks,
            timeout=req.max_total_s + LOAD_BUDGET_S,
            transport=transport,
        )


def _remove_if_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()  # files of the run (spec.json…), if any, stay for inspection
