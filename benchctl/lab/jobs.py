"""A lab job: a `RunRequest` as a JSON dict, checked field by field on both ends.

What a job may carry and each field's JSON type are read from the one declaration of a run's
settings (`harness/request.py`): a setting added there travels to lab hosts without an edit
here, and a field marked `lab=False` (a local path, `--no-wait`) never does.
"""

from __future__ import annotations

import functools
from typing import Any

from benchctl.errors import ConfigError
from benchctl.harness.request import RunRequest, defaults, json_kinds


@functools.cache
def job_fields() -> dict[str, tuple[type, ...]]:
    """Field name → the JSON types a job's value may have (JSON has no tuple: a list)."""
    return json_kinds(RunRequest, lab_only=True)


def queue_name(device: str) -> str:
    """One Celery queue per device name (DESIGN §7: TVM-tracker style, keyed by device)."""
    return f"benchctl.device.{device}"


def request_to_dict(req: RunRequest) -> dict[str, Any]:
    """A RunRequest as a job; a local calibration folder cannot travel to a lab host."""
    doc = req.to_json()
    if doc.pop("calibration_dir", None) is not None:
        raise ConfigError("--calibration-images is local to this machine; it cannot go to a lab")
    default = defaults(RunRequest)
    for name in [n for n in doc if n not in job_fields()]:
        if doc[name] != default.get(name):
            raise ConfigError(f"a lab job cannot carry {name!r} yet; run without it or locally")
        del doc[name]
    return doc


def request_from_dict(doc: Any) -> RunRequest:
    """The RunRequest a job describes; any unknown key or wrong type is a ConfigError."""
    if not isinstance(doc, dict):
        raise ConfigError(f"a lab job is a JSON object, not {type(doc).__name__}")
    allowed = set(defaults(RunRequest)) - {"calibration_dir"}
    unknown = sorted(set(doc) - allowed)
    if unknown:
        raise ConfigError(f"lab job has unknown fields {unknown}; known: {sorted(allowed)}")
    kinds = job_fields()
    for name, value in doc.items():
        want = kinds.get(name)
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
    lists = [n for n, kind in kinds.items() if list in kind and doc.get(n) is not None]
    return RunRequest(**{**doc, **{n: tuple(doc[n]) for n in lists}})
