"""The runtime-backend role inside a runner: load an artifact, prepare inputs, expose one call.

A backend never times anything itself; `runner.measure` owns the clock. `describe()` reports
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


class HostClockSession:
    """Defaults for synchronous runtimes: samples come from the host's monotonic clock."""

    timer = None
    synchronize = None
    clock_name = None
    compile_ns: int | None = None  # time spent building/compiling inside load(), when separable


class BackendUnavailable(Exception):
    """The runtime (or the platform it needs) is missing here; the message says what to do."""


class DelegateUnavailable(Exception):
    """The runtime is here but the requested accelerator's delegate/provider could not load."""


class Session(Protocol):
    # Asynchronous device runtimes set these (see runner.measure): a per-call device timer, a
    # host-side wait for the device, and the name of the clock the samples come from.
    timer: Callable[[Callable[[], object]], int] | None
    synchronize: Callable[[], object] | None
    clock_name: str | None
    compile_ns: int | None  # engine build / graph capture time, reported apart from load

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

    def available_accelerators(self) -> list[str]:
        """The accelerators this machine can give the runtime (probed, never assumed)."""
        ...

    def load(self, model_path: str, accelerator: str, options: dict[str, Any]) -> Session: ...
