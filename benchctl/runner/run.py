"""The Python runner: one `benchctl.spec` in, one `benchctl.result` out (spec.json → result.json).

It runs in its own process on the target (this machine, or an SSH board), imports only the
runtime it needs, and always writes a result document — an error status with a code when
something fails — so the host never has to guess what happened.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchctl import __version__
from benchctl.runner import contention, contract, measure, memory
from benchctl.runner.backends import (
    BackendUnavailable,
    DelegateUnavailable,
    backend_names,
    get_backend,
)
from benchctl.runner.digest import content_sha256
from benchctl.runner.facts import device_facts, thermal_snapshot

RUNNER_NAME = "benchctl-python"
PROGRESS_PREFIX = "@@benchctl progress"

_DTYPES = {"float32", "float16", "int8", "uint8", "int32", "int64"}


class RunFailure(Exception):
    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def runner_info() -> dict[str, Any]:
    return {
        "name": RUNNER_NAME,
        "version": __version__,
        "contract_versions": list(contract.SUPPORTED_VERSIONS),
    }


def capabilities() -> dict[str, Any]:
    """The `benchctl.capabilities` document for this machine."""
    runtimes = []
    for name in backend_names():
        backend = get_backend(name)
        entry: dict[str, Any] = {"backend": name, "formats": list(backend.formats)}
        try:
            entry.update(
                version=backend.version(),
                available=True,
                accelerators=backend.available_accelerators(),
                reason_if_unavailable=None,
            )
        except BackendUnavailable as exc:
            entry.update(
                version=None, available=False, accelerators=[], reason_if_unavailable=str(exc)
            )
        except Exception as exc:  # one broken runtime install must not hide every other runtime
            entry.update(
                version=None,
                available=False,
                accelerators=[],
                reason_if_unavailable=f"probing {name} failed: {type(exc).__name__}: {exc}",
            )
        runtimes.append(entry)
    doc = {
        "schema": "benchctl.capabilities",
        "version": contract.CONTRACT_VERSION,
        "runner": runner_info(),
        "runtimes": runtimes,
        "device": device_facts(),
    }
    contract.validate("capabilities", doc)
    return doc


def _inputs(tensors: list[dict[str, Any]], seed: int) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(seed)
    arrays = {}
    for t in tensors:
        dtype = np.dtype(t["dtype"])
        if dtype.kind == "f":
            arrays[t["name"]] = rng.standard_normal(t["shape"], dtype=np.float32).astype(dtype)
        else:
            info = np.iinfo(dtype)
            arrays[t["name"]] = rng.integers(
                max(info.min, -128), min(info.max, 127) + 1, size=t["shape"], dtype=dtype
            )
    return arrays


# With a CI target and no `max_iters`: at most this many samples (about 10 MB of result JSON).
DEFAULT_MAX_ITERS = 1_000_000


def _place(spec: dict[str, Any]) -> dict[str, Any]:
    """Pin every thread of this process to `placement.cpus` (before the runtime starts its own
    threads, which inherit it) and refuse more runtime threads than CPUs unless allowed."""
    placement = spec.get("placement") or {}
    wanted = placement.get("cpus")
    if wanted:
        if not hasattr(os, "sched_setaffinity"):
            raise RunFailure(
                "error",
                "PINNING_UNSUPPORTED",
                f"this OS ({sys.platform}) has no CPU affinity call; run without --cpus",
            )
        allowed = set(contention.affinity())
        if not set(wanted) <= allowed:
            raise RunFailure(
                "error",
                "CPUS_UNAVAILABLE",
                f"CPUs {contention.format_cpus(sorted(set(wanted) - allowed))} are not available "
                f"here (this runner may use {contention.format_cpus(sorted(allowed))})",
            )
        for tid in os.listdir("/proc/self/task") if os.path.isdir("/proc/self/task") else [0]:
            os.sched_setaffinity(int(tid), wanted)
    cpus = contention.affinity()
    threads = (spec["backend"].get("options") or {}).get("num_threads")
    if threads and threads > len(cpus) and not placement.get("allow_oversubscribe"):
        raise RunFailure(
            "error",
            "THREADS_BEYOND_CORES",
            f"{threads} runtime threads on {len(cpus)} CPUs "
            f"({contention.format_cpus(cpus)}) time-share the cores and measure the "
            "scheduler; use --threads ≤ the CPU count, or --allow-oversubscribe",
        )
    return {"cpus": cpus, "pinned": bool(wanted), "threads": threads}


def execute(
    spec: dict[str, Any], spec_dir: Path, on_progress: measure.ProgressFn | None
) -> dict[str, Any]:
    """Run a validated spec; returns the result document's measured parts or raises RunFailure."""
    backend_spec = spec["backend"]
    model_path = spec_dir / spec["model"]["path"]
    if not model_path.exists():
        raise RunFailure("error", "MODEL_NOT_FOUND", f"model file {model_path} does not exist")
    digest = content_sha256(model_path)
    if digest != spec["model"]["sha256"]:
        raise RunFailure(
            "error",
            "MODEL_SHA256_MISMATCH",
            f"model file hash {digest} differs from the spec's {spec['model']['sha256']}",
        )
    try:
        backend = get_backend(backend_spec["name"])
    except KeyError:
        raise RunFailure(
            "unsupported_backend",
            "UNKNOWN_BACKEND",
            f"backend {backend_spec['name']!r} is not in this runner; "
            f"it has: {', '.join(backend_names())}",
        ) from None
    if spec["model"]["format"] not in backend.formats:
        raise RunFailure(
            "unsupported_backend",
            "FORMAT_NOT_SUPPORTED",
            f"{backend.name} cannot run {spec['model']['format']} artifacts",
        )
    try:
        version = backend.version()
    except BackendUnavailable as exc:
        raise RunFailure("unsupported_backend", "RUNTIME_MISSING", str(exc)) from None
    placement = _place(spec)
    accelerator = backend_spec["accelerator"]
    options = {
        **(backend_spec.get("options") or {}),
        "allow_fallback": bool(backend_spec.get("allow_fallback")),
    }
    clock = time.perf_counter_ns
    rss_before_load = memory.rss_bytes()
    try:
        t0 = clock()
        session = backend.load(str(model_path), accelerator, options)
        load_ns = clock() - t0
        rss_after_load = memory.rss_bytes()
    except BackendUnavailable as exc:
        raise RunFailure("unsupported_backend", "RUNTIME_UNAVAILABLE", str(exc)) from None
    except DelegateUnavailable as exc:
        raise RunFailure("error", "DELEGATE_UNAVAILABLE", str(exc)) from None
    except Exception as exc:  # any runtime's load error becomes a coded status, never a crash
        raise RunFailure("error", "MODEL_LOAD_FAILED", f"{type(exc).__name__}: {exc}") from None
    description = session.describe()
    runtime = {
        "name": backend.name,
        "version": version,
        "backend": backend.name,
        "accelerator_requested": accelerator,
        "accelerator_actual": description.accelerator_actual,
        "delegated_nodes": description.delegated_nodes,
        "total_nodes": description.total_nodes,
        "plan_summary": description.plan_summary,
    }
    # None: the runtime cannot tell where it ran (Core ML); recorded as unknown, not as fallback.
    actual = description.accelerator_actual
    if actual is not None and actual != accelerator and not backend_spec.get("allow_fallback"):
        raise RunFailure(
            "error",
            "ACCELERATOR_FALLBACK",
            f"requested {accelerator} but the runtime used "
            f"{description.accelerator_actual}; pass allow_fallback to accept it",
        )
    declared = {t["name"]: t for t in spec["inputs"]["tensors"]}
    model_inputs = {t.name: t for t in session.inputs()}
    if set(declared) != set(model_inputs):
        raise RunFailure(
            "error",
            "INPUT_MISMATCH",
            f"spec inputs {sorted(declared)} differ from the model's {sorted(model_inputs)}",
        )
    arrays = _inputs(spec["inputs"]["tensors"], spec["inputs"]["seed"])
    monitor = contention.Monitor(placement["cpus"])
    target_ci = spec["timing"].get("target_ci")
    try:
        call = session.bind(arrays)
        timing = measure.measure(
            call,
            warmup_iters=spec["timing"]["warmup_iters"],
            iters=spec["timing"]["iters"],
            max_total_s=spec["timing"].get("max_total_s"),
            progress_every=spec["timing"].get("progress_every", 0),
            on_progress=on_progress,
            timer=session.timer,
            synchronize=session.synchronize,
            monitor=monitor,
            target_ci=target_ci,
            max_iters=spec["timing"].get("max_iters", DEFAULT_MAX_ITERS),
        )
        used = memory.snapshot(rss_before_load, rss_after_load, session)
        profiled = _profiled_pass(spec, backend, session, model_path, accelerator, options, arrays)
    except Exception as exc:  # an inference error mid-loop is a status, not a traceback
        raise RunFailure("error", "INFERENCE_FAILED", f"{type(exc).__name__}: {exc}") from None
    finally:
        session.close()
    environment: dict[str, Any] = {"placement": placement, "contention": monitor.result()}
    if target_ci is not None:
        environment["precision"] = {"target_ci": target_ci, "ci_rel": timing.ci_rel}
    return {
        "runtime": runtime,
        "memory": used,
        **({"profile": profiled} if profiled is not None else {}),
        "model_sha256": digest,
        "stopped_by": timing.stopped_by,
        "environment": environment,
        "timing_ns": {
            "clock": session.clock_name or measure.CLOCK_NAME,
            "clock_resolution": timing.clock_resolution_ns,
            "loop_overhead": timing.loop_overhead_ns,
            "compile": session.compile_ns,
            "load": load_ns,
            "first_inference": timing.first_inference_ns,
            "warmup": {"count": timing.warmup_count, "total": timing.warmup_total_ns},
            "samples": timing.samples,
        },
    }


def _profiled_pass(
    spec: dict[str, Any],
    backend: Any,
    session: Any,
    model_path: Path,
    accelerator: str,
    options: dict[str, Any],
    arrays: dict[str, Any],
) -> dict[str, Any] | None:
    """The `profile` entry when the spec asks for one: after the timed loop, never inside it."""
    if spec.get("profile") is None:
        return None
    from benchctl.runner.backends.profile import DEFAULT_ITERATIONS, ProfileRequest, run_profile

    return run_profile(
        ProfileRequest(
            backend=backend,
            session=session,
            model_path=str(model_path),
            accelerator=accelerator,
            options=options,
            arrays=arrays,
            iterations=int(spec["profile"].get("iterations") or DEFAULT_ITERATIONS),
            workdir=model_path.parent,
        )
    )


def run_spec_file(spec_path: Path, on_progress: measure.ProgressFn | None = None) -> dict[str, Any]:
    """Read, validate and execute a spec file; write and return the result document."""
    started = _now()
    result: dict[str, Any] = {
        "schema": "benchctl.result",
        "version": contract.CONTRACT_VERSION,
        "run_id": "0" * 32,
        "status": "error",
        "error": None,
        "runner": runner_info(),
        "device": device_facts(),
    }
    out_path = spec_path.parent / "result.json"
    try:
        try:
            spec = contract.read(spec_path)
        except OSError as exc:
            raise RunFailure(
                "error", "SPEC_UNREADABLE", f"cannot read {spec_path}: {exc}"
            ) from None
        if isinstance(spec, dict) and isinstance(spec.get("run_id"), str):
            result["run_id"] = spec["run_id"]
        if isinstance(spec, dict) and spec.get("version") not in contract.SUPPORTED_VERSIONS:
            raise RunFailure(
                "unsupported_version",
                "UNSUPPORTED_CONTRACT_VERSION",
                f"spec version {spec.get('version')!r}; this runner speaks "
                f"{list(contract.SUPPORTED_VERSIONS)}",
            )
        try:
            contract.validate("spec", spec)
        except contract.ContractViolation as exc:
            raise RunFailure("error", "INVALID_SPEC", str(exc)) from None
        out_path = spec_path.parent / spec["output"]["result_path"]
        if out_path.resolve().parent != spec_path.parent.resolve():
            raise RunFailure(
                "error", "INVALID_SPEC", "output.result_path must stay in the spec's folder"
            )
        result["environment"] = {"before": thermal_snapshot()}
        measured = execute(spec, spec_path.parent, on_progress)
        result["environment"]["after"] = thermal_snapshot()
        result["environment"]["stopped_by"] = stopped_by = measured.pop("stopped_by")
        result["environment"].update(measured.pop("environment"))
        result.update(measured)
        done = len(result["timing_ns"]["samples"])
        complete = stopped_by in ("iters", "target_ci", "max_iters") or (
            # with a CI target, the time limit after the minimum is a stopping rule, not a failure
            spec["timing"].get("target_ci") is not None and done >= spec["timing"]["iters"]
        )
        result["status"] = "ok" if complete else "timeout"
        if result["status"] == "timeout":
            result["error"] = {
                "code": "MAX_TOTAL_TIME",
                "message": "max_total_s reached before all iterations ran",
            }
    except RunFailure as exc:
        result["status"] = exc.status
        result["error"] = {"code": exc.code, "message": str(exc)}
    except contract.ContractViolation as exc:
        result["error"] = {"code": "INVALID_SPEC", "message": str(exc)}
    except Exception as exc:  # the runner's last line of defence: report, never die silently
        result["error"] = {
            "code": "RUNNER_CRASHED",
            "message": "".join(traceback.format_exception_only(exc)).strip(),
        }
    result["started_at"] = started
    result["finished_at"] = _now()
    problem = _violation(result)
    if problem is not None and isinstance(result.get("profile"), dict):
        # A profile the schema refuses never costs the timed samples: keep them, say why.
        result["profile"] = {
            "profiler": str(result["profile"].get("profiler", "?")),
            "operators": [],
            "error": f"invalid profile: {problem}"[:2000],
        }
        problem = _violation(result)
    if problem is not None:
        # Never leave the host without a result: say why this one could not be written as measured.
        for key in ("timing_ns", "runtime", "model_sha256", "memory", "profile"):
            result.pop(key, None)
        result["status"] = "error"
        result["error"] = {"code": "INVALID_RESULT", "message": f"invalid result: {problem}"}
    contract.write_atomic(out_path, result)
    return result


def _violation(result: dict[str, Any]) -> str | None:
    try:
        contract.validate("result", result)
    except contract.ContractViolation as exc:
        return str(exc)
    return None


def stdout_progress(phase: str, done: int, total: int) -> None:
    sys.stdout.write(f"{PROGRESS_PREFIX} {phase} {done} {total}\n")
    sys.stdout.flush()
