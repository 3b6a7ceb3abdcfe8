"""Core ML inside the Python runner, through coremltools' `MLModel.predict` — macOS only.

Compute units map to coremltools' `ComputeUnit` (all / cpuOnly / cpuAndGPU / cpuAndNeuralEngine).
Core ML never says where a prediction ran; on macOS 14.4+ its compute plan says where each
operation is planned to run. The plan is read from the *compiled* model (coremltools 9.0:
`MLComputePlan.load_from_path(model.get_compiled_model_path(), compute_units)`, G7), for ML
programs (every operation of every function, nested blocks included) and neural networks (every
layer). Each operation's preferred and supported devices and estimated cost are stored with the
run (`runtime.plan_summary.operations_detail`), with the share of operations per device (G13):
an `ane`/`gpu` run is reported as run on that unit when it got any operation, and flagged by the
host (ACCELERATOR-SHARE-LOW) when its share is below SHARE_FLOOR; only a unit that got nothing is
a fallback. The keys are those the iOS app writes (ios_app/App/ComputePlanSummary.swift). The
plan is Core ML's intent, not a measurement. On Linux the backend refuses with the reason
(conversion works there; prediction does not). Not yet verified on a Mac.
"""

from __future__ import annotations

import importlib.metadata
import platform
from collections import Counter
from collections.abc import Callable
from typing import Any

from benchctl.runner.backends.base import (
    BackendUnavailable,
    Description,
    HostClockSession,
    TensorSpec,
)

COMPUTE_UNITS = {"all": "ALL", "cpu": "CPU_ONLY", "gpu": "CPU_AND_GPU", "ane": "CPU_AND_NE"}
# The device MLComputePlan names for each accelerator, and the class coremltools uses for it.
PLAN_DEVICE = {"cpu": "cpu", "gpu": "gpu", "ane": "neural_engine"}
DEVICE_CLASSES = {
    "MLCPUComputeDevice": "cpu",
    "MLGPUComputeDevice": "gpu",
    "MLNeuralEngineComputeDevice": "neural_engine",
}
# Below this share of planned operations on the requested unit a run is flagged: Core ML often
# keeps a few boundary operations (input casts, the last reshape) on the CPU, which is normal.
SHARE_FLOOR = 0.9
PLAN_SOURCE = "MLComputePlan (planned, not measured)"
NEEDS_MACOS = (
    "Core ML prediction needs macOS (coremltools predicts only there); run this on a "
    "Mac, or on an iPhone through the iOS app"
)


def _ct():
    try:
        import coremltools
    except ImportError as exc:
        raise BackendUnavailable(
            "coremltools is not installed; run: pip install 'benchctl[coreml]'"
        ) from exc
    return coremltools


class CoreMlSession(HostClockSession):
    def __init__(self, model: Any, accelerator: str, plan: dict[str, Any]) -> None:
        self._model = model
        self._accelerator = accelerator
        self._plan = plan

    def inputs(self) -> list[TensorSpec]:
        spec = self._model.get_spec()
        return [
            TensorSpec(i.name, [int(d) for d in i.type.multiArrayType.shape], "float32")
            for i in spec.description.input
        ]

    def bind(self, arrays: dict[str, Any]) -> Callable[[], object]:
        predict, feeds = self._model.predict, dict(arrays)
        return lambda: predict(feeds)

    def describe(self) -> Description:
        # Core ML never says which device ran an operation; the compute plan says where each is
        # planned to go. Without a plan the unit is unknown (None), never a silent fallback.
        actual, on_unit, total = placement_from_plan(self._plan, self._accelerator)
        return Description(
            accelerator_actual=actual,
            delegated_nodes=on_unit,
            total_nodes=total,
            plan_summary=self._plan,
        )

    def close(self) -> None:
        self._model = None


def _device(device: Any) -> str:
    name = type(device).__name__
    return DEVICE_CLASSES.get(name, name)


def _usage_row(usage: Any, cost: Any, **where: Any) -> dict[str, Any]:
    return {
        **where,
        "preferred": _device(usage.preferred_compute_device) if usage is not None else None,
        "supported": [_device(d) for d in usage.supported_compute_devices] if usage else [],
        "cost": float(cost.weight) if cost is not None else None,
    }


def _program_rows(plan: Any, block: Any, function: str, rows: list[dict[str, Any]]) -> None:
    for op in block.operations:
        rows.append(
            _usage_row(
                plan.get_compute_device_usage_for_mlprogram_operation(op),
                plan.get_estimated_cost_for_mlprogram_operation(op),
                function=function,
                op=op.operator_name,
                outputs=[o.name for o in op.outputs],
            )
        )
        for inner in op.blocks:
            _program_rows(plan, inner, function, rows)


def read_compute_plan(model: Any, units: Any) -> tuple[str, list[dict[str, Any]]]:
    """(structure, one row per operation) from the compiled model's MLComputePlan.

    Raises what coremltools raises (no plan before macOS 14.4, or no compiled model)."""
    from coremltools.models.compute_plan import MLComputePlan

    compiled = model.get_compiled_model_path()  # the .mlmodelc; a .mlpackage is refused (G7)
    plan = MLComputePlan.load_from_path(path=compiled, compute_units=units)
    structure = plan.model_structure
    rows: list[dict[str, Any]] = []
    if structure.program is not None:
        for name, function in structure.program.functions.items():
            _program_rows(plan, function.block, name, rows)
        return "program", rows
    if structure.neuralnetwork is not None:
        for layer in structure.neuralnetwork.layers:
            usage = plan.get_compute_device_usage_for_neuralnetwork_layer(layer)
            rows.append(_usage_row(usage, None, op=layer.type, name=layer.name))
        return "neural_network", rows
    if structure.pipeline is not None:
        return "pipeline", rows  # sub-models are not broken down (as in the iOS app)
    return "unsupported", rows


def summarize_plan(structure: str, rows: list[dict[str, Any]], accelerator: str) -> dict[str, Any]:
    """Counts and shares per preferred device; operations with no device (constants) are
    listed but not counted. `requested_share`/`below_floor` only for `ane` and `gpu`."""
    placed = [r for r in rows if r["preferred"] is not None]
    by_device = Counter(r["preferred"] for r in placed)
    cost: Counter[str] = Counter()
    for r in placed:
        if r["cost"] is not None:
            cost[r["preferred"]] += r["cost"]
    total = len(placed)
    summary: dict[str, Any] = {
        "source": PLAN_SOURCE,
        "structure": structure,
        "operations": total,
        "preferred_device": dict(by_device),
        "share": {d: round(n / total, 4) for d, n in by_device.items()} if total else {},
        "estimated_cost": {d: round(w, 6) for d, w in cost.items()},
        "operations_detail": rows,
    }
    if accelerator in ("ane", "gpu") and total:
        share = by_device.get(PLAN_DEVICE[accelerator], 0) / total
        summary.update(
            requested_share=round(share, 4),
            share_floor=SHARE_FLOOR,
            below_floor=share < SHARE_FLOOR,
        )
    return summary


def placement_from_plan(
    plan: dict[str, Any], accelerator: str
) -> tuple[str | None, int | None, int | None]:
    """(accelerator_actual, operations on the requested unit, operations with a device).

    cpu is Core ML's guarantee (CPU_ONLY). ane/gpu: the unit when the plan gives it any
    operation (its share is in the plan; a low share is flagged, not failed), `cpu` when it
    gives it none (a fallback), None when there is no plan. all: whatever Core ML chose."""
    if accelerator == "cpu":
        return "cpu", None, None
    total = plan.get("operations")
    if not isinstance(total, int) or total == 0:
        return None, None, None
    if accelerator == "all":
        return "all", None, total
    on_unit = plan["preferred_device"].get(PLAN_DEVICE[accelerator], 0)
    return (accelerator if on_unit else "cpu"), on_unit, total


def compute_plan_summary(model: Any, units: Any, accelerator: str) -> dict[str, Any]:
    """The plan summary stored with the run, or why there is none (never raises)."""
    try:
        structure, rows = read_compute_plan(model, units)
    except ImportError:
        return {"compute_plan": "unavailable in this coremltools"}
    except Exception as exc:  # older macOS: the API exists but the OS cannot answer
        return {"compute_plan": f"unavailable: {type(exc).__name__}: {exc}"}
    return summarize_plan(structure, rows, accelerator)


class CoreMlBackend:
    name = "coreml"
    formats = ("mlpackage",)
    accelerators = tuple(COMPUTE_UNITS)

    def version(self) -> str:
        try:  # read from metadata: importing coremltools off macOS only prints warnings
            return importlib.metadata.version("coremltools")
        except importlib.metadata.PackageNotFoundError:
            raise BackendUnavailable(
                "coremltools is not installed; run: pip install 'benchctl[coreml]'"
            ) from None

    def available_accelerators(self) -> list[str]:
        if platform.system() != "Darwin":
            raise BackendUnavailable(NEEDS_MACOS)
        _ct()
        return list(COMPUTE_UNITS)

    def load(self, model_path: str, accelerator: str, options: dict[str, Any]) -> CoreMlSession:
        if platform.system() != "Darwin":
            raise BackendUnavailable(NEEDS_MACOS)
        ct = _ct()
        if accelerator not in COMPUTE_UNITS:
            raise ValueError(
                f"Core ML compute units are {sorted(COMPUTE_UNITS)}; got {accelerator}"
            )
        units = getattr(ct.ComputeUnit, COMPUTE_UNITS[accelerator])
        model = ct.models.MLModel(model_path, compute_units=units)
        return CoreMlSession(model, accelerator, compute_plan_summary(model, units, accelerator))
