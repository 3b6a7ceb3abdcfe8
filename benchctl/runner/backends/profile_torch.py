"""torch.profiler for the profiled pass: per graph node of the exported program, CPU or CUDA.

The `torch.export` module is a GraphModule whose nodes are the ATen calls of the forward pass.
An `fx.Interpreter` runs it node by node, each call_function node inside a `record_function`
range named after the node, under `torch.profiler.profile`; the profiler then gives each range's
time per iteration — CPU time of the range on the CPU, the CUDA time of the kernels launched
inside it on a GPU. The interpreter's own Python cost between nodes is outside every range: it is
the gap between the sum of operator times and the unprofiled median (scripts/bench_profile.py).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from benchctl.runner.backends.profile import WARMUP, ProfileRequest, median_ns, operator

PREFIX = "benchctl.node:"


def _op_type(target: Any) -> str:
    """aten.convolution.default → aten::convolution (the profiler's own spelling)."""
    name = getattr(target, "__name__", None) or str(target)
    text = str(target)
    if text.startswith("aten."):
        return "aten::" + text.split(".")[1]
    return name


def profile(req: ProfileRequest) -> dict[str, Any]:
    import torch
    from torch.fx import Interpreter
    from torch.profiler import ProfilerActivity, record_function

    module = req.session._module  # noqa: SLF001 — the timed session's exported GraphModule
    device = req.session._device  # noqa: SLF001
    graph = getattr(module, "graph", None)
    if graph is None:
        raise RuntimeError("the torch session holds no fx graph to profile by node")
    kinds = {n.name: _op_type(n.target) for n in graph.nodes if n.op == "call_function"}

    class Ranged(Interpreter):
        def run_node(self, n: Any) -> Any:
            if n.op != "call_function":
                return super().run_node(n)
            with record_function(PREFIX + n.name):
                return super().run_node(n)

    (array,) = req.arrays.values()
    x = torch.from_numpy(array).to(device)
    interp = Ranged(module)
    cuda = device == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    with torch.inference_mode():
        for _ in range(WARMUP):
            interp.run(x)
        sync()
        activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
        walls: list[float] = []
        with torch.profiler.profile(activities=activities) as prof:
            import time

            for _ in range(req.iterations):
                t0 = time.perf_counter_ns()
                interp.run(x)
                sync()
                walls.append(time.perf_counter_ns() - t0)
    times: dict[str, list[float]] = defaultdict(list)
    first: dict[str, float] = {}
    for event in prof.events():
        if not event.name.startswith(PREFIX):
            continue
        name = event.name.removeprefix(PREFIX)
        us = event.device_time_total if cuda else event.cpu_time_total
        times[name].append(float(us) * 1000)
        first.setdefault(name, event.time_range.start)
    unit = "cuda" if cuda else "cpu"
    operators = [
        operator(name, kinds.get(name, "?"), unit, times[name])
        for name in sorted(first, key=first.__getitem__)
    ]
    return {
        "profiler": f"torch.profiler ({'CPU+CUDA' if cuda else 'CPU'}) over fx nodes",
        "timed": True,
        "iterations": req.iterations,
        "wall_median_ns": median_ns(walls),
        "note": (
            "per exported-graph node; the fx interpreter's Python between nodes is not in any "
            "node, while each node's time includes the profiler's own record cost (on CPU the sum "
            "ran 17-28 % above the unprofiled median in scripts/bench_profile.py): read the shares"
            + (f"; wall spread {statistics.pstdev(walls) / 1e6:.3f} ms" if len(walls) > 1 else "")
        ),
        "operators": operators,
    }
