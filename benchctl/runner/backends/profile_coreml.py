"""Core ML for the profiled pass: the compute plan's per-operation device and estimated cost.

`MLComputePlan` (macOS 14.4+, coremltools ≥ 8) gives, per ML Program operation, the preferred
compute device and the devices it could run on, and an estimated relative cost (a weight in
[0, 1] over the program). Core ML reports no per-operation time, so operators carry no
`time_ns`; the estimated cost is kept as `cost`. Not yet verified on a Mac.
"""

from __future__ import annotations

import time
from typing import Any

from benchctl.runner.backends.profile import ProfileRequest, median_ns

DEVICE_UNIT = {
    "MLCPUComputeDevice": "cpu",
    "MLGPUComputeDevice": "gpu",
    "MLNeuralEngineComputeDevice": "ane",
}


def plan_operators(plan: Any) -> list[dict[str, Any]]:
    """One entry per ML Program operation: name (its first output), type, device, cost."""
    operators = []
    for function in plan.model_structure.program.functions.values():
        for op in function.block.operations:
            usage = plan.get_compute_device_usage_for_mlprogram_operation(op)
            cost = plan.get_estimated_cost_for_mlprogram_operation(op)
            device = None
            if usage is not None:
                kind = type(usage.preferred_compute_device).__name__
                device = DEVICE_UNIT.get(kind, kind)
            outputs = getattr(op, "outputs", None) or []
            name = outputs[0].name if outputs else op.operator_name
            operators.append(
                {
                    "name": str(name),
                    "op_type": str(op.operator_name),
                    "unit": device,
                    "time_ns": None,
                    "calls": None,
                    "cost": None if cost is None else float(cost.weight),
                }
            )
    return operators


def profile(req: ProfileRequest) -> dict[str, Any]:
    import coremltools as ct
    from coremltools.models.compute_plan import MLComputePlan

    from benchctl.runner.backends.coreml import COMPUTE_UNITS

    units = getattr(ct.ComputeUnit, COMPUTE_UNITS[req.accelerator])
    plan = MLComputePlan.load_from_path(path=req.model_path, compute_units=units)
    call = req.session.bind(req.arrays)
    walls = []
    for _ in range(req.iterations):
        t0 = time.perf_counter_ns()
        call()
        walls.append(time.perf_counter_ns() - t0)
    return {
        "profiler": "coreml MLComputePlan",
        "timed": False,
        "iterations": req.iterations,
        "wall_median_ns": median_ns(walls),
        "note": (
            "placement and estimated relative cost only: Core ML reports no per-operation time; "
            "not yet verified on a Mac"
        ),
        "operators": plan_operators(plan),
    }
