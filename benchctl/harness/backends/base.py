"""The runtime-backend role inside a runner: load an artifact, prepare inputs, expose one call.

A backend never times anything itself; `harness.measure` owns the clock. `describe()` reports
what actually ran (accelerator, providers, delegated nodes) so a silent fallback is visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class TensorSpec:
    name: str
    shape: list[int]
    dtype: str


@dataclass
class Description:
    """What the runtime says it did; `accelerator_actual` None means it cannot tell."""

    accelerator_actual: str | None
    delegated_nodes: int | None = None
    total_nodes: int | None = None
    plan_summary: dict[str, Any] = field(default_factory=dict)


class BackendUnavailable(Exception):
    """The runtime library is missing here; the message says how to install it."""


class Session(Protocol):
    def inputs(self) -> list[TensorSpec]: ...

    def bind(self, arrays: dict[str, Any]) -> Callable[[], object]:
        """Preallocate everything and return the zero-argument call the loop times."""
        ...

    def describe(self) -> Description: ...

    def close(self) -> None: ...


class Backend(Protocol):
    name: str
    formats: tuple[str, ...]
    accelerators: tuple[str, ...]

    def version(self) -> str:
        """The runtime's version; raises BackendUnavailable when it is not installed."""
        ...

    def load(self, model_path: str, accelerator: str, options: dict[str, Any]) -> Session: ...
