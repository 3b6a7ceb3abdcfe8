"""The GPU check: benchctl's GPU runtimes on this machine's NVIDIA GPU, one JSON summary.

Run by `scripts/gpu_check.sh` (which installs benchctl from the working tree without downloading
anything). For mobileone_s0 and mobilenetv4_conv_small it runs torch-cuda and torch-cuda-graphs
through the real runner (its own process, CUDA-event samples, 1000 iterations), then times the
same call with a host clock around call + `torch.cuda.synchronize()` and checks the two medians
agree within 5 %. Then every other GPU runtime the runner reports available runs the first model
(200 iterations); those not installed are listed with the runner's reason. Exit status: 0 all
passed, 1 something failed, 2 no GPU here (the summary says why).

    python scripts/gpu_check.py [--iterations 1000] [--budget-s 420] [--cpu-dry-run]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

MODELS = ("mobileone_s0", "mobilenetv4_conv_small")
TORCH_RUNTIMES = ("torch-cuda", "torch-cuda-graphs")
AGREEMENT = 0.05
OTHER_ITERATIONS = 200
RUNNER_TIMEOUT_S = 240
# A desktop/Jetson NVIDIA GPU: CUDA, TensorRT, LiteRT's GPU delegate (Core ML's gpu is macOS's).
GPU_ACCELERATORS = {"cuda", "tensorrt", "gpu"}
CORE = ("torch", "timm", "numpy", "jsonschema", "onnx", "onnxscript", "onnxruntime", "sqlalchemy")


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def environment() -> dict[str, Any]:
    import torch

    env: dict[str, Any] = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "torch_cuda": torch.version.cuda,
        "missing_modules": [m for m in CORE if not _have(m)],
    }
    if torch.cuda.is_available():
        env["gpu"] = torch.cuda.get_device_name()
        env["capability"] = ".".join(map(str, torch.cuda.get_device_capability()))
    return env


def _spec(runtime_name: str, artifact: Any, iterations: int) -> dict[str, Any]:
    """The run's spec, built by benchctl's own run code (so it is what `benchctl run` sends)."""
    from benchctl.harness.run import RunRequest, _spec
    from benchctl.harness.runtimes import get_runtime

    req = RunRequest(
        model=artifact.model_name, runtime=runtime_name, iterations=iterations, warmup=50
    )
    return _spec(req, get_runtime(runtime_name), artifact, uuid.uuid4().hex)


def run_runner(runtime_name: str, artifact: Any, iterations: int, work: Path) -> dict[str, Any]:
    """One run through the real runner process; the result document."""
    from benchctl.runner import contract

    folder = work / f"{artifact.model_name}-{runtime_name}-{uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True)
    shutil.copy(artifact.path, folder / artifact.path.name)
    contract.write_atomic(folder / "spec.json", _spec(runtime_name, artifact, iterations))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "benchctl.runner", str(folder / "spec.json")],
            capture_output=True,
            text=True,
            timeout=RUNNER_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        message = f"the runner did not finish within {RUNNER_TIMEOUT_S} s"
        return {"status": "timeout", "error": {"code": "RUNNER_TIMEOUT", "message": message}}
    result = folder / "result.json"
    if not result.is_file():
        return {"status": "error", "error": {"code": "NO_RESULT", "message": done.stderr[-600:]}}
    return json.loads(result.read_text())


def host_clock_median_ns(artifact: Any, mode: str, iterations: int, device: str = "cuda") -> int:
    """The same session call timed by perf_counter_ns around call + cuda.synchronize()."""
    import numpy as np
    import torch

    from benchctl.runner.backends.torch import TorchBackend

    session = TorchBackend().load(str(artifact.path), device, {"mode": mode})
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    (spec,) = session.inputs()
    x = np.random.default_rng(0).standard_normal(spec.shape, dtype=np.float32)
    call = session.bind({spec.name: x})
    for _ in range(50):
        call()
    sync()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        t0 = clock()
        call()
        sync()
        samples.append(clock() - t0)
    session.close()
    return int(statistics.median(samples))


def summarize(result: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"status": result.get("status")}
    if result.get("error"):
        out["error"] = result["error"]
    timing = result.get("timing_ns") or {}
    if timing.get("samples"):
        out["median_ms"] = statistics.median(timing["samples"]) / 1e6
        out["samples"] = len(timing["samples"])
        out["clock"] = timing.get("clock")
        out["compile_ms"] = (timing.get("compile") or 0) / 1e6 or None
    runtime = result.get("runtime") or {}
    out["accelerator_actual"] = runtime.get("accelerator_actual")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--budget-s", type=float, default=420.0, help="stop starting new runs")
    parser.add_argument("--install", default="not recorded", help="how benchctl was installed")
    parser.add_argument(
        "--cpu-dry-run",
        action="store_true",
        help="no GPU: the same steps with the torch CPU runtime (checks the script, not a GPU)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    summary: dict[str, Any] = {"check": "benchctl gpu check", "install": args.install}
    try:
        import torch
    except ImportError:
        summary.update(ok=False, reason="torch is not installed: the check needs its CUDA build")
        print(json.dumps(summary, indent=2))
        return 2
    summary["environment"] = environment()
    if not torch.cuda.is_available() and not args.cpu_dry_run:
        from benchctl.harness.discovery import local_gpus

        _, why = local_gpus()
        summary.update(
            ok=False,
            reason=f"no NVIDIA GPU visible to CUDA (torch {torch.__version__}, "
            f"CUDA {torch.version.cuda}); nvidia-smi: {why or 'lists a GPU'}",
        )
        print(json.dumps(summary, indent=2))
        print(f"gpu_check: {summary['reason']}", file=sys.stderr)
        return 2
    missing = [m for m in ("timm", "jsonschema", "sqlalchemy") if not _have(m)]
    if missing:
        summary.update(ok=False, reason=f"benchctl needs {', '.join(missing)}: not installed here")
        print(json.dumps(summary, indent=2))
        return 1
    os.environ.setdefault("BENCHCTL_HOME", tempfile.mkdtemp(prefix="benchctl-gpu-check-"))
    from benchctl.harness.convert import ArtifactCache, get_artifact
    from benchctl.harness.runtimes import RUNTIMES, get_runtime
    from benchctl.runner.run import capabilities

    cache = ArtifactCache(Path(os.environ["BENCHCTL_HOME"]) / "artifacts")
    work = Path(os.environ["BENCHCTL_HOME"]) / "runs"
    ok = True
    models: dict[str, Any] = {}
    checked = ("torch",) if args.cpu_dry_run else TORCH_RUNTIMES
    summary["dry_run_on_cpu"] = args.cpu_dry_run
    for model in MODELS:
        artifact = get_artifact(model, "pt2", cache)
        models[model] = {}
        for runtime_name in checked:
            entry = summarize(run_runner(runtime_name, artifact, args.iterations, work))
            if entry["status"] == "ok":
                rt = get_runtime(runtime_name)
                host_ns = host_clock_median_ns(
                    artifact, rt.options["mode"], args.iterations, rt.accelerator
                )
                host_ms = host_ns / 1e6
                gap = abs(host_ms - entry["median_ms"]) / entry["median_ms"]
                entry.update(
                    host_clock_median_ms=host_ms,
                    difference_pct=round(100 * gap, 2),
                    within_5pct=gap <= AGREEMENT,
                )
                ok = ok and gap <= AGREEMENT and entry["accelerator_actual"] == rt.accelerator
            else:
                ok = False
            models[model][runtime_name] = entry
    summary["models"] = models
    caps = capabilities()
    by_backend = {r["backend"]: r for r in caps["runtimes"]}
    others: dict[str, Any] = {}
    not_installed: dict[str, str] = {}
    for name in RUNTIMES.names():
        runtime = RUNTIMES.get(name)
        gpu = runtime.accelerator in GPU_ACCELERATORS and runtime.backend != "coreml"
        if not gpu or name in TORCH_RUNTIMES:
            continue
        entry = by_backend.get(runtime.backend) or {}
        if not entry.get("available"):
            not_installed[name] = entry.get("reason_if_unavailable") or "no backend"
            continue
        if runtime.accelerator not in (entry.get("accelerators") or []):
            not_installed[name] = f"{runtime.backend} here has no {runtime.accelerator}"
            continue
        if time.monotonic() - started > args.budget_s or args.cpu_dry_run:
            why = "dry run on CPU" if args.cpu_dry_run else "the check's time budget ran out"
            others[name] = {"status": "not_run", "reason": why}
            continue
        try:
            artifact = get_artifact(MODELS[0], runtime.target, cache)
        except Exception as exc:  # a converter the image lacks (onnxscript, litert-torch…)
            others[name] = {"status": "conversion_failed", "error": f"{type(exc).__name__}: {exc}"}
            ok = False
            continue
        others[name] = summarize(run_runner(name, artifact, OTHER_ITERATIONS, work))
        ok = ok and others[name]["status"] == "ok"
    summary.update(
        other_runtimes=others,
        not_installed=not_installed,
        elapsed_s=round(time.monotonic() - started, 1),
        ok=ok,
    )
    print(json.dumps(summary, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
