"""onnxruntime's session profiler for the profiled pass: per node, its op type and provider.

Profiling is a session option, so a second session is made with the timed one's settings plus
`enable_profiling`; the JSON trace it writes (chrome-trace events) holds one `<node>_kernel_time`
event per node per run (`args.op_name`, `args.provider`, `dur` in µs — the trace's resolution)
and one `model_run` event per run. Nodes are the graph as ORT runs it, after its own fusions
(e.g. `FusedConv`), so names can differ from the exported ONNX graph's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchctl.runner.backends.profile import WARMUP, ProfileRequest, median_ns, operator

US = 1000  # the trace's `dur` and `ts` are microseconds


def parse_trace(events: list[dict[str, Any]], skip_runs: int) -> dict[str, Any]:
    """Per-node medians over the runs after the first `skip_runs` of an ORT profile trace."""
    runs = sorted(
        (e for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"),
        key=lambda e: e["ts"],
    )
    kept = runs[skip_runs:]
    if not kept:
        raise RuntimeError(f"the ORT profile holds {len(runs)} runs; none after the warm-up")
    windows = [(r["ts"], r["ts"] + r["dur"]) for r in kept]
    times: dict[str, list[float]] = defaultdict(list)
    meta: dict[str, tuple[str, str | None]] = {}
    order: dict[str, float] = {}
    for e in events:
        if e.get("cat") != "Node" or not str(e.get("name", "")).endswith("_kernel_time"):
            continue
        ts = e["ts"]
        if not any(lo <= ts <= hi for lo, hi in windows):
            continue
        name = e["name"].removesuffix("_kernel_time")
        args = e.get("args") or {}
        times[name].append(float(e["dur"]) * US)
        meta[name] = (str(args.get("op_name", "?")), args.get("provider"))
        order.setdefault(name, ts)
    operators = [
        operator(n, meta[n][0], _unit(meta[n][1]), times[n])
        for n in sorted(order, key=order.__getitem__)
    ]
    return {
        "operators": operators,
        "iterations": len(kept),
        "wall_median_ns": median_ns(r["dur"] * US for r in kept),
    }


def _unit(provider: str | None) -> str | None:
    """CPUExecutionProvider → cpu; the provider's name is kept in the note, not lost."""
    if provider is None:
        return None
    table = {
        "CPUExecutionProvider": "cpu",
        "CUDAExecutionProvider": "cuda",
        "TensorrtExecutionProvider": "tensorrt",
    }
    return table.get(provider, provider)


def profile(req: ProfileRequest) -> dict[str, Any]:
    prefix = req.workdir / "ort_profile"
    session = req.backend.load(
        req.model_path, req.accelerator, {**req.options, "profile_file_prefix": str(prefix)}
    )
    try:
        call = session.bind(req.arrays)
        for _ in range(WARMUP + req.iterations):
            call()
        path = Path(session._session.end_profiling())  # noqa: SLF001 — ORT's own session object
    finally:
        session.close()
    try:
        events = json.loads(path.read_text())
    finally:
        path.unlink(missing_ok=True)
    parsed = parse_trace(events, skip_runs=WARMUP)
    return {
        "profiler": "onnxruntime session profiling",
        "timed": True,
        "note": "node times from ORT's trace (1 µs resolution), after ORT's graph fusions",
        **parsed,
    }
