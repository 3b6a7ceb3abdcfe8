"""Host side of a finished run: validate the pulled result and assemble the `RunRecord`.

Nothing in a result document is trusted before it passes the JSON Schema and the cross-checks
here (run id, model hash, sample count, backend, accelerator, warm-up); the summary is
recomputed from the samples by the store. `build_record` is the one place a run's record is
made: from the plan, the harness's facts, the artifact and the device's outcome (or the failure
that came before the device was reached).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from benchctl.errors import ContractError
from benchctl.results.record import RunRecord
from benchctl.runner import contract
from benchctl.runner.contract import codes

if TYPE_CHECKING:
    from benchctl.harness.convert.cache import Artifact
    from benchctl.harness.lifecycle import DeviceOutcome
    from benchctl.harness.run import RunPlan


@dataclass(frozen=True)
class Failure:
    """Why a run has no usable result: its row's error code, message and status."""

    code: str
    message: str
    status: str = "error"


def harness_facts() -> dict[str, Any]:
    """This harness and host as a record states them (read once, as a run starts)."""
    from benchctl import __version__
    from benchctl.harness.environment import (
        harness_git_dirty,
        harness_git_sha,
        host_facts,
        library_versions,
    )

    return {
        "harness_version": __version__,
        "harness_git_sha": harness_git_sha(),
        "versions": {**library_versions(), "benchctl_git_dirty": harness_git_dirty()},
        "host": host_facts(),
    }


def build_record(
    plan: RunPlan,
    *,
    run_id: str,
    created_at: datetime,
    harness: dict[str, Any],
    artifact: Artifact | None = None,
    spec: dict[str, Any] | None = None,
    device: DeviceOutcome | None = None,
    failure: Failure | None = None,
) -> RunRecord:
    """The record of one run.

    `harness` is `harness_facts()`; `spec` the spec as built (the device's outcome carries it as
    pushed); `failure` what stopped the run before or around the device (unreachable, conversion
    failed, a harness error), else the device's outcome says what came of it.
    """
    req, runtime = plan.request, plan.runtime
    fields: dict[str, Any] = {
        "run_id": run_id,
        "created_at": created_at,
        "status": "error",
        "model_name": plan.model.name,
        "artifact_format": runtime.artifact_format,
        "precision": plan.precision,
        "runtime": runtime.name,
        "backend": runtime.backend,
        "accelerator_requested": runtime.accelerator,
        "device_name": plan.device.name,
        "device_class": plan.device.hardware_class(),
        "input_shape": plan.input_shape,
        "threads": req.threads,
        "iterations_requested": req.iterations,
        "warmup_iters": req.warmup,
        "model_source_hash": plan.source_hash(),
        "cpus": sorted(req.cpus) if req.cpus else None,
        "artifact": artifact.to_json() if artifact is not None else None,
        "spec": spec,
        **harness,
    }
    if device is not None:
        if device.hardware_class is not None:
            fields["device_class"] = device.hardware_class
        if device.spec is not None:
            fields["spec"] = device.spec
        if device.result is not None:
            fields.update(result_fields(device.result, fields["versions"]))
        if device.host_env:
            fields["environment"] = {**(fields.get("environment") or {}), "host": device.host_env}
        failure = failure or device.failure
    if failure is not None:
        fields.update(status=failure.status, error_code=failure.code, error_message=failure.message)
    message = fields.get("error_message")
    if device is not None and device.device_log is not None and message:
        if "device log" not in message:
            fields["error_message"] = f"{message} (device log: {device.device_log})"
    return RunRecord(**fields)


def result_fields(result: dict[str, Any], versions: dict[str, Any]) -> dict[str, Any]:
    """The record's fields a validated result document gives (`versions`: the record's so far,
    to which the runner's are added). Used by `build_record` and by `results import`."""
    error = result["error"]
    runtime = result.get("runtime") or {}
    timing = result.get("timing_ns") or {}
    memory = result.get("memory") or {}
    return {
        "status": result["status"],
        # an older app's code name is read as today's
        "error_code": codes.canonical(error["code"]) if error else None,
        "error_message": error["message"] if error else None,
        "accelerator_actual": runtime.get("accelerator_actual"),
        "runtime_version": runtime.get("version"),
        "versions": {
            **versions,
            f"runner:{runtime.get('name', '?')}": runtime.get("version"),
            "runner": result["runner"]["version"],
        },
        "device_facts": result.get("device"),
        "environment": result.get("environment"),
        "load_ns": timing.get("load"),
        "first_inference_ns": timing.get("first_inference"),
        "warmup_total_ns": (timing.get("warmup") or {}).get("total"),
        "clock": timing.get("clock"),
        "clock_resolution_ns": timing.get("clock_resolution"),
        "loop_overhead_ns": timing.get("loop_overhead"),
        "samples": list(timing.get("samples") or []),
        "started_at": parse_time(result.get("started_at")),
        "finished_at": parse_time(result.get("finished_at")),
        "result": without_samples(result),
        "rss_after_load_bytes": memory.get("rss_after_load_bytes"),
        "peak_rss_bytes": memory.get("peak_rss_bytes"),
        "device_peak_bytes": memory.get("device_peak_bytes"),
        "profile": result.get("profile") if result["status"] == "ok" else None,
    }


def check_result(doc: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """Return the result document if it is valid for this spec, else raise ContractError."""
    try:
        contract.validate("result", doc)
    except contract.ContractViolation as exc:
        raise ContractError(str(exc)) from None
    if doc["run_id"] != spec["run_id"]:
        raise ContractError(f"result is for run {doc['run_id']}, expected {spec['run_id']}")
    _check_beyond_schema(doc)
    if doc["status"] == "ok":
        if doc["model_sha256"] != spec["model"]["sha256"]:
            raise ContractError("result ran a model whose sha256 differs from the spec's")
        n, want = len(doc["timing_ns"]["samples"]), spec["timing"]["iters"]
        if spec["timing"].get("target_ci") is not None:  # a CI target: at least `iters`
            most = spec["timing"].get("max_iters", 10_000_000)
            if not want <= n <= most:
                raise ContractError(
                    f"result says ok with {n} samples; the spec asked for {want} to {most}"
                )
        elif n != want:
            raise ContractError(f"result says ok with {n} samples; the spec asked for {want}")
        _check_ran_what_was_asked(doc, spec)
    return doc


def _check_ran_what_was_asked(doc: dict[str, Any], spec: dict[str, Any]) -> None:
    """An ok result must come from the requested backend and accelerator: a runner (or an app)
    that fell back silently must not land its numbers in the requested series."""
    asked, ran = spec["backend"], doc["runtime"]
    if ran["backend"] != asked["name"]:
        raise ContractError(
            f"result ran backend {ran['backend']!r}; the spec asked for {asked['name']!r}"
        )
    if ran["accelerator_requested"] != asked["accelerator"]:
        raise ContractError(
            f"result requested accelerator {ran['accelerator_requested']!r}; "
            f"the spec asked for {asked['accelerator']!r}"
        )
    actual = ran["accelerator_actual"]
    if actual is not None and actual != asked["accelerator"] and not asked.get("allow_fallback"):
        raise ContractError(
            f"result ran on {actual!r} instead of {asked['accelerator']!r} and "
            "the spec did not allow fallback"
        )
    warmup = doc["timing_ns"]["warmup"]["count"]
    if warmup != spec["timing"]["warmup_iters"]:
        raise ContractError(
            f"result warmed up {warmup} times; the spec asked for {spec['timing']['warmup_iters']}"
        )


# What the JSON Schema cannot say (or says only when optional format checkers are installed).
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_INT64_MAX = 2**63 - 1


def _check_beyond_schema(doc: dict[str, Any]) -> None:
    if doc["version"] not in contract.SUPPORTED_VERSIONS:
        raise ContractError(
            f"result is contract version {doc['version']}; this benchctl reads "
            f"{list(contract.SUPPORTED_VERSIONS)}: upgrade benchctl on the host"
        )
    for name in ("started_at", "finished_at"):
        value = doc[name]
        try:
            ok = bool(_RFC3339.match(value)) and parse_time(value) is not None
        except ValueError:
            ok = False
        if not ok:
            raise ContractError(f"result {name} {value[:40]!r} is not an RFC 3339 date-time")
    stack: list[Any] = [doc]
    while stack:  # no integer may overflow the database's 64-bit columns
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > _INT64_MAX:
            raise ContractError(f"result holds the integer {str(node)[:30]}…, beyond 64 bits")


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def without_samples(doc: dict[str, Any]) -> dict[str, Any]:
    """The result document minus its samples (they are stored once, compressed, elsewhere) and
    its profile's operators and partitions (stored once, in the profiles tables)."""
    out = dict(doc)
    if isinstance(out.get("timing_ns"), dict):
        out["timing_ns"] = {k: v for k, v in out["timing_ns"].items() if k != "samples"}
    if isinstance(out.get("profile"), dict):
        out["profile"] = {
            k: v for k, v in out["profile"].items() if k not in ("operators", "partitions")
        }
    return out
