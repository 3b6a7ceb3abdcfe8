"""A lab job: a `RunRequest` as a JSON dict, checked field by field on both ends."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from benchctl.errors import ConfigError

_TYPES: dict[str, tuple[type, ...]] = {
    "model": (str,),
    "device": (str,),
    "runtime": (str, type(None)),
    "iterations": (int,),
    "warmup": (int,),
    "threads": (int, type(None)),
    "batch": (int,),
    "seed": (int,),
    "max_total_s": (int, float),
    "allow_fallback": (bool,),
    "input_shape": (list, type(None)),  # JSON has no tuple: a list of positive ints
    "run_id": (str, type(None)),  # set by the client: a redelivered job stores nothing twice
    "profile_iterations": (int, type(None)),  # run --profile: the profiled pass's iterations
    "cpus": (list, type(None)),  # JSON has no tuple: a list of CPU ids
    "allow_oversubscribe": (bool,),
    "target_ci": (int, float, type(None)),
}


def queue_name(device: str) -> str:
    """One Celery queue per device name (DESIGN §7: TVM-tracker style, keyed by device)."""
    return f"benchctl.device.{device}"


def request_to_dict(req: Any) -> dict[str, Any]:
    """A RunRequest as a job; a local calibration folder cannot travel to a lab host."""
    from benchctl.harness.run import RunRequest

    doc = asdict(req)
    if doc.pop("calibration_dir", None) is not None:
        raise ConfigError("--calibration-images is local to this machine; it cannot go to a lab")
    defaults = {f.name: f.default for f in fields(RunRequest)}
    for name in [n for n in doc if n not in _TYPES]:
        if doc[name] != defaults.get(name):
            raise ConfigError(f"a lab job cannot carry {name!r} yet; run without it or locally")
        del doc[name]
    for name in ("input_shape", "cpus"):
        if doc.get(name) is not None:
            doc[name] = list(doc[name])
    return doc


def request_from_dict(doc: Any) -> Any:
    """The RunRequest a job describes; any unknown key or wrong type is a ConfigError."""
    from benchctl.harness.run import RunRequest

    if not isinstance(doc, dict):
        raise ConfigError(f"a lab job is a JSON object, not {type(doc).__name__}")
    allowed = {f.name for f in fields(RunRequest)} - {"calibration_dir"}
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise ConfigError(f"lab job has unknown fields {unknown}; known: {sorted(allowed)}")
    for name, value in doc.items():
        want = _TYPES.get(name)
        if want is None:
            raise ConfigError(f"lab jobs do not carry {name!r}; update benchctl on both ends")
        if isinstance(value, bool) and bool not in want:
            raise ConfigError(f"lab job field {name!r} must not be a boolean")
        if not isinstance(value, want):
            raise ConfigError(f"lab job field {name!r} has type {type(value).__name__}")
    if "model" not in doc:
        raise ConfigError("lab job has no model")
    from benchctl.models import MODELS

    zoo = MODELS.get_or_none(doc["model"])
    if zoo is None or zoo.role == "user":
        # A factory reference would import and call code on the lab host for whoever can reach
        # the broker, and a file path names a file on the wrong machine: zoo names only.
        raise ConfigError(
            f"lab jobs run zoo models only (benchctl models list); {doc['model']!r} is not one"
        )
    for name, low in (("input_shape", 1), ("cpus", 0)):
        values = doc.get(name)
        if values is not None:
            if not all(isinstance(v, int) and not isinstance(v, bool) and v >= low for v in values):
                raise ConfigError(f"lab job field {name!r} must be a list of integers ≥ {low}")
            doc = {**doc, name: tuple(values)}
    return RunRequest(**doc)
