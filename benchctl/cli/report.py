"""`benchctl report nightly`: the regression report over every series, for CI.

Exit codes: 0 (no condition named by --fail-on), 4 (a named condition was found: "regression
detected"), 2 (bad input), 1 (other failures).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from benchctl.cli._options import DbOpt, JsonOpt
from benchctl.cli._output import emit_json, err
from benchctl.errors import ConfigError

REGRESSION_EXIT_CODE = 4
FAIL_ON = {
    "regression": "regression",
    "improvement": "improvement",
    "environment-shift": "environment_shift",
    "failed": "failed",
    "invalid": "invalid",
    "memory-regression": "memory_regression",  # peak memory, screened beside latency
}

app = typer.Typer(help="Regression reports over the results database.", no_args_is_help=True)


def _labels(fail_on: list[str]) -> list[str]:
    out = []
    for name in fail_on:
        for part in name.split(","):
            part = part.strip().replace("_", "-")  # also as the report prints it
            if part not in FAIL_ON:
                raise ConfigError(
                    f"--fail-on {part!r}: choose from {', '.join(FAIL_ON)} (repeat or comma-join)"
                )
            out.append(FAIL_ON[part])
    return out


@app.command("nightly")
def nightly_cmd(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="md (a PR comment), html (one file) or json.")
    ] = "md",
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the report here, not to stdout.")
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit with code 4 when any series is labelled so: regression, improvement, "
            "environment-shift, failed, invalid, memory-regression.",
        ),
    ] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Only this model.")] = None,
    device: Annotated[str | None, typer.Option("--device", "-d", help="Only this device.")] = None,
    since_hours: Annotated[
        float | None,
        typer.Option("--since-hours", help="Only series with a result in the last N hours."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Detector config (default: .benchctl/regress.toml)."),
    ] = None,
    rel_threshold: Annotated[
        float | None, typer.Option("--threshold", help="Relative change to report (0.05 = 5 %).")
    ] = None,
    min_history: Annotated[
        int | None, typer.Option("--min-history", help="Valid results needed before screening.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Worker processes that analyse series (default: one per CPU when there are "
            "enough series; 0: all in this one).",
        ),
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Screen each series' newest result against its history; list change points."""
    from benchctl.results.regress import load_config, nightly
    from benchctl.results.report import FORMATS, render
    from benchctl.results.store import ResultStore

    fmt = "json" if json_ and output is None else fmt
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: choose from {', '.join(FORMATS)}")
    labels = _labels(fail_on or [])
    from benchctl.harness.limits import check_count, check_hours

    check_hours("--since-hours", since_hours)
    check_count("--min-history", min_history)
    check_count("--workers", workers, low=0, high=1024)
    cfg = load_config(config).with_defaults(rel_threshold=rel_threshold, min_history=min_history)
    since = datetime.now(UTC) - timedelta(hours=since_hours) if since_hours else None
    store = ResultStore.open(db, create=False)
    from benchctl.cli._progress import progress_bar

    with progress_bar("analysing series", json_=json_) as bar:
        report = nightly(
            store,
            cfg,
            model=model,
            device=device,
            since=since,
            progress=lambda i, n, text: bar.step(text, total=n),
            workers=workers,
        )
        if fmt == "html":
            bar.describe("drawing plots")
        text = render(report, fmt)
    found = [
        f"{s.screening.label}: {s.description}"
        for s in report.series
        if s.screening.label in labels
    ] + [
        f"memory regression: {s.description}"
        for s in report.series
        if "memory_regression" in labels and s.memory_regression
    ]
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        if json_:
            emit_json({"out": str(output), "format": fmt, "counts": report.counts()})
        else:
            err.print(f"wrote {output} ({fmt}); {len(report.series)} series", highlight=False)
    shifted = [
        s.description
        for s in report.series
        if "regression" in labels
        and "environment_shift" not in labels
        and s.screening.label == "environment_shift"
        and (s.screening.rel_change or 0) > 0
    ]
    if shifted:  # slower with nothing under test changed: say so, never a silent exit 0
        err.print(
            f"note: {len(shifted)} series slower with only the environment changed "
            f"({'; '.join(shifted[:3])}{' …' if len(shifted) > 3 else ''}); not counted as a "
            "regression: add --fail-on environment-shift to fail on them",
            highlight=False,
        )
    if found:
        shown = "; ".join(found[:5]) + (" …" if len(found) > 5 else "")
        err.print(f"[bold red]--fail-on: {len(found)} series[/] ({shown})", highlight=False)
        raise typer.Exit(REGRESSION_EXIT_CODE)
