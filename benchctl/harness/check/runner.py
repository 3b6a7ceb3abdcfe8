"""Stages for devices that run benchctl's Python runner (ssh boards, this machine, its GPU/Coral).

`runner version` asks the runner for its capabilities and compares its version with this host's;
`tiny <runtime>` runs the tiny test model for a few iterations on every runtime the device has
(its configured runtimes, plus the GPU/Edge TPU runtimes its accelerator brings, skipped with
the runner's reason where not installed), through the same spec → runner → result path a run
takes, without gates or the results database; and
`accelerators` compares what the device's facts found (nvidia-smi, USB Corals) with what the
runtimes can use.
"""

from __future__ import annotations

import posixpath
import tempfile
import uuid
from pathlib import Path
from typing import Any

from benchctl import __version__
from benchctl.errors import BenchError, RunnerError, TransportError
from benchctl.harness.check import STEP_TIMEOUT_S, CheckContext, Stage
from benchctl.harness.devices import Device

TINY_MODEL = "test_mobileone"
TINY_RUN_TIMEOUT_S = 300.0  # a TensorRT engine build on a small board takes minutes


# What an attached accelerator adds to a device's own runtimes list (each tried when the
# runner reports its backend; skipped, with the runner's reason, when not).
ACCELERATOR_RUNTIMES = {
    "cuda": (
        "torch-cuda",
        "torch-cuda-graphs",
        "onnxruntime-cuda",
        "onnxruntime-trt",
        "tensorrt",
        "tensorrt-fp16",
        "litert-gpu",
    ),
    "edgetpu": ("edgetpu",),
}


def tiny_runtime_names(device: Device) -> list[str]:
    """The device's runtimes, then those its accelerator brings (in that order, no repeats)."""
    extra = ACCELERATOR_RUNTIMES.get(device.accelerator or "", ())
    return list(dict.fromkeys([*device.runtimes, *extra]))


def stages(device: Device) -> list[Stage]:
    """`runner version`, one `tiny <runtime>` per runtime the device has, `accelerators`."""
    configured = set(device.runtimes)
    tiny = [
        Stage(f"tiny {name}", _tiny_stage(name, required_here=name in configured))
        for name in tiny_runtime_names(device)
    ]
    return [
        Stage("runner version", runner_version, required=True),
        *tiny,
        Stage("accelerators", accelerators),
    ]


def runner_version(ctx: CheckContext) -> None:
    from benchctl.harness.lifecycle import runner_capabilities

    try:
        caps = runner_capabilities(ctx.transport)
    except (RunnerError, TransportError) as exc:
        mode = ctx.device.options.get("runner", "push")
        fix = (
            "on the device: python3 -m pip install numpy jsonschema onnxruntime "
            "(benchctl pushes the runner itself)"
            if mode == "push"
            else f"on the device: pip install benchctl=={__version__}"
        )
        ctx.fail(str(exc), fix)
    ctx.attach("capabilities.json", caps)
    ctx.state["capabilities"] = caps
    runner = caps["runner"]
    detail = (
        f"{runner['name']} {runner['version']}, Python {caps['device'].get('python', '?')}, "
        f"contract {runner['contract_versions']}"
    )
    if runner["version"] != __version__:
        ctx.fail(
            f"{detail}; this host is benchctl {__version__}",
            f"on the device: pip install benchctl=={__version__} (or set runner = 'push')",
        )
    ctx.ok(detail)


def _tiny_stage(name: str, *, required_here: bool) -> Any:
    def stage(ctx: CheckContext) -> None:
        _tiny_one(ctx, name, required_here)

    return stage


def _tiny_one(ctx: CheckContext, name: str, configured: bool) -> None:
    """A configured runtime that cannot run fails; one the accelerator brings is skipped."""
    from benchctl.harness.runtimes import get_runtime

    try:
        runtime = get_runtime(name)
    except BenchError as exc:
        ctx.fail(str(exc), "fix the device's runtimes list")
    by_backend = {r["backend"]: r for r in ctx.state["capabilities"]["runtimes"]}
    entry = by_backend.get(runtime.backend)
    missing = None
    if entry is None or not entry["available"]:
        missing = entry["reason_if_unavailable"] if entry else f"no {runtime.backend} backend"
    elif runtime.accelerator not in (entry.get("accelerators") or []):
        missing = f"{runtime.backend} here has no {runtime.accelerator} accelerator"
    if missing is not None:
        if configured:
            ctx.fail(f"{runtime.backend}: {missing}", "install what the message names")
        ctx.skip(f"not installed: {missing}")
        return
    result = run_tiny(ctx, name)
    if result["status"] != "ok":
        err = result.get("error") or {}
        ctx.fail(f"{result['status']} {err.get('code')}: {err.get('message')}", "see the message")
    samples = sorted(result["timing_ns"]["samples"])
    median_ms = samples[len(samples) // 2] / 1e6
    actual = result["runtime"]["accelerator_actual"]
    ctx.ok(
        f"{len(samples)} iterations, median {median_ms:.3f} ms on {actual}",
        median_ms=median_ms,
        accelerator_actual=actual,
        clock=result["timing_ns"]["clock"],
    )


def run_tiny(ctx: CheckContext, runtime_name: str) -> dict[str, Any]:
    """The tiny model on one runtime through the device's runner; the validated result."""
    from benchctl import config
    from benchctl.harness.collect import check_result
    from benchctl.harness.convert import ArtifactCache, get_artifact
    from benchctl.harness.run import RunRequest, build_spec
    from benchctl.harness.runtimes import get_runtime
    from benchctl.runner import contract

    runtime = get_runtime(runtime_name)
    artifact = get_artifact(TINY_MODEL, runtime.target, ArtifactCache(config.artifacts_dir()))
    run_id = uuid.uuid4().hex
    req = RunRequest(
        model=TINY_MODEL,
        runtime=runtime_name,
        iterations=ctx.tiny_iterations,
        warmup=2,
        max_total_s=TINY_RUN_TIMEOUT_S,
    )
    spec = build_spec(req, runtime, artifact, run_id)
    remote = ctx.transport.workdir(f"check-{run_id}")
    try:
        with tempfile.TemporaryDirectory(prefix="benchctl-check-") as tmp:
            spec_path = Path(tmp) / "spec.json"
            contract.write_atomic(spec_path, spec)
            ctx.transport.push(
                artifact.path, posixpath.join(remote, artifact.path.name), timeout=STEP_TIMEOUT_S
            )
            spec_remote = posixpath.join(remote, "spec.json")
            ctx.transport.push(spec_path, spec_remote, timeout=STEP_TIMEOUT_S)
            done = ctx.transport.run(
                [*ctx.transport.runner_argv(), spec_remote], timeout=TINY_RUN_TIMEOUT_S + 60
            )
            result_remote = posixpath.join(remote, "result.json")
            if done.timed_out or not ctx.transport.exists(result_remote):
                tail = (done.stderr_tail or done.stdout_tail).strip()[-800:]
                ctx.attach(f"tiny_{runtime_name}_stderr.txt", tail)
                raise RunnerError(
                    f"the runner left no result (exit {done.returncode}): {tail[-300:]}",
                    code="RUNNER_NO_RESULT",
                )
            local = Path(tmp) / "result.json"
            ctx.transport.pull(result_remote, local, timeout=STEP_TIMEOUT_S)
            raw = contract.read(local)
            ctx.attach(f"tiny_{runtime_name}_result.json", _without_samples(raw))
            try:
                return check_result(raw, spec)
            except (contract.ContractViolation, ValueError) as exc:
                raise RunnerError(f"invalid result: {exc}", code="INVALID_RESULT") from None
    finally:
        try:
            ctx.transport.cleanup(remote)
        except TransportError as exc:
            ctx.attach(f"tiny_{runtime_name}_cleanup.txt", str(exc))


def _without_samples(doc: dict[str, Any]) -> dict[str, Any]:
    timing = dict(doc.get("timing_ns") or {})
    if "samples" in timing:
        timing["samples"] = f"{len(timing['samples'])} samples"
    return {**doc, "timing_ns": timing} if timing else doc


def accelerators(ctx: CheckContext) -> None:
    """GPUs and Corals the device's facts found, against what the runtimes can use."""
    facts, caps = ctx.facts, ctx.state.get("capabilities") or {"runtimes": []}
    gpus = [g["name"] for g in facts.get("gpus") or []]
    corals = facts.get("corals") or []
    usable = {r["backend"]: r.get("accelerators") or [] for r in caps["runtimes"] if r["available"]}
    gpu_runtimes = sorted(b for b, accs in usable.items() if {"cuda", "tensorrt"} & set(accs))
    tpu_runtimes = sorted(b for b, accs in usable.items() if "edgetpu" in accs)
    found = (
        f"GPUs: {', '.join(gpus) or 'none'}; Corals: {len(corals)}; "
        f"CUDA runtimes: {', '.join(gpu_runtimes) or 'none'}; "
        f"Edge TPU runtimes: {', '.join(tpu_runtimes) or 'none'}"
    )
    data = {"gpus": gpus, "corals": corals, "usable": usable}
    problem = facts.get("gpu_error") or facts.get("accelerator_problem")
    if problem and not (gpus or corals):
        found = f"{found} ({problem})"
    if ctx.device.accelerator == "cuda" and not gpus:
        ctx.fail(
            found,
            "install the NVIDIA driver (nvidia-smi must list the GPU)",
            **data,
        )
    if ctx.device.accelerator == "edgetpu" and not corals:
        ctx.fail(
            found,
            "plug the Coral in (USB ids 1a6e:089a or 18d1:9302) and install libedgetpu1-std",
            **data,
        )
    if facts.get("gpu_error"):
        ctx.warn(f"{found}; {facts['gpu_error']}", "reinstall or reload the NVIDIA driver", **data)
        return
    if gpus and not gpu_runtimes:
        ctx.warn(
            found,
            "no runtime can use the GPU: install a CUDA build of torch or onnxruntime-gpu",
            **data,
        )
        return
    if corals and not tpu_runtimes:
        ctx.warn(
            found,
            "the Coral is plugged in but no runtime loads libedgetpu (missing, or it crashed: "
            "see the capabilities in the bundle and docs/runtimes.md, Edge TPU)",
            **data,
        )
        return
    slow = [c for c in corals if c.get("speed_mbps") and c["speed_mbps"] < 5000]
    if slow:
        ctx.warn(f"{found}; a Coral is on a USB 2 port", "move it to a USB 3 port", **data)
        return
    ctx.ok(found, **data)
