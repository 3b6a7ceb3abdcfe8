"""One benchmark run, end to end: resolve names → artifact (cached) → push → runner → pull →
validate → record → store.

Every failure after the names are resolved becomes a stored status row (conversion_failed, error,
timeout…), so a sweep can go on and nothing is lost. An interrupted run (Ctrl-C, a killed host)
stores nothing: the record is written in one transaction only once the result is complete.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from benchctl import __version__, config
from benchctl.errors import ConfigError, ContractError, ConversionError, TransportError
from benchctl.harness import contract
from benchctl.harness.collect import check_result, parse_time, without_samples
from benchctl.harness.convert import get_artifact
from benchctl.harness.convert.cache import Artifact, ArtifactCache
from benchctl.harness.devices import Device, get_device
from benchctl.harness.environment import harness_git_sha, host_facts, library_versions
from benchctl.harness.runner import PROGRESS_PREFIX
from benchctl.harness.runtimes import Runtime, get_runtime
from benchctl.harness.transports import make_transport
from benchctl.models import get_model_spec
from benchctl.results.record import RunRecord
from benchctl.results.store import ResultStore

# Time allowed for the runner to start, load the model and write its result, beyond the loop.
LOAD_BUDGET_S = 300.0


@dataclass(frozen=True)
class RunRequest:
    model: str
    device: str = "host"
    runtime: str | None = None  # None: the device's default runtime
    iterations: int = 1000
    warmup: int = 50
    threads: int | None = None  # None: the runtime's default
    batch: int = 1
    seed: int = 0
    max_total_s: float = 900.0
    allow_fallback: bool = False


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
class Resolved:
    device: Device
    runtime: Runtime


def resolve(req: RunRequest) -> Resolved:
    """Check every name and number before any work; raises ConfigError/UnknownNameError."""
    for label, value, low in (
        ("--iterations", req.iterations, 1),
        ("--warmup", req.warmup, 0),
        ("--batch", req.batch, 1),
    ):
        if value < low:
            raise ConfigError(f"{label} must be ≥ {low}, got {value}")
    if req.threads is not None and req.threads < 1:
        raise ConfigError(f"--threads must be ≥ 1, got {req.threads}")
    if req.max_total_s <= 0:
        raise ConfigError(f"--max-seconds must be > 0, got {req.max_total_s}")
    get_model_spec(req.model)
    device = get_device(req.device)
    runtime = get_runtime(req.runtime or device.default_runtime)
    if runtime.name not in device.runtimes:
        raise ConfigError(
            f"device {device.name!r} cannot run {runtime.name!r}; "
            f"it runs: {', '.join(device.runtimes)}"
        )
    return Resolved(device, runtime)


def _now() -> datetime:
    return datetime.now(UTC)


def run_benchmark(req: RunRequest, store: ResultStore, hooks: RunHooks | None = None) -> RunOutcome:
    """Run one benchmark and store it (a success, or a status row saying what failed)."""
    hooks = hooks or _NoHooks()
    resolved = resolve(req)
    device, runtime = resolved.device, resolved.runtime
    model_spec = get_model_spec(req.model)
    run_id = uuid.uuid4().hex
    run_dir = config.runs_dir() / run_id
    run_dir.mkdir(parents=True)
    record = RunRecord(
        run_id=run_id,
        created_at=_now(),
        status="error",
        model_name=req.model,
        artifact_format=runtime.artifact_format,
        precision=runtime.precision,
        runtime=runtime.name,
        backend=runtime.backend,
        accelerator_requested=runtime.accelerator,
        device_name=device.name,
        device_class=device.hardware_class(),
        input_shape=[req.batch, *model_spec.input_size],
        threads=req.threads,
        iterations_requested=req.iterations,
        warmup_iters=req.warmup,
        harness_version=__version__,
        harness_git_sha=harness_git_sha(),
        versions=library_versions(),
        host=host_facts(),
        model_source_hash=model_spec.source_hash(),
    )
    artifact: Artifact | None = None
    try:
        hooks.stage(f"artifact for {req.model} ({runtime.artifact_format})")
        artifact = get_artifact(
            req.model,
            runtime.artifact_format,
            ArtifactCache(config.artifacts_dir()),
            batch=req.batch,
            seed=req.seed,
            on_stage=hooks.stage,
        )
        record.artifact = artifact.to_json()
        _execute(req, runtime, device, artifact, record, run_dir, hooks)
    except ConversionError as exc:
        record.status, record.error_code, record.error_message = (
            "conversion_failed",
            "CONVERSION_FAILED",
            str(exc),
        )
    hooks.stage("storing the run")
    stored = store.ingest(record)
    return RunOutcome(
        record=record, artifact=artifact, stored=stored, db_location=store.location, run_dir=run_dir
    )


def _spec(req: RunRequest, runtime: Runtime, artifact: Artifact, run_id: str) -> dict[str, Any]:
    spec = {
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
            "options": {"num_threads": req.threads, "precision": runtime.precision},
        },
        "inputs": {"mode": "random", "seed": req.seed, "tensors": artifact.inputs},
        "timing": {
            "warmup_iters": req.warmup,
            "iters": req.iterations,
            "max_total_s": req.max_total_s,
            "progress_every": max(1, min(100, req.iterations // 50)),
        },
        "output": {"result_path": "result.json"},
    }
    contract.validate("spec", spec)
    return spec


def _execute(
    req: RunRequest,
    runtime: Runtime,
    device: Device,
    artifact: Artifact,
    record: RunRecord,
    run_dir: Path,
    hooks: RunHooks,
) -> None:
    """Push, run, pull, validate; fill `record` with what happened (success or a status)."""
    spec = _spec(req, runtime, artifact, record.run_id)
    record.spec = spec
    spec_path = run_dir / "spec.json"
    contract.write_atomic(spec_path, spec)
    transport = make_transport(device)
    remote = transport.workdir(record.run_id)
    timeout = req.max_total_s + LOAD_BUDGET_S
    try:
        hooks.stage(f"pushing to {device.name}")
        transport.push(artifact.path, f"{remote}/{artifact.path.name}", timeout=timeout)
        transport.push(spec_path, f"{remote}/spec.json", timeout=60)

        def on_line(line: str) -> None:
            if line.startswith(PROGRESS_PREFIX):
                phase, done, total = line[len(PROGRESS_PREFIX) :].split()
                hooks.progress(phase, int(done), int(total))

        hooks.stage(f"running on {device.name}")
        done = transport.run(
            [*transport.runner_argv(), f"{remote}/spec.json"], timeout=timeout, on_line=on_line
        )
        if done.timed_out:
            record.status, record.error_code = "timeout", "RUNNER_TIMEOUT"
            record.error_message = f"runner killed after {timeout:.0f} s"
            return
        if not transport.exists(f"{remote}/result.json"):
            record.error_code = "RUNNER_NO_RESULT"
            record.error_message = (
                f"runner exited with code {done.returncode} and no result; "
                f"stderr: {done.stderr_tail.strip()[-1000:]}"
            )
            return
        transport.pull(f"{remote}/result.json", run_dir / "result.json", timeout=60)
    except TransportError as exc:
        record.error_code, record.error_message = "TRANSPORT_FAILED", str(exc)
        return
    finally:
        transport.cleanup(remote)
    try:
        result = check_result(contract.read(run_dir / "result.json"), spec)
    except (ContractError, contract.ContractViolation, ValueError) as exc:
        record.error_code, record.error_message = "INVALID_RESULT", str(exc)
        return
    _fill(record, result)


def _fill(record: RunRecord, result: dict[str, Any]) -> None:
    record.status = result["status"]
    if result["error"]:
        record.error_code, record.error_message = (
            result["error"]["code"],
            result["error"]["message"],
        )
    runtime = result.get("runtime") or {}
    record.accelerator_actual = runtime.get("accelerator_actual")
    record.runtime_version = runtime.get("version")
    record.versions = {
        **record.versions,
        f"runner:{runtime.get('name', '?')}": runtime.get("version"),
        "runner": result["runner"]["version"],
    }
    record.device_facts = result.get("device")
    record.environment = result.get("environment")
    timing = result.get("timing_ns") or {}
    record.load_ns = timing.get("load")
    record.first_inference_ns = timing.get("first_inference")
    record.warmup_total_ns = (timing.get("warmup") or {}).get("total")
    record.clock = timing.get("clock")
    record.clock_resolution_ns = timing.get("clock_resolution")
    record.loop_overhead_ns = timing.get("loop_overhead")
    record.samples = list(timing.get("samples") or [])
    record.started_at = parse_time(result.get("started_at"))
    record.finished_at = parse_time(result.get("finished_at"))
    record.result = without_samples(result)
