"""Runs as flat rows: the one shape used by `--json`, `results show` and `export csv`.

Times are given in milliseconds with full nanosecond precision (ns / 1e6), so a CSV cell and the
table printed by `results show` come from the same number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import IO, Any

from benchctl.results.schema import RunRow
from benchctl.results.stats import STATISTICS
from benchctl.runner.contention import format_cpus

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


def _ms(ns: float | int | None) -> float | None:
    """ns as ms, exact to the nanosecond's thousandth and without binary artefacts (24953718.6 ns
    is 24.9537186, not 24.953718600000002)."""
    return None if ns is None else round(ns / 1e6, 9)


def _mb(n: int | None) -> float | None:
    """Bytes as MiB (2**20), full precision."""
    return None if n is None else n / 2**20


def run_to_dict(row: RunRow, parity: dict[str, Any] | None = None) -> dict[str, Any]:
    """A run as a flat dict with the CSV columns (ms), for tables, JSON and CSV alike."""
    out: dict[str, Any] = {
        "run_id": row.run_id,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "status": row.status,
        "error_code": row.error_code,
        "error_message": row.error_message,
        "model": row.model_name,
        "format": row.artifact_format,
        "precision": row.precision,
        "runtime": row.runtime,
        "backend": row.backend,
        "accelerator_requested": row.accelerator_requested,
        "accelerator_actual": row.accelerator_actual,
        "device": row.device_name,
        "device_cpu": (row.device_class or {}).get("cpu"),
        "input_shape": "x".join(str(d) for d in row.input_shape),
        "threads": row.threads,
        "iterations": row.sample_count,
        "iterations_requested": row.iterations_requested,
        "warmup": row.warmup_iters,
        "load_ms": _ms(row.load_ns),
        "first_inference_ms": _ms(row.first_inference_ns),
        "rss_after_load_mb": _mb(row.rss_after_load_bytes),
        "peak_rss_mb": _mb(row.peak_rss_bytes),
        "device_peak_mb": _mb(row.device_peak_bytes),
        "artifact_sha256": row.artifact_sha256,
        "parity_passed": None if parity is None else parity.get("passed"),
        "parity_max_rel": None if parity is None else parity.get("max_rel"),
        "runtime_version": row.runtime_version,
        "harness_version": row.harness_version,
        "harness_git_sha": row.harness_git_sha,
        "series_key": row.series_key,
    }
    for stat in STATISTICS:  # iterations (the sample count) keeps its place above
        value = getattr(row, stat.column)
        out[stat.key] = _ms(value) if stat.unit == "ns" else value
    out.update(_conditions(row))
    return out


def _conditions(row: RunRow) -> dict[str, Any]:
    """Pinning, stopping rule and contention as recorded (runner's, else the host's figures)."""
    env = row.environment or {}
    cpus = ((row.spec or {}).get("placement") or {}).get("cpus")
    recorded = env.get("contention") or (env.get("host") or {}).get("contention") or {}
    return {
        "cpus": format_cpus(cpus) if cpus else None,
        "stopped_by": env.get("stopped_by"),
        "noisy": recorded.get("noisy"),
        "others_cpu_share": recorded.get("others_cpu_share"),
    }


def add_validity(doc: dict[str, Any], row: RunRow, samples: Sequence[int] | None) -> None:
    """`valid` and `invalid_reasons` (the nightly report's validity gate, with the project's
    detector settings) on a flat run dict, so the verdict is shown beside the median."""
    from benchctl.results.regress.history import describe
    from benchctl.results.regress.settings import load_config
    from benchctl.results.regress.validity import check_row

    verdict = check_row(row, samples, load_config().for_series(describe(row)))
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


def write_csv(
    rows: Iterable[dict[str, Any]], stream: IO[str], columns: Sequence[str] = CSV_COLUMNS
) -> None:
    """`to_csv` written to `stream` row by row (an export of every run is never one string)."""
    # RFC 4180 line ends (CR LF): a CR inside a value is then quoted too; with LF it was not.
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:  # csv_cell inlined: it ran once per cell
        writer.writerow(
            [
                ""
                if (v := row.get(k)) is None
                else ("'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
                for k in columns
            ]
        )
