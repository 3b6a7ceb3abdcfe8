"""Runtime backends available to the Python runner, by name (imported lazily).

An entry names the backend's class as `module:Class`; the module (and its runtime) is imported
only when the runner makes the backend. benchctl's own are added by `register_builtin`, its
`benchctl.backends` entry point; a plugin adds its own the same way (`benchctl/plugins.py`). The
runner reads this registry on the device, so it stays standard library only.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from benchctl.registry import Registry
from benchctl.runner.backends.base import (
    Backend,
    BackendUnavailable,
    DelegateUnavailable,
    Description,
    TensorSpec,
)


@dataclass(frozen=True)
class BackendEntry:
    """One runner backend: its name (the spec's `backend.name`) and where its class lives."""

    name: str
    ref: str  # "module:Class"; the class implements backends/base.py: Backend

    def create(self) -> Backend:
        module, _, cls = self.ref.partition(":")
        return getattr(importlib.import_module(module), cls)()


BACKENDS: Registry[BackendEntry] = Registry(
    "runner backend", group="benchctl.backends", entry_type=BackendEntry
)


def register_builtin(registry: Registry[BackendEntry]) -> None:
    """benchctl's own backends (its `benchctl.backends` entry point)."""
    for name, ref in (
        ("onnxruntime", "benchctl.runner.backends.onnxruntime:OnnxRuntimeBackend"),
        ("litert", "benchctl.runner.backends.litert:LiteRtBackend"),
        ("torch", "benchctl.runner.backends.torch:TorchBackend"),
        ("tensorrt", "benchctl.runner.backends.tensorrt:TensorRtBackend"),
        ("coreml", "benchctl.runner.backends.coreml:CoreMlBackend"),
    ):
        registry.add(name, BackendEntry(name, ref))


def backend_names() -> list[str]:
    return BACKENDS.names()


def get_backend(name: str) -> Backend:
    """An instance of the named backend; KeyError for unknown names (the runner reports it)."""
    return BACKENDS.get(name).create()


__all__ = [
    "BACKENDS",
    "Backend",
    "BackendEntry",
    "BackendUnavailable",
    "DelegateUnavailable",
    "Description",
    "TensorSpec",
    "backend_names",
    "get_backend",
]
