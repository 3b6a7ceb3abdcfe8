"""Runtime backends available to the Python runner, by name (imported lazily)."""

from __future__ import annotations

import importlib

from benchctl.harness.backends.base import (
    Backend,
    BackendUnavailable,
    DelegateUnavailable,
    Description,
    TensorSpec,
)

# name → "module:Class"; modules import their runtime only when used.
_BACKENDS: dict[str, str] = {
    "onnxruntime": "benchctl.harness.backends.onnxruntime:OnnxRuntimeBackend",
    "litert": "benchctl.harness.backends.litert:LiteRtBackend",
    "torch": "benchctl.harness.backends.torch:TorchBackend",
    "tensorrt": "benchctl.harness.backends.tensorrt:TensorRtBackend",
    "coreml": "benchctl.harness.backends.coreml:CoreMlBackend",
}


def backend_names() -> list[str]:
    return sorted(_BACKENDS)


def get_backend(name: str) -> Backend:
    """An instance of the named backend; KeyError for unknown names (the runner reports it)."""
    module, cls = _BACKENDS[name].split(":")
    return getattr(importlib.import_module(module), cls)()


__all__ = [
    "Backend",
    "BackendUnavailable",
    "DelegateUnavailable",
    "Description",
    "TensorSpec",
    "backend_names",
    "get_backend",
]
