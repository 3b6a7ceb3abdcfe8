"""TensorRT for the profiled pass: IProfiler per layer, and the engine inspector's layer list.

A second execution context of the timed engine gets an `IProfiler` (called once per layer for
each `execute_async_v3`, after the stream completes — TensorRT's documented behaviour since 8.5)
and runs the same bound tensors. The engine inspector (`IEngineInspector`, JSON format) names the
layers and, for engines built with `ProfilingVerbosity.DETAILED`, their layer types; benchctl
builds with the default verbosity, so a layer's type is read from its name (TensorRT names a
fused layer after the ONNX nodes it fused: "/stem/conv/Conv + /stem/act/Relu" → Conv).

Not yet verified on hardware: TensorRT cannot be installed on the machines this was written on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from benchctl.runner.backends.profile import WARMUP, ProfileRequest, median_ns, operator


def op_type_from_name(name: str) -> str:
    """The op of the first ONNX node a TensorRT layer fused, from the layer's name."""
    first = name.split(" + ")[0].strip()
    tail = first.rsplit("/", 1)[-1]
    return tail.split("_")[0] or first or "?"


def inspector_layers(info: dict[str, Any]) -> dict[str, str]:
    """layer name → layer type from `get_engine_information` JSON (types only when DETAILED)."""
    out: dict[str, str] = {}
    for layer in info.get("Layers", []):
        if isinstance(layer, dict):
            name = str(layer.get("Name", "?"))
            out[name] = str(layer.get("LayerType") or op_type_from_name(name))
        else:
            out[str(layer)] = op_type_from_name(str(layer))
    return out


def profile(req: ProfileRequest) -> dict[str, Any]:
    import tensorrt as trt

    session = req.session
    engine, torch = session._engine, session._torch  # noqa: SLF001 — the timed session's engine
    times: dict[str, list[float]] = defaultdict(list)
    order: list[str] = []
    recording = {"on": False}

    class LayerTimes(trt.IProfiler):
        def __init__(self) -> None:
            trt.IProfiler.__init__(self)

        def report_layer_time(self, layer_name: str, ms: float) -> None:
            if not recording["on"]:
                return
            if layer_name not in times:
                order.append(layer_name)
            times[layer_name].append(ms * 1e6)

    context = engine.create_execution_context()
    for name, tensor in session._tensors.items():  # noqa: SLF001 — the bound device tensors
        context.set_tensor_address(name, int(tensor.data_ptr()))
    context.profiler = LayerTimes()
    stream = torch.cuda.Stream()
    walls = []
    for i in range(WARMUP + req.iterations):
        recording["on"] = i >= WARMUP
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record(stream)
        if not context.execute_async_v3(stream.cuda_stream):
            raise RuntimeError("TensorRT execute_async_v3 failed in the profiled pass")
        end.record(stream)
        stream.synchronize()
        if i >= WARMUP:
            walls.append(start.elapsed_time(end) * 1e6)
    inspector = engine.create_engine_inspector()
    inspector.execution_context = context
    info = json.loads(inspector.get_engine_information(trt.LayerInformationFormat.JSON))
    kinds = inspector_layers(info)
    operators = [operator(n, kinds.get(n, op_type_from_name(n)), "cuda", times[n]) for n in order]
    return {
        "profiler": "tensorrt IProfiler + engine inspector",
        "timed": True,
        "iterations": req.iterations,
        "wall_median_ns": median_ns(walls) if walls else None,
        "note": "per TensorRT layer (fused); not yet verified on hardware",
        "operators": operators,
    }
