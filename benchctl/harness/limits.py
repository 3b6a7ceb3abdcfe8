"""The numbers a run may ask for, each limit taken once from where it is defined, checked in one
place before any work (`check_request`, called by `run.resolve`).

Sources: the JSON contract (`spec.schema.json`: iterations, warm-up, seed, threads, time), the
results database's column types (an `Integer` column holds 32 bits on PostgreSQL, so that is what
every backend may store), and the runtime (`threading.TIMEOUT_MAX`, the longest wait Python can
arm). A value outside any of them is one line, exit 2, naming the option and the limit.
"""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING, Any

from benchctl.errors import ConfigError

if TYPE_CHECKING:
    from benchctl.harness.run import RunRequest

INT32_MAX = 2**31 - 1  # SQL INTEGER on PostgreSQL (and what every backend then may hold)
INT64_MAX = 2**63 - 1  # SQL BIGINT, SQLite INTEGER


def _schema_bounds(path: str) -> tuple[float | None, float | None, bool]:
    """(minimum, maximum, exclusive minimum) of one field of the spec schema."""
    from benchctl.runner import contract

    node: dict[str, Any] = contract.schema("spec")
    for part in path.split("/"):
        node = node["properties"][part]
    if "exclusiveMinimum" in node:
        return node["exclusiveMinimum"], node.get("maximum"), True
    return node.get("minimum"), node.get("maximum"), False


def _column_max(column: str) -> int:
    """The largest integer the runs table's `column` holds on every supported database."""
    from sqlalchemy import BigInteger

    from benchctl.results.schema import RunRow

    kind = RunRow.__table__.columns[column].type
    return INT64_MAX if isinstance(kind, BigInteger) else INT32_MAX


# option → (spec schema field, runs column or None)
_INTEGERS = {
    "--iterations": ("timing/iters", "iterations_requested"),
    "--warmup": ("timing/warmup_iters", "warmup_iters"),
    "--threads": ("backend/options/num_threads", "threads"),
    "--seed": ("inputs/seed", None),
}


def _bounds(option: str) -> tuple[float | None, float | None]:
    field, column = _INTEGERS[option]
    low, high, _ = _schema_bounds(field)
    if column is not None:
        high = min(high, _column_max(column)) if high is not None else _column_max(column)
    return low, high


def check_integer(option: str, value: int | None) -> None:
    """ConfigError unless `value` (None: not given) is within every limit for `option`."""
    if value is None:
        return
    low, high = _bounds(option)
    if low is not None and value < low:
        raise ConfigError(f"{option} must be ≥ {_num(low)}, got {_short(value)}")
    if high is not None and value > high:
        raise ConfigError(f"{option} must be ≤ {_num(high)}, got {_short(value)}")


def check_seconds(option: str, value: float, *, budget_s: float) -> None:
    """A duration: a finite number above the contract's minimum whose deadline (with `budget_s`
    added for loading) Python can still wait for."""
    low, _high, exclusive = _schema_bounds("timing/max_total_s")
    if not math.isfinite(value):
        raise ConfigError(f"{option} must be a finite number of seconds, got {value}")
    if low is not None and (value <= low if exclusive else value < low):
        raise ConfigError(f"{option} must be > {low:g}, got {value:g}")
    longest = threading.TIMEOUT_MAX - budget_s
    if value > longest:
        raise ConfigError(f"{option} must be ≤ {longest:.3g} s, got {value:g}")


def check_request(req: RunRequest, *, budget_s: float) -> None:
    """Every number of a run request, before any work."""
    check_integer("--iterations", req.iterations)
    check_integer("--warmup", req.warmup)
    check_integer("--threads", req.threads)
    check_integer("--seed", req.seed)
    if req.batch < 1 or req.batch > INT32_MAX:
        raise ConfigError(f"--batch must be between 1 and {INT32_MAX}, got {_short(req.batch)}")
    check_seconds("--max-seconds", req.max_total_s, budget_s=budget_s)


def _short(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else text[:20] + f"… ({len(text)} digits)"


def check_count(option: str, value: int | None, *, low: int = 1, high: int = INT64_MAX) -> None:
    """A count (a limit, a batch size) within [low, high]; by default what an SQL LIMIT or a
    64-bit column holds."""
    if value is None:
        return
    if not low <= value <= high:
        raise ConfigError(f"{option} must be between {low} and {high}, got {_short(value)}")


def check_hours(option: str, value: float | None) -> None:
    """A look-back in hours: finite, > 0, and a span `datetime` can subtract from now."""
    from datetime import timedelta

    if value is None:
        return
    longest = timedelta.max.total_seconds() / 3600 / 2  # now minus it must still be a date
    if not math.isfinite(value) or not 0 < value <= longest:
        raise ConfigError(f"{option} must be a number of hours in (0, {longest:.0f}], got {value}")


def _num(limit: float) -> str:
    """A limit as written in its source (an integer stays exact: 9223372036854775807)."""
    return str(limit) if isinstance(limit, int) else f"{limit:g}"
