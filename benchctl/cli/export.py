"""`benchctl export csv|parquet`: stored results as files for plots and spreadsheets.

Two shapes (`--rows`): `runs` (one row per run, oldest first, with its validity) or `models` (one
row per model × format × precision × device × runtime from its newest valid run, with accuracy,
params, MACs and parity: the accuracy-vs-latency table). The Python API is
`benchctl.results.frame` (the same rows as pandas DataFrames).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Annotated, Any, NamedTuple

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


class _Rows(NamedTuple):
    """Rows to write: lists of values in `columns` order, each column's Parquet type, and the
    columns that only ever hold numbers (their CSV cells are not checked for a formula)."""

    values: Iterable[list[Any]]
    columns: tuple[str, ...]
    types: dict[str, str]
    numbers: frozenset[str]


def _as_values(dicts: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> list[list[Any]]:
    return [list(map(d.get, columns)) for d in dicts]


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
) -> _Rows:
    from benchctl.cli._progress import progress_bar
    from benchctl.results import frame
    from benchctl.results.store import ResultStore

    if rows not in ROWS:
        raise ConfigError(f"--rows {rows!r}: choose from {', '.join(ROWS)}")
    store = ResultStore.open(db, create=False)
    if rows == "runs":  # streamed: each run is written as it is read, no dict per run
        runs = frame.iter_run_values(store, model=model, device=device, status=status)
        return _Rows(runs, frame.RUN_COLUMNS, frame.RUN_TYPES, frame.NUMBER_COLUMNS)
    with progress_bar("collecting results") as bar:  # one row per combination: bounded
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
    values = _as_values(dicts, frame.MODEL_COLUMNS)
    return _Rows(values, frame.MODEL_COLUMNS, frame.MODEL_TYPES, frozenset())


def _op_rows(db: str | None, model: str | None, device: str | None, status: str | None) -> _Rows:
    from benchctl.results import profiles
    from benchctl.results.store import ResultStore

    store = ResultStore.open(db, create=False)
    dicts = profiles.op_dicts(store, model=model, device=device, status=status)
    columns = tuple(profiles.OP_CSV_COLUMNS)
    return _Rows(_as_values(dicts, columns), columns, {}, frozenset())


def _replace(output: Path, write: Callable[[Path], None]) -> None:
    """`write` to a temporary file beside `output`, renamed to it when complete: a failed export
    (a bad row, a lost database) leaves the previous file, not half of one."""
    partial = output.with_name(f".{output.name}.partial")
    try:
        write(partial)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)


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
    from benchctl.results.export import write_csv_values

    if ops:
        got = _op_rows(db, model, device, status)
    else:
        got = _rows(
            rows, db, model, device, status, runtime, accuracy, count_facts, include_invalid
        )

    def write(stream: IO[str]) -> None:
        write_csv_values(got.values, stream, got.columns, got.numbers)

    if output is None:
        write(sys.stdout)
        return
    if output.exists() and not output.is_file():  # /dev/stdout, a pipe: as it is
        with output.open("w", encoding="utf-8", newline="") as stream:
            write(stream)
        return

    def to_file(path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as stream:  # CR LF as they are
            write(stream)

    _replace(output, to_file)


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
    from benchctl.results.export import write_parquet

    got = _rows(rows, db, model, device, status, runtime, accuracy, count_facts, include_invalid)
    output.parent.mkdir(parents=True, exist_ok=True)
    _replace(output, lambda path: write_parquet(got.values, path, got.columns, got.types))
