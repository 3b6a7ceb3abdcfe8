"""What a run asks for, declared once: `RunSettings` and `RunRequest`.

`RunSettings` are what every run of one command shares (device, iterations, threads, pinning…):
`benchctl run` and `benchctl sweep` take the same options for them (cli/_options.py renders each
field as one option, so a setting added here reaches both commands), a sweep keeps one
`RunSettings` for all its combinations, and a lab job carries them (lab/jobs.py derives its JSON
types from these annotations). `RunRequest` adds what names one run: the model, the runtime, a
run id, the user's files. Both are frozen; `harness.run.resolve` turns a request into an immutable
`RunPlan` once, and the plan is what runs.

A field whose metadata says `lab=False` is never carried by a lab job (a path on this machine, or
a choice only this machine can make); the job refuses it unless it has its default.
"""

from __future__ import annotations

import types
import typing
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from benchctl.errors import ConfigError


def _local(default: Any) -> Any:
    """A field that stays on this machine (never in a lab job)."""
    return field(default=default, metadata={"lab": False})


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    """The settings shared by every run of a command (each is one option of run and sweep)."""

    device: str = "host"
    iterations: int = 1000
    warmup: int = 50
    threads: int | None = None  # None: the runtime's default
    batch: int = 1
    seed: int = 0
    max_total_s: float = 900.0
    allow_fallback: bool = False
    cpus: tuple[int, ...] | None = None  # pin the runner to these CPUs (in the series key)
    allow_oversubscribe: bool = False  # accept more threads than CPUs (the run is then invalid)
    target_ci: float | None = None  # time until the median's 95 % CI is within this fraction
    # Wait for the device's lock when another run holds it (False: fail at once, `--no-wait`).
    wait_for_device: bool = _local(True)

    @property
    def settings(self) -> RunSettings:
        """Only the shared settings (of a request, the part a sweep or a lab job reuses)."""
        return RunSettings(**{f.name: getattr(self, f.name) for f in fields(RunSettings)})

    def to_json(self) -> dict[str, Any]:
        """The fields as JSON values (a tuple becomes a list, a path its string)."""
        return {f.name: _json_value(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> RunSettings:
        """Settings written by `to_json` (a saved sweep); an unknown key is a ConfigError."""
        known = {f.name for f in fields(RunSettings)}
        unknown = sorted(set(doc) - known)
        if unknown:
            raise ConfigError(f"unknown run settings {unknown}; known: {sorted(known)}")
        tuples = {name for name, kind in json_kinds(RunSettings).items() if list in kind}
        values: dict[str, Any] = {
            k: tuple(v) if k in tuples and v is not None else v for k, v in doc.items()
        }
        return RunSettings(**values)


@dataclass(frozen=True, kw_only=True)
class RunRequest(RunSettings):
    """One run: the shared settings plus what names this run."""

    model: str
    runtime: str | None = None  # None: the device's default runtime
    calibration_dir: Path | None = _local(None)  # the user's images for full-integer quantization
    weights: Path | None = _local(None)  # trained weights for the architecture (in the key)
    input_shape: tuple[int, ...] | None = None  # user models: C,H,W of a factory; N,C,H,W of ONNX
    # Chosen by whoever submits the run (a lab client), so a redelivered job is stored once.
    run_id: str | None = None
    # Re-run exactly this cached artifact (e.g. `benchctl confirm` on a stored run's artifact)
    # instead of building today's; it must still be in this project's artifact cache.
    artifact_sha256: str | None = _local(None)
    # Profiled iterations for a profiled pass after the timed loop (`run --profile`); None: none.
    profile_iterations: int | None = None

    @classmethod
    def of(cls, settings: RunSettings, **run: Any) -> RunRequest:
        """The request for one run with these shared settings (a sweep's combination)."""
        shared = {f.name: getattr(settings, f.name) for f in fields(RunSettings)}
        return cls(**shared, **run)


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return str(value) if isinstance(value, Path) else value


# JSON value types of annotation types (JSON has no tuple: a tuple travels as a list).
_JSON_KIND: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
    type(None): (type(None),),
}


def json_kinds(cls: type, *, lab_only: bool = False) -> dict[str, tuple[type, ...]]:
    """Field name → the JSON value types it accepts, read from the dataclass's annotations.

    With `lab_only`, only the fields a lab job carries. A field whose type has no JSON form (a
    path) must be `lab=False`; anything else is a programming error, raised here.
    """
    hints = typing.get_type_hints(cls)
    out: dict[str, tuple[type, ...]] = {}
    for f in fields(cls):
        if lab_only and f.metadata.get("lab") is False:
            continue
        kinds: list[type] = []
        hint = hints[f.name]
        union = typing.get_origin(hint) in (types.UnionType, typing.Union)
        for part in typing.get_args(hint) if union else (hint,):
            origin = typing.get_origin(part) or part
            if origin is tuple:
                kinds.append(list)
            elif origin in _JSON_KIND:
                kinds.extend(_JSON_KIND[origin])
            elif lab_only:
                raise TypeError(f"{cls.__name__}.{f.name}: {part} has no JSON form")
        out[f.name] = tuple(dict.fromkeys(kinds))
    return out


def defaults(cls: type) -> dict[str, Any]:
    """Field name → its default (MISSING for a required field)."""
    return {f.name: f.default if f.default is not MISSING else MISSING for f in fields(cls)}
