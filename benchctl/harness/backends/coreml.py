"""Core ML inside the Python runner, through coremltools' `MLModel.predict` — macOS only.

Compute units map to coremltools' `ComputeUnit` (all / cpuOnly / cpuAndGPU / cpuAndNeuralEngine).
Core ML never says where a prediction ran; on macOS 14.4+ the compute plan says where each
operation *may* run, which is reported as the plan summary. On Linux the backend refuses with
the reason (conversion works there; prediction does not). Not yet verified on a Mac.
"""

from __future__ import annotations

import importlib.metadata
import platform
from collections import Counter
from collections.abc import Callable
from typing import Any

from benchctl.harness.backends.base import (
    BackendUnavailable,
    Description,
    HostClockSession,
    TensorSpec,
)

COMPUTE_UNITS = {"all": "ALL", "cpu": "CPU_ONLY", "gpu": "CPU_AND_GPU", "ane": "CPU_AND_NE"}
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
        # Core ML picks devices per operation at run time and never says which it used: unknown.
        return Description(accelerator_actual=None, plan_summary=self._plan)

    def close(self) -> None:
        self._model = None


def compute_plan_summary(ct: Any, path: str, units: Any) -> dict[str, Any]:
    """Preferred device per operation from MLComputePlan (macOS 14.4+), counted by device."""
    try:
        from coremltools.models.compute_plan import MLComputePlan
    except ImportError:
        return {"compute_plan": "unavailable in this coremltools"}
    try:
        plan = MLComputePlan.load_from_path(path=path, compute_units=units)
    except Exception as exc:  # older macOS: the API exists but the OS cannot answer
        return {"compute_plan": f"unavailable: {exc}"}
    devices: Counter[str] = Counter()
    program = plan.model_structure.program
    for function in program.functions.values():
        for op in function.block.operations:
            usage = plan.get_compute_device_usage_for_mlprogram_operation(op)
            if usage is not None:
                devices[type(usage.preferred_compute_device).__name__] += 1
    return {"compute_plan": dict(devices)}


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
        return CoreMlSession(model, accelerator, compute_plan_summary(ct, model_path, units))
