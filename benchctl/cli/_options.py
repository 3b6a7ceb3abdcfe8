"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
