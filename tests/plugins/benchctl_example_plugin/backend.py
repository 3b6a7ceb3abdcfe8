"""The `onnx-reference` runner backend (benchctl/runner/backends/base.py: Backend): the ONNX
reference evaluator (onnx.reference), slow but an independent implementation of the operators'
definitions, for checking a runtime's outputs rather than for speed."""

from __future__ import annotations

import functools
import importlib.metadata
from collections.abc import Callable
from typing import Any

from benchctl.runner.backends import BackendEntry
from benchctl.runner.backends.base import (
    BackendUnavailable,
    Description,
    HostClockSession,
    TensorSpec,
)

_DTYPES = {1: "float32", 10: "float16", 3: "int8", 2: "uint8", 6: "int32", 7: "int64"}


class _Session(HostClockSession):
    def __init__(self, model_path: str) -> None:
        import onnx
        from onnx.reference import ReferenceEvaluator

        self._model = onnx.load(model_path)
        self._evaluator = ReferenceEvaluator(self._model)

    def inputs(self) -> list[TensorSpec]:
        initializers = {i.name for i in self._model.graph.initializer}
        specs = []
        for value in self._model.graph.input:
            if value.name in initializers:
                continue
            tensor = value.type.tensor_type
            shape = [d.dim_value if d.HasField("dim_value") else -1 for d in tensor.shape.dim]
            specs.append(TensorSpec(value.name, shape, _DTYPES.get(tensor.elem_type, "float32")))
        return specs

    def bind(self, arrays: dict[str, Any]) -> Callable[[], object]:
        return functools.partial(self._evaluator.run, None, dict(arrays))

    def describe(self) -> Description:
        nodes = len(self._model.graph.node)
        return Description(accelerator_actual="cpu", delegated_nodes=nodes, total_nodes=nodes)

    def close(self) -> None:
        self._evaluator = None


class OnnxReferenceBackend:
    name = "onnx-reference"
    formats = ("onnx",)
    accelerators = ("cpu",)

    def version(self) -> str:
        try:
            return importlib.metadata.version("onnx")
        except importlib.metadata.PackageNotFoundError:
            raise BackendUnavailable("onnx is not installed; run: pip install onnx") from None

    def available_accelerators(self) -> list[str]:
        return ["cpu"]

    def load(self, model_path: str, accelerator: str, options: dict[str, Any]) -> _Session:
        if accelerator != "cpu":
            raise ValueError(f"the ONNX reference evaluator runs on cpu, not {accelerator!r}")
        return _Session(model_path)


ENTRY = BackendEntry("onnx-reference", f"{__name__}:OnnxReferenceBackend")
