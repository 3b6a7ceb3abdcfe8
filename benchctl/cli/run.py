"""`benchctl run`: one model on one device, stored, then shown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from benchctl.cli._options import (
    AllowFallbackOpt,
    BatchOpt,
    CpusOpt,
    DbOpt,
    DeviceOpt,
    FailInvalidOpt,
    IterationsOpt,
    JsonOpt,
    MaxSecondsOpt,
    NoWaitOpt,
    OversubscribeOpt,
    SeedOpt,
    TargetCiOpt,
    ThreadsOpt,
    WarmupOpt,
    WeightsOpt,
)
from benchctl.cli._output import emit_json, out
from benchctl.cli._progress import make_progress, run_hooks


def run_command(
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            help="A zoo name (benchctl models list), an .onnx file, or package.module:factory.",
        ),
    ],
    device: DeviceOpt = "host",
    runtime: Annotated[
        str | None, typer.Option("--runtime", "-r", help="Runtime; default: the device's.")
    ] = None,
    iterations: IterationsOpt = 1000,
    warmup: WarmupOpt = 50,
    threads: ThreadsOpt = None,
    batch: BatchOpt = 1,
    seed: SeedOpt = 0,
    max_seconds: MaxSecondsOpt = 900.0,
    allow_fallback: AllowFallbackOpt = False,
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
    cpus: CpusOpt = None,
    allow_oversubscribe: OversubscribeOpt = False,
    target_ci: TargetCiOpt = None,
    no_wait: NoWaitOpt = False,
    fail_invalid: FailInvalidOpt = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Benchmark one model on one device and store every raw sample.

    `--runtime all` runs every runtime this machine can use, as a sweep of one model.
    """
    if runtime == "all":
        from benchctl.cli.sweep import sweep_command
        from benchctl.errors import ConfigError

        if (
            input_shape or calibration_images or lab or profile or weights
            or cpus or target_ci or fail_invalid or no_wait
        ):  # fmt: skip
            raise ConfigError(
                "--runtime all runs zoo models here; it does not take --input-shape, "
                "--calibration-images, --weights, --lab, --profile, --cpus, --target-ci, "
                "--fail-invalid or --no-wait"
            )
        sweep_command(
            models=model,
            runtimes="all",
            device=device,
            iterations=iterations,
            warmup=warmup,
            threads=threads,
            batch=batch,
            seed=seed,
            max_seconds=max_seconds,
            allow_fallback=allow_fallback,
            resume=None,
            db=db,
            json_=json_,
        )
        return
    from benchctl.harness.run import RunInterrupted, RunRequest, resolve, run_benchmark
    from benchctl.results.export import add_validity, run_to_dict
    from benchctl.results.store import ResultStore

    req = RunRequest(
        model=model,
        device=device,
        runtime=runtime,
        iterations=iterations,
        warmup=warmup,
        threads=threads,
        batch=batch,
        seed=seed,
        max_total_s=max_seconds,
        allow_fallback=allow_fallback,
        calibration_dir=calibration_images,
        input_shape=_shape(input_shape),
        profile_iterations=profile_iterations if profile else None,
        weights=weights,
        cpus=_cpus(cpus),
        allow_oversubscribe=allow_oversubscribe,
        target_ci=None if target_ci is None else target_ci / 100,
        wait_for_device=not no_wait,
    )
    if lab is not None:  # the lab host resolves the device and runtime names itself
        from benchctl.cli.lab import run_on_lab

        run_on_lab(req, lab, db, json_)
        return
    resolve(req)  # bad names and numbers fail here, before the database is touched
    store = ResultStore.open(db)
    try:
        with make_progress(json_=json_) as progress:
            outcome = run_benchmark(req, store, run_hooks(progress, json_=json_))
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
        from benchctl.cli._render import run_table

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


def _cpus(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    from benchctl.errors import ConfigError
    from benchctl.harness.contention import parse_cpus

    try:
        return tuple(parse_cpus(text))
    except ValueError as exc:
        raise ConfigError(f"--cpus {text!r}: {exc}; write it like 2 or 0-3,6") from None


def _shape(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    from benchctl.errors import ConfigError

    try:
        return tuple(int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        raise ConfigError(f"--input-shape must be integers like 3,224,224; got {text!r}") from None
