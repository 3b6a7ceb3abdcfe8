"""`benchctl sweep`: models × runtimes on one device, one progress display, one summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from benchctl.cli._options import DbOpt, JsonOpt, with_run_settings
from benchctl.cli._output import Table, emit_json, err, out, styled
from benchctl.cli._progress import make_progress, run_hooks
from benchctl.harness.request import RunSettings

if TYPE_CHECKING:
    from benchctl.harness.sweep import SweepPlan


@with_run_settings
def sweep_command(
    *,
    models: Annotated[
        str, typer.Option("--models", help="'seed', 'all', or names/patterns, comma-separated.")
    ] = "seed",
    runtimes: Annotated[
        str,
        typer.Option(
            "--runtimes", help="Comma-separated runtimes, or 'all' (those available here)."
        ),
    ] = "onnxruntime",
    settings: RunSettings,  # the same run settings as `benchctl run`, one option each
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue an interrupted sweep by its id.")
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Run many combinations; failures are status rows; exit code 3 if any combination failed."""
    from benchctl.harness import sweep as sweeps

    if resume:
        plan = sweeps.load(resume)  # the saved plan's settings, whatever else the command line says
    else:
        model_names = sweeps.select_models(models)
        runtime_names = sweeps.runtimes_named(runtimes, settings.device)
        plan = sweeps.plan_sweep(model_names, runtime_names, settings)
    run_and_show(plan, db, json_)


def run_and_show(plan: SweepPlan, db: str | None, json_: bool) -> None:
    """Run a planned (or resumed) sweep with one progress display, then its summary; exit 3 when
    a combination failed, 130 (resumable) when interrupted, 5 (resumable) on a busy device with
    `--no-wait`. `benchctl sweep` and `benchctl run --runtime all` both end here."""
    from benchctl.harness import sweep as sweeps
    from benchctl.harness.devicelock import DeviceBusyError
    from benchctl.results.store import ResultStore

    store = ResultStore.open(db)
    progress = make_progress(json_=json_, transient=False)
    total = len(plan.combinations())
    hooks = run_hooks(progress, json_=json_)
    resume = f"benchctl sweep --resume {plan.sweep_id}"
    try:
        with progress:
            overall = progress.add_task(
                "sweep", total=total, completed=total - len(plan.remaining())
            )

            def on_done(model: str, runtime: str, result: dict[str, Any]) -> None:
                progress.advance(overall)

            sweeps.run_sweep(plan, store, hooks, on_done)
    except KeyboardInterrupt:
        err.print(
            f"interrupted: {len(plan.done)}/{total} combinations stored; resume with: {resume}"
        )
        raise typer.Exit(130) from None
    except DeviceBusyError as exc:
        raise DeviceBusyError(
            f"{exc}; {len(plan.done)}/{total} combinations stored", hint=f"resume with: {resume}"
        ) from None
    rows = [{"model": m, "runtime": r, **plan.done[f"{m}|{r}"]} for m, r in plan.combinations()]
    if json_:
        emit_json(
            {
                "sweep_id": plan.sweep_id,
                "device": plan.device,
                "database": store.location,
                "rows": rows,
            }
        )
    else:
        out.print(_summary(plan.sweep_id, rows, store.location))
    if any(r["status"] != "ok" for r in rows):
        raise typer.Exit(3)


def _summary(sweep_id: str, rows: list[dict[str, Any]], location: str) -> Table:
    ok = sum(r["status"] == "ok" for r in rows)
    table = Table(
        "model",
        "runtime",
        "status",
        "median ms",
        "run id / error",
        title=f"sweep {sweep_id}: {ok}/{len(rows)} ok — {location}",
    )
    for r in rows:
        median = "—" if r["median_ns"] is None else f"{r['median_ns'] / 1e6:.3f}"
        colour = "green" if r["status"] == "ok" else "red"
        detail = r["run_id"] if r["status"] == "ok" else f"{r['error_code']}: {r['error_message']}"
        table.add_row(r["model"], r["runtime"], styled(r["status"], colour), median, detail)
    return table
