"""The profiled pass: after the timed loop, each runtime's own profiler, per operator.

It never runs inside the timed loop (the samples stay clean), and its failure never fails a run:
the result then carries `profile.error` and the timed samples stand. Each backend's profiler is
its own module (`profile_<backend>.py`), imported only when a profile is asked for; each returns
the `profile` entry of a `benchctl.result` (see result.schema.json).
"""

from __future__ import annotations

import importlib
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_ITERATIONS = 20
WARMUP = 3  # profiled calls discarded before the measured ones (the profiler's own warm-up)

_MODULES = {
    "onnxruntime": "benchctl.runner.backends.profile_ort",
    "torch": "benchctl.runner.backends.profile_torch",
    "litert": "benchctl.runner.backends.profile_litert",
    "tensorrt": "benchctl.runner.backends.profile_tensorrt",
    "coreml": "benchctl.runner.backends.profile_coreml",
}


@dataclass
class ProfileRequest:
    """What a backend's profiler gets: the timed session (still open), and how to make another."""

    backend: Any
    session: Any
    model_path: str
    accelerator: str
    options: dict[str, Any]
    arrays: dict[str, Any]
    iterations: int
    workdir: Path


def median_ns(values: Iterable[float]) -> int:
    return int(round(statistics.median(list(values))))


def operator(
    name: str, op_type: str, unit: str | None, times_ns: list[float] | None
) -> dict[str, Any]:
    """One entry of `profile.operators`: its time is the median over the profiled iterations."""
    return {
        "name": name,
        "op_type": op_type,
        "unit": unit,
        "time_ns": median_ns(times_ns) if times_ns else None,
        "calls": len(times_ns) if times_ns else None,
    }


def run_profile(req: ProfileRequest) -> dict[str, Any]:
    """The `profile` entry for this run; a failing profiler is reported, never raised."""
    name = req.backend.name
    module = _MODULES.get(name)
    if module is None:
        return {"profiler": "none", "operators": [], "error": f"no profiler for backend {name}"}
    try:
        return importlib.import_module(module).profile(req)
    except Exception as exc:  # the timed samples are already measured; say why, keep them
        return {
            "profiler": name,
            "operators": [],
            "timed": False,
            "error": f"{type(exc).__name__}: {exc}"[:2000],
        }
