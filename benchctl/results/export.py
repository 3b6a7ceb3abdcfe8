"""Runs as flat rows: the one shape used by `--json`, `results show` and `export csv`.

Times are given in milliseconds with full nanosecond precision (ns / 1e6), so a CSV cell and the
table printed by `results show` come from the same number.
"""

from __future__ import annotations

import csv
import io
import operator
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from benchctl.errors import ConfigError
from benchctl.results.schema import RunRow
from benchctl.results.stats import STATISTICS
from benchctl.runner.contention import format_cpus

if TYPE_CHECKING:
    import numpy as np

    from benchctl.results.regress.settings import RegressConfig

# The declared statistics (results.stats.Summary), in their order, under their export names (times
# in ms); the sample count is `iterations`, among the run's settings.
STAT_KEYS = tuple(s.key for s in STATISTICS)

CSV_COLUMNS = (
    "run_id",
    "created_at",
    "status",
    "error_code",
    "model",
    "format",
    "precision",
    "runtime",
    "backend",
    "accelerator_requested",
    "accelerator_actual",
    "device",
    "device_cpu",
    "input_shape",
    "threads",
    "iterations",
    "warmup",
    *(k for k in STAT_KEYS if k != "iterations"),
    "load_ms",
    "first_inference_ms",
    "rss_after_load_mb",
    "peak_rss_mb",
    "device_peak_mb",
    "artifact_sha256",
    "parity_passed",
    "parity_max_rel",
    "runtime_version",
    "harness_version",
    "harness_git_sha",
    "series_key",
    "cpus",
    "stopped_by",
    "noisy",
    "others_cpu_share",
)


# Every run is read without ORM objects and without the columns that neither `run_to_dict`, the
# validity gate nor the grouping read: the result document (the bulk of a row) and the version,
# host and device documents (JSON decoded per run: most of the read's time). Every other column
# stays, so a column `run_to_dict` starts to read (a new statistic) is read with no edit here.
UNREAD = frozenset(
    {
        "result",
        "versions",
        "host",
        "device_facts",
        "model_source_hash",
        "protocol_version",
        "clock",
        "warmup_total_ns",
        "started_at",
        "finished_at",
    }
)
ROW_COLUMNS = tuple(c.name for c in RunRow.__table__.columns if c.name not in UNREAD)
# Documents that most runs of a series hold verbatim: decoded once per distinct text (`rows`).
SHARED = ("device_class", "input_shape", "spec")

# Below this many ns (about 36 minutes) a time's ms value is closer than half an ulp to every
# number of 9 decimals: the fast path of `ns_to_ms` holds.
_EXACT_NS = 2.0**41  # a float: comparing a float with an int is slower


def ns_to_ms(ns: float | int | None) -> float | None:
    """ns as ms, exact to the nanosecond's thousandth and without binary artefacts (24953718.6 ns
    is 24.9537186, not 24.953718600000002): `round(ns / 1e6, 9)`.

    `round` with digits converts to decimal and back (a microsecond, most of an export's time
    per run); for ns with at most three decimals (an integer, or a median of integers: a
    multiple of 1/8 as a float) the exact ms value has at most nine, so the correctly rounded
    division already is the nearest float to it and `round` would return it unchanged."""
    if ns is None:
        return None
    if type(ns) is int and -_EXACT_NS < ns < _EXACT_NS:  # exactly a float, at most 2**41
        return ns / 1e6
    if type(ns) is float and -_EXACT_NS < ns < _EXACT_NS and (ns * 8).is_integer():
        return ns / 1e6
    return round(ns / 1e6, 9)


# The keys of a flat run (`run_to_dict`), in its order (and `--json`'s): `run_values` gives its
# values as one tuple, which an export of every run writes without building a dict per run.
RUN_KEYS = (
    "run_id",
    "created_at",
    "status",
    "error_code",
    "error_message",
    "model",
    "format",
    "precision",
    "runtime",
    "backend",
    "accelerator_requested",
    "accelerator_actual",
    "device",
    "device_cpu",
    "input_shape",
    "threads",
    "iterations",  # the sample count, a declared statistic, keeps its place here
    "iterations_requested",
    "warmup",
    "load_ms",
    "first_inference_ms",
    "rss_after_load_mb",
    "peak_rss_mb",
    "device_peak_mb",
    "artifact_sha256",
    "parity_passed",
    "parity_max_rel",
    "runtime_version",
    "harness_version",
    "harness_git_sha",
    "series_key",
    *(s.key for s in STATISTICS if s.column != "sample_count"),
    "cpus",
    "stopped_by",
    "noisy",
    "others_cpu_share",
)
# (column, is a time in ns) of the declared statistics after `series_key`, in their order.
_STATS = tuple((s.column, s.unit == "ns") for s in STATISTICS if s.column != "sample_count")
_STAT_NS = tuple(ns for _, ns in _STATS)
_STAT_VALUES = operator.attrgetter(*(column for column, _ in _STATS))  # a tuple: 12 of them
# The keys that hold a number computed here (ms, MiB): never text, so never a formula.
COMPUTED = frozenset(
    {"load_ms", "first_inference_ms", "rss_after_load_mb", "peak_rss_mb", "device_peak_mb"}
    | {s.key for s in STATISTICS if s.unit == "ns"}
)


def run_values(row: RunRow, parity: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """The values of `run_to_dict(row, parity)`, in `RUN_KEYS` order."""
    created, shape = row.created_at, row.input_shape
    rss, peak, device_peak = row.rss_after_load_bytes, row.peak_rss_bytes, row.device_peak_bytes
    head = (
        row.run_id,
        created.isoformat() if created else None,
        row.status,
        row.error_code,
        row.error_message,
        row.model_name,
        row.artifact_format,
        row.precision,
        row.runtime,
        row.backend,
        row.accelerator_requested,
        row.accelerator_actual,
        row.device_name,
        (row.device_class or {}).get("cpu"),
        "x".join(map(str, shape)),
        row.threads,
        row.sample_count,
        row.iterations_requested,
        row.warmup_iters,
        ns_to_ms(row.load_ns),
        ns_to_ms(row.first_inference_ns),
        None if rss is None else rss / 2**20,
        None if peak is None else peak / 2**20,
        None if device_peak is None else device_peak / 2**20,
        row.artifact_sha256,
        None if parity is None else parity.get("passed"),
        None if parity is None else parity.get("max_rel"),
        row.runtime_version,
        row.harness_version,
        row.harness_git_sha,
        row.series_key,
    )
    stats = tuple(  # ns_to_ms inlined: a call per value cost more than the fast path saves
        [
            v
            if not ns or v is None
            else v / 1e6
            if type(v) is float and -_EXACT_NS < v < _EXACT_NS and (v * 8).is_integer()
            else round(v / 1e6, 9)
            for v, ns in zip(_STAT_VALUES(row), _STAT_NS)  # noqa: B905 (one length, declared)
        ]
    )
    return head + stats + _conditions(row)


def run_to_dict(row: RunRow, parity: dict[str, Any] | None = None) -> dict[str, Any]:
    """A run as a flat dict with the CSV columns (ms), for tables, JSON and CSV alike."""
    return dict(zip(RUN_KEYS, run_values(row, parity), strict=True))


def _conditions(row: RunRow) -> tuple[Any, Any, Any, Any]:
    """Pinning, stopping rule and contention as recorded (runner's, else the host's figures):
    `cpus`, `stopped_by`, `noisy`, `others_cpu_share`."""
    env = row.environment or {}
    cpus = ((row.spec or {}).get("placement") or {}).get("cpus")
    recorded = env.get("contention") or (env.get("host") or {}).get("contention") or {}
    return (
        format_cpus(cpus) if cpus else None,
        env.get("stopped_by"),
        recorded.get("noisy"),
        recorded.get("others_cpu_share"),
    )


def add_validity(
    doc: dict[str, Any],
    row: RunRow,
    samples: Sequence[int] | np.ndarray | None,
    config: RegressConfig | None = None,
) -> None:
    """`valid` and `invalid_reasons` (the nightly report's validity gate, with the project's
    detector settings, or `config`: a reader of many runs reads it once) on a flat run dict, so
    the verdict is shown beside the median."""
    from benchctl.results.regress.history import settings_of
    from benchctl.results.regress.settings import load_config
    from benchctl.results.regress.validity import check_row

    verdict = check_row(row, samples, settings_of(row, config or load_config()))
    doc["valid"] = verdict.valid
    doc["invalid_reasons"] = "; ".join(verdict.reasons)
    if row.status == "ok":
        doc["noisy"] = any(r.startswith("noisy:") for r in verdict.reasons)


# A cell a spreadsheet would evaluate as a formula (OWASP "CSV injection"): it is written with a
# leading apostrophe, which spreadsheets show as text and drop.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: None empty, a text that starts like a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str] = CSV_COLUMNS) -> str:
    """CSV text of flat dicts (missing and None values as empty cells; numbers as numbers, text
    that a spreadsheet would run as a formula prefixed with an apostrophe)."""
    buf = io.StringIO()
    write_csv(rows, buf, columns)
    return buf.getvalue()


def _writer(stream: IO[str], columns: Sequence[str]) -> Any:
    # RFC 4180 line ends (CR LF): a CR inside a value is then quoted too; with LF it was not.
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    return writer


def write_csv(
    rows: Iterable[dict[str, Any]], stream: IO[str], columns: Sequence[str] = CSV_COLUMNS
) -> None:
    """`to_csv` written to `stream` row by row (an export of every run is never one string)."""
    writer = _writer(stream, columns)
    for row in rows:  # csv_cell inlined (it ran once per cell); csv writes None as ""
        writer.writerow(
            [
                ("'" + v if v.startswith(FORMULA_START) else v) if isinstance(v, str) else v
                for v in map(row.get, columns)
            ]
        )


def write_csv_values(
    rows: Iterable[list[Any]],
    stream: IO[str],
    columns: Sequence[str],
    numbers: Collection[str] = (),
) -> None:
    """`write_csv` of rows given as lists of values in `columns` order (changed in place), for
    an export of every run: `numbers` names the columns that only ever hold a number or None
    (computed here, as `COMPUTED`), whose cells are not checked for a formula start."""
    writer = _writer(stream, columns)
    text = [i for i, name in enumerate(columns) if name not in numbers]
    write = writer.writerow
    for cells in rows:
        for i in text:
            v = cells[i]
            if isinstance(v, str) and v.startswith(FORMULA_START):
                cells[i] = "'" + v
        write(cells)


# The Python types whose values nanoarrow converts exactly as `pyarrow.array` does, per declared
# type (`write_parquet`): a column of any other value (a bool or an int in a float column, bytes
# in a text one) goes through `pyarrow.array`, whose rules then decide, as they always did.
_EXACT_TYPES: dict[str, frozenset[type]] = {
    "int": frozenset({int, type(None)}),
    "float": frozenset({float, type(None)}),
    "bool": frozenset({bool, type(None)}),
    "": frozenset({str, type(None)}),
}


def write_parquet(
    rows: Iterable[Sequence[Any]],
    path: Path,
    columns: Sequence[str],
    types: Mapping[str, str],
    batch: int = 10_000,
) -> None:
    """Rows given as values in `columns` order as a Parquet file with one declared type per
    column (`types`: "int", "float", "bool"; any other column text), written `batch` rows per
    row group: an export of every run holds one batch, not every row. The declared types keep a
    column's type whatever the rows hold (a column of None is still a float or text column).

    A column whose values are all of its type's own Python type (or None) is built by nanoarrow
    and handed to pyarrow through the Arrow C data interface: `pyarrow.array` of Python values
    imports pandas (its pandas shim checks every object for a Series), about 0.4 s of an export,
    for nothing here. Any other column is `pyarrow.array`'s, as before."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    kinds = [types[c] if types.get(c) in arrow else "" for c in columns]  # "": text
    schema = pa.schema(
        [(c, arrow.get(k, pa.large_string())) for c, k in zip(columns, kinds, strict=True)]
    )

    def table(chunk: list[Sequence[Any]]) -> pa.Table:
        arrays = []
        for field, kind, values in zip(schema, kinds, zip(*chunk, strict=True), strict=True):
            try:
                arrays.append(_arrow_column(values, field.type, _EXACT_TYPES[kind]))
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, UnicodeError) as exc:
                raise ConfigError(
                    f"cannot write column {field.name!r} as {field.type} to Parquet ({exc}); "
                    "export csv writes every value as it is"
                ) from None
        return pa.Table.from_arrays(arrays, schema=schema)

    with pq.ParquetWriter(path, schema) as writer:
        pending: list[Sequence[Any]] = []
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                writer.write_table(table(pending))
                pending.clear()
        if pending:
            writer.write_table(table(pending))


def _arrow_column(values: Sequence[Any], type_: Any, exact: frozenset[type]) -> Any:
    """`pyarrow.array(values, type=type_)`, through nanoarrow where every value's type is in
    `exact` (the same array: `tests/results/test_export_fast.py`); nanoarrow refusing a value
    (an int past int64, a lone surrogate) leaves it to pyarrow, whose error is the one raised."""
    import pyarrow as pa

    if not exact.issuperset(map(type, values)):
        return pa.array(values, type=type_)
    import nanoarrow

    try:
        return pa.array(nanoarrow.c_array(values, type_))
    except ValueError:  # nanoarrow refuses it: pyarrow's rules decide (its error is the one raised)
        return pa.array(values, type=type_)
