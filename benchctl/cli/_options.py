"""Options shared by several commands, defined once."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import MISSING
from pathlib import Path
from typing import Annotated, Any

import typer

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document instead of a table.")
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Results database URL or SQLite path (default: $BENCHCTL_DB, else "
        ".benchctl/results.sqlite in the current project).",
        show_default=False,
    ),
]

# The run settings shared by `benchctl run` and `benchctl sweep` (one definition, one help text).
DeviceOpt = Annotated[
    str, typer.Option("--device", "-d", help="Device name (see: benchctl devices list).")
]
IterationsOpt = Annotated[int, typer.Option("--iterations", "-n", help="Timed iterations per run.")]
WarmupOpt = Annotated[int, typer.Option("--warmup", help="Warm-up iterations before timing.")]
ThreadsOpt = Annotated[
    int | None, typer.Option("--threads", help="Runtime threads; default: the runtime's.")
]
BatchOpt = Annotated[int, typer.Option("--batch", help="Batch size of the input.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed for weights and inputs.")]
MaxSecondsOpt = Annotated[
    float, typer.Option("--max-seconds", help="Stop timing a run after this long.")
]
AllowFallbackOpt = Annotated[
    bool,
    typer.Option(
        "--allow-fallback", help="Accept a runtime that fell back to another accelerator."
    ),
]
WeightsOpt = Annotated[
    Path | None,
    typer.Option(
        "--weights",
        help="Trained weights for the model's architecture: a PyTorch state dict, a safetensors "
        "file or a timm checkpoint (default: seeded random weights).",
    ),
]

# Trustworthy numbers on a busy machine (device lock, pinning, precision, validity).
NoWaitOpt = Annotated[
    bool,
    typer.Option(
        "--no-wait",
        help="Fail at once (exit 5) when another run holds the device, instead of waiting.",
    ),
]
CpusOpt = Annotated[
    str | None,
    typer.Option(
        "--cpus",
        help="Pin the runner to these CPUs, e.g. 2 or 0-3,6 (Linux); part of the series key.",
    ),
]
OversubscribeOpt = Annotated[
    bool,
    typer.Option(
        "--allow-oversubscribe",
        help="Accept more --threads than the device's (or --cpus') CPUs; the run is invalid.",
    ),
]
TargetCiOpt = Annotated[
    float | None,
    typer.Option(
        "--target-ci",
        help="Keep timing past --iterations until the median's 95 %% CI is within this many "
        "percent of it (or --max-seconds).",
        show_default=False,
    ),
]
FailInvalidOpt = Annotated[
    bool,
    typer.Option(
        "--fail-invalid",
        help="Exit 6 when the run is stored but invalid (drift, noisy, hot, threads beyond "
        "cores…).",
    ),
]


# --- the run settings as options (one per field of harness/request.py's RunSettings) ----------


def _cpus(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    from benchctl.errors import ConfigError
    from benchctl.runner.contention import parse_cpus

    try:
        return tuple(parse_cpus(text))
    except ValueError as exc:
        raise ConfigError(f"--cpus {text!r}: {exc}; write it like 2 or 0-3,6") from None


def _same(value: Any) -> Any:
    return value


# RunSettings field → (the command's parameter, its option, the CLI default, value → setting).
# A default of MISSING is the setting's own default.
SETTING_OPTIONS: dict[str, tuple[str, Any, Any, Callable[[Any], Any]]] = {
    "device": ("device", DeviceOpt, MISSING, _same),
    "iterations": ("iterations", IterationsOpt, MISSING, _same),
    "warmup": ("warmup", WarmupOpt, MISSING, _same),
    "threads": ("threads", ThreadsOpt, MISSING, _same),
    "batch": ("batch", BatchOpt, MISSING, _same),
    "seed": ("seed", SeedOpt, MISSING, _same),
    "max_total_s": ("max_seconds", MaxSecondsOpt, MISSING, _same),
    "allow_fallback": ("allow_fallback", AllowFallbackOpt, MISSING, _same),
    "cpus": ("cpus", CpusOpt, None, _cpus),
    "allow_oversubscribe": ("allow_oversubscribe", OversubscribeOpt, MISSING, _same),
    "target_ci": ("target_ci", TargetCiOpt, None, lambda pct: None if pct is None else pct / 100),
    "wait_for_device": ("no_wait", NoWaitOpt, False, lambda no_wait: not no_wait),
}


def with_run_settings(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command one option per run setting, where its `settings` parameter stands, and call
    it with `settings=RunSettings(...)` built from them.

    `benchctl run` and `benchctl sweep` both use it, so a setting declared in RunSettings (and
    given its option in SETTING_OPTIONS) reaches both with one help text and one conversion.
    """
    from benchctl.harness.request import RunSettings, defaults

    own_defaults = defaults(RunSettings)
    if set(SETTING_OPTIONS) != set(own_defaults):
        missing = sorted(set(own_defaults) ^ set(SETTING_OPTIONS))
        raise TypeError(f"SETTING_OPTIONS and RunSettings differ in {missing}")
    options = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=own_defaults[setting] if default is MISSING else default,
            annotation=annotation,
        )
        for setting, (name, annotation, default, _) in SETTING_OPTIONS.items()
    ]
    own = inspect.signature(command, eval_str=True).parameters.values()
    params: list[inspect.Parameter] = []
    for param in own:
        if param.name == "settings":
            params.extend(options)
        else:
            params.append(param.replace(kind=inspect.Parameter.KEYWORD_ONLY))

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        values = {
            setting: convert(kwargs.pop(name))
            for setting, (name, _, _, convert) in SETTING_OPTIONS.items()
        }
        return command(**kwargs, settings=RunSettings(**values))

    wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper
