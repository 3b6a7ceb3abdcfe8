"""LiteRT placement for the profiled pass: delegate partitions and which operators each took.

ai-edge-litert's Python interpreter exposes no per-operator timing (its op profiler is reachable
only from C++ and `benchmark_model --enable_op_profiling`), so this reports placement only
(`timed: false`), plus the wall time of the profiled invokes. After delegation the graph lists
the original operators followed by one `DELEGATE` node per partition, whose inputs and outputs
are the partition's boundary tensors; a partition's operators are found by walking back from its
outputs through the producers until the boundary inputs (a partition is a convex subgraph).
Operators no partition took run on LiteRT's built-in CPU kernels.
"""

from __future__ import annotations

import time
from typing import Any

from benchctl.runner.backends.profile import ProfileRequest, median_ns

DELEGATE_UNIT = {"cpu": "xnnpack", "gpu": "gpu", "edgetpu": "edgetpu"}


def partitions(ops: list[dict[str, Any]]) -> list[set[int]]:
    """For each DELEGATE node, the indices of the original operators it replaced."""
    originals = [op for op in ops if op["op_name"] != "DELEGATE"]
    producer = {int(t): op["index"] for op in originals for t in op["outputs"] if t >= 0}
    inputs = {op["index"]: [int(t) for t in op["inputs"] if t >= 0] for op in originals}
    found = []
    for node in ops:
        if node["op_name"] != "DELEGATE":
            continue
        boundary = {int(t) for t in node["inputs"]}
        taken: set[int] = set()
        stack = [int(t) for t in node["outputs"] if t >= 0]
        while stack:
            tensor = stack.pop()
            if tensor in boundary or tensor not in producer:
                continue
            index = producer[tensor]
            if index in taken:
                continue
            taken.add(index)
            stack.extend(inputs[index])
        found.append(taken)
    return found


def placement(ops: list[dict[str, Any]], delegate_unit: str) -> tuple[list[dict], list[dict]]:
    """(operators with their unit, partitions) from `Interpreter._get_ops_details()`."""
    parts = partitions(ops)
    unit_of = {i: delegate_unit for part in parts for i in part}
    names = {op["index"]: f"{op['index']}:{op['op_name']}" for op in ops}
    operators = [
        {
            "name": names[op["index"]],
            "op_type": op["op_name"],
            "unit": unit_of.get(op["index"], "cpu"),
            "time_ns": None,
            "calls": None,
        }
        for op in ops
        if op["op_name"] != "DELEGATE"
    ]
    partition_docs = [
        {"unit": delegate_unit, "operators": [names[i] for i in sorted(part)]} for part in parts
    ]
    return operators, partition_docs


def profile(req: ProfileRequest) -> dict[str, Any]:
    it = req.session._it  # noqa: SLF001 — the timed session's interpreter, still allocated
    xnnpack = bool(req.options.get("xnnpack", True))
    unit = DELEGATE_UNIT.get(req.accelerator, req.accelerator)
    if req.accelerator == "cpu" and not xnnpack:
        unit = "delegate"  # none is applied; any DELEGATE node would be unexpected
    operators, parts = placement(it._get_ops_details(), unit)  # noqa: SLF001
    walls = []
    for _ in range(req.iterations):
        t0 = time.perf_counter_ns()
        it.invoke()
        walls.append(time.perf_counter_ns() - t0)
    return {
        "profiler": "litert placement (ai-edge-litert interpreter)",
        "timed": False,
        "iterations": req.iterations,
        "wall_median_ns": median_ns(walls),
        "note": (
            "placement only: ai-edge-litert's Python interpreter exposes no per-operator time "
            "(LiteRT's op profiler is reachable from benchmark_model --enable_op_profiling)"
        ),
        "operators": operators,
        "partitions": parts,
    }
