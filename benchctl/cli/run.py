"""`benchctl run`: one model on one device, stored, then shown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from benchctl.cli._options import DbOpt, FailInvalidOpt, JsonOpt, WeightsOpt, with_run_settings
from benchctl.cli._output import emit_json, out
from benchctl.cli._progress import make_progress, run_hooks
from benchctl.harness.request import RunSettings


@with_run_settings
def run_command(
    *,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            help="A zoo name (benchctl models list), an .onnx file, or package.module:factory.",
        ),
    ],
    runtime: Annotated[
        str | None, typer.Option("--runtime", "-r", help="Runtime; default: the device's.")
    ] = None,
    settings: RunSettings,  # device, iterations, warm-up, threads…: one option each (_options.py)
    input_shape: Annotated[
        str | None,
        typer.Option(
            "--input-shape",
            help="For your own models: C,H,W of a package.module:factory model, or N,C,H,W "
            "for an ONNX file with a symbolic shape.",
        ),
    ] = None,
    calibration_images: Annotated[
        Path | None,
        typer.Option(
            "--calibration-images",
            help="Folder of images for full-integer quantization (default: seeded random data).",
        ),
    ] = None,
    weights: WeightsOpt = None,
    lab: Annotated[
        str | None,
        typer.Option("--lab", help="Run on the device lab behind this Redis URL (redis://…)."),
    ] = None,
    profile: Annotated[
        bool,
        typer.Option(
            "--profile",
            help="After the timed loop, a profiled pass with the runtime's own profiler: "
            "per-operator time and placement (see: benchctl results show RUN --ops).",
        ),
    ] = False,
    profile_iterations: Annotated[
        int, typer.Option("--profile-iterations", help="Iterations of the profiled pass.")
    ] = 20,
    fail_invalid: FailInvalidOpt = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Benchmark one model on one device and store every raw sample.

    `--runtime all` runs every runtime this machine can use, as a sweep of one model.
    """
    if runtime == "all":
        per_run = {
            "--input-shape": input_shape,
            "--calibration-images": calibration_images,
            "--weights": weights,
            "--lab": lab,
            "--profile": profile,
            "--fail-invalid": fail_invalid,
        }
        _run_all(model, settings, [name for name, value in per_run.items() if value], db, json_)
        return
    from benchctl.harness.run import RunInterrupted, RunRequest, resolve, run_benchmark
    from benchctl.results.export import add_validity, run_to_dict
    from benchctl.results.store import ResultStore

    req = RunRequest.of(
        settings,
        model=model,
        runtime=runtime,
        calibration_dir=calibration_images,
        input_shape=_shape(input_shape),
        profile_iterations=profile_iterations if profile else None,
        weights=weights,
    )
    if lab is not None:  # the lab host resolves the device and runtime names itself
        from benchctl.cli.lab import run_on_lab

        run_on_lab(req, lab, db, json_)
        return
    plan = resolve(req)  # bad names and numbers fail here, before the database is touched
    store = ResultStore.open(db)
    try:
        with make_progress(json_=json_) as progress:
            outcome = run_benchmark(plan, store, run_hooks(progress, json_=json_))
    except RunInterrupted as exc:  # one line: what was stopped, what was kept
        from benchctl.errors import Interrupted

        raise Interrupted(str(exc)) from None
    row = store.run(outcome.record.run_id)
    parity = outcome.artifact.parity if outcome.artifact else None
    doc = run_to_dict(row, parity)
    add_validity(doc, row, outcome.record.samples)
    doc["artifact_reused"] = bool(outcome.artifact and outcome.artifact.reused)
    doc["artifact_rebuilt_because"] = outcome.artifact.rebuilt_because if outcome.artifact else None
    doc["database"] = outcome.db_location
    if json_:
        emit_json(doc)
    else:
        from benchctl.cli.render import run_table

        note = None
        if outcome.artifact is not None:
            note = (
                "reused cached artifact " if outcome.artifact.reused else "exported artifact "
            ) + str(outcome.artifact.path)
            if outcome.artifact.rebuilt_because:
                note += f" ({outcome.artifact.rebuilt_because})"
        out.print(run_table(doc, db_location=outcome.db_location, note=note))
    if row.status != "ok":
        raise typer.Exit(1)
    if fail_invalid and not doc["valid"]:
        raise typer.Exit(INVALID_EXIT)


INVALID_EXIT = 6  # stored, ok, but not valid (with --fail-invalid)


def _run_all(
    model: str, settings: RunSettings, per_run: list[str], db: str | None, json_: bool
) -> None:
    """`--runtime all`: the sweep of `model` (names or patterns) over every runtime available
    here, through the sweep library with this command's run settings; `per_run`: the options
    given that name one run's files or output (refused)."""
    from benchctl.cli.sweep import run_and_show
    from benchctl.errors import ConfigError
    from benchctl.harness import sweep as sweeps

    if per_run:
        raise ConfigError(
            f"--runtime all runs zoo models here; it does not take {', '.join(per_run)} "
            "(it takes every run setting: --device, -n, --threads, --cpus, --target-ci, "
            "--no-wait…)"
        )
    plan = sweeps.plan_sweep(
        sweeps.select_models(model), sweeps.runtimes_named("all", settings.device), settings
    )
    run_and_show(plan, db, json_)


def _shape(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    from benchctl.errors import ConfigError

    try:
        return tuple(int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        raise ConfigError(f"--input-shape must be integers like 3,224,224; got {text!r}") from None
