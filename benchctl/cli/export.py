"""`benchctl export csv|parquet`: stored results as files for plots and spreadsheets.

Two shapes (`--rows`): `runs` (one row per run, oldest first, with its validity) or `models` (one
row per model × format × precision × device × runtime from its newest valid run, with accuracy,
params, MACs and parity: the accuracy-vs-latency table). The Python API is
`benchctl.results.frame` (the same rows as pandas DataFrames).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from benchctl.cli._options import DbOpt
from benchctl.errors import ConfigError

app = typer.Typer(help="Export stored results (CSV or Parquet).", no_args_is_help=True)

ROWS = ("runs", "models")

ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="Only this model.")]
DeviceOpt = Annotated[str | None, typer.Option("--device", "-d", help="Only this device.")]
StatusOpt = Annotated[str | None, typer.Option("--status", help="Only this status (--rows runs).")]
RuntimeOpt = Annotated[
    str | None, typer.Option("--runtime", "-r", help="Only this runtime (--rows models).")
]
RowsOpt = Annotated[
    str,
    typer.Option(
        "--rows",
        help="runs: one row per run; models: one per model × format × precision × device × "
        "runtime (newest valid run, with accuracy, params, MACs).",
    ),
]
AccuracyOpt = Annotated[
    Path | None,
    typer.Option("--accuracy", help="CSV with your own top-1 (columns: model, top1, …)."),
]
FactsOpt = Annotated[
    bool,
    typer.Option(
        "--count-facts/--published-facts-only",
        help="Count params and MACs with the zoo's counter (builds each model once, cached).",
    ),
]
InvalidOpt = Annotated[
    bool,
    typer.Option(
        "--include-invalid", help="--rows models: show combinations with no valid run too."
    ),
]


def _rows(
    rows: str,
    db: str | None,
    model: str | None,
    device: str | None,
    status: str | None,
    runtime: str | None,
    accuracy: Path | None,
    count_facts: bool,
    include_invalid: bool,
) -> tuple[Iterable[dict[str, Any]], tuple[str, ...]]:
    from benchctl.cli._progress import progress_bar
    from benchctl.results import frame
    from benchctl.results.store import ResultStore

    if rows not in ROWS:
        raise ConfigError(f"--rows {rows!r}: choose from {', '.join(ROWS)}")
    store = ResultStore.open(db, create=False)
    dicts: Iterable[dict[str, Any]]
    if rows == "runs":  # streamed: `csv` writes each run as it is read
        runs = frame.iter_run_dicts(store, model=model, device=device, status=status)
        return runs, frame.RUN_COLUMNS
    with progress_bar("collecting results") as bar:
        dicts = frame.model_dicts(
            store,
            model=model,
            device=device,
            runtime=runtime,
            accuracy=accuracy,
            compute_facts=count_facts,
            include_invalid=include_invalid,
            progress=bar.describe,
        )
    return dicts, frame.MODEL_COLUMNS


def _op_rows(
    db: str | None, model: str | None, device: str | None, status: str | None
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    from benchctl.results import profiles
    from benchctl.results.store import ResultStore

    store = ResultStore.open(db, create=False)
    dicts = profiles.op_dicts(store, model=model, device=device, status=status)
    return dicts, profiles.OP_CSV_COLUMNS


@app.command("csv")
def csv_cmd(
    model: ModelOpt = None,
    device: DeviceOpt = None,
    status: StatusOpt = None,
    runtime: RuntimeOpt = None,
    rows: RowsOpt = "runs",
    accuracy: AccuracyOpt = None,
    count_facts: FactsOpt = True,
    include_invalid: InvalidOpt = False,
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")
    ] = None,
    ops: Annotated[
        bool,
        typer.Option(
            "--ops", help="One row per operator of each profiled run (run --profile) instead."
        ),
    ] = False,
    db: DbOpt = None,
) -> None:
    """CSV (latencies in ms with ns precision)."""
    from benchctl.results.export import write_csv

    dicts: Iterable[dict[str, Any]]
    if ops:
        dicts, columns = _op_rows(db, model, device, status)
    else:
        dicts, columns = _rows(
            rows, db, model, device, status, runtime, accuracy, count_facts, include_invalid
        )
    if output is None:
        write_csv(dicts, sys.stdout, columns)
        return
    if output.exists() and not output.is_file():  # /dev/stdout, a pipe: as it is
        with output.open("w", encoding="utf-8", newline="") as stream:
            write_csv(dicts, stream, columns)
        return
    # Written to a temporary file beside it and renamed when complete: a failed export (a bad
    # row, a lost database) leaves the previous file, not half of one.
    partial = output.with_name(f".{output.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:  # CR LF as they are
            write_csv(dicts, stream, columns)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)


@app.command("parquet")
def parquet_cmd(
    output: Annotated[Path, typer.Option("--out", "-o", help="The .parquet file to write.")],
    model: ModelOpt = None,
    device: DeviceOpt = None,
    status: StatusOpt = None,
    runtime: RuntimeOpt = None,
    rows: RowsOpt = "runs",
    accuracy: AccuracyOpt = None,
    count_facts: FactsOpt = True,
    include_invalid: InvalidOpt = False,
    db: DbOpt = None,
) -> None:
    """Parquet (typed columns; latencies in ms)."""
    import pandas as pd

    dicts, columns = _rows(
        rows, db, model, device, status, runtime, accuracy, count_facts, include_invalid
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(list(dicts), columns=list(columns)).to_parquet(output, index=False)
