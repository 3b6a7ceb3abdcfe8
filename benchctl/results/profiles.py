"""Stored per-operator profiles as plain rows: one run's operators with their share, the same
aggregated by op type, and two profiles lined up (`compare A B --ops`, the nightly report).

Shares are computed here from the stored medians (never taken from a runner): an operator's
share is its time over the sum of operator times in its run. Placement-only profiles (LiteRT,
Core ML) have no times; their rows carry the unit and, for Core ML, the estimated cost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

from benchctl.errors import ConfigError
from benchctl.results.store import ResultStore

# The `profiles` columns a `Profile` reads.
PROFILE_COLUMNS = (
    "profiler",
    "timed",
    "iterations",
    "wall_median_ns",
    "note",
    "error",
    "partitions",
)

OP_CSV_COLUMNS = (
    "run_id",
    "model",
    "runtime",
    "device",
    "profiler",
    "position",
    "name",
    "op_type",
    "unit",
    "time_ms",
    "share",
    "calls",
    "cost",
)


@dataclass
class Profile:
    run_id: str
    profiler: str
    timed: bool
    iterations: int | None
    wall_median_ns: int | None
    note: str | None
    error: str | None
    partitions: list[Any] | None
    operators: list[dict[str, Any]]  # name, op_type, unit, time_ns, calls, cost, share

    @property
    def total_ns(self) -> int | None:
        """Sum of the operators' median times (None for placement-only profiles)."""
        if not self.timed:
            return None
        return sum(o["time_ns"] or 0 for o in self.operators)

    def by_type(self) -> list[dict[str, Any]]:
        """Operators aggregated by op type, most time (or most operators) first."""
        groups: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"count": 0, "time_ns": 0, "units": defaultdict(int), "cost": 0.0}
        )
        for o in self.operators:
            g = groups[o["op_type"]]
            g["count"] += 1
            g["time_ns"] += o["time_ns"] or 0
            g["cost"] += o["cost"] or 0.0
            g["units"][o["unit"] or "?"] += 1
        total = self.total_ns or 0
        rows = [
            {
                "op_type": t,
                "count": g["count"],
                "time_ns": g["time_ns"] if self.timed else None,
                "share": g["time_ns"] / total if total else None,
                "units": dict(g["units"]),
                "cost": g["cost"] if any(o["cost"] is not None for o in self.operators) else None,
            }
            for t, g in groups.items()
        ]
        rows.sort(key=lambda r: (-(r["time_ns"] or 0), -r["count"], r["op_type"]))
        return rows

    def units(self) -> dict[str, int]:
        """How many operators ran on each unit (placement)."""
        out: dict[str, int] = defaultdict(int)
        for o in self.operators:
            out[o["unit"] or "?"] += 1
        return dict(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "profiler": self.profiler,
            "timed": self.timed,
            "iterations": self.iterations,
            "wall_median_ms": None if self.wall_median_ns is None else self.wall_median_ns / 1e6,
            "operator_total_ms": None if self.total_ns is None else self.total_ns / 1e6,
            "note": self.note,
            "error": self.error,
            "units": self.units(),
            "partitions": self.partitions,
            "by_type": [
                {**r, "time_ms": None if r["time_ns"] is None else r["time_ns"] / 1e6}
                for r in self.by_type()
            ],
            "operators": [
                {**o, "time_ms": None if o["time_ns"] is None else o["time_ns"] / 1e6}
                for o in self.operators
            ],
        }


@overload
def load(store: ResultStore, run_id: str, *, required: Literal[True] = True) -> Profile: ...
@overload
def load(store: ResultStore, run_id: str, *, required: bool) -> Profile | None: ...
def load(store: ResultStore, run_id: str, *, required: bool = True) -> Profile | None:
    """The stored profile of a run (id or unique prefix); ConfigError if `required` and none."""
    row = store.run(run_id)
    found = _stored(store, row.run_id)
    if found is None and required:
        raise ConfigError(
            f"run {row.run_id[:12]} has no profile; run it with: benchctl run --profile"
        )
    return found


def _stored(store: ResultStore, run_id: str) -> Profile | None:
    """The profile of the run with this exact id, None if it has none."""
    found = store.profile(run_id)
    return None if found is None else _profile(run_id, *found)


def _profile(run_id: str, meta: Any, ops: Sequence[Any]) -> Profile:
    """A `Profile` from its `profiles` row and its `profile_ops` rows in execution order (ORM
    objects or plain rows: attribute access either way)."""
    timed = bool(meta.timed)
    total = sum(o.time_ns or 0 for o in ops) if timed else 0
    operators = [
        {
            "position": o.position,
            "name": o.name,
            "op_type": o.op_type,
            "unit": o.unit,
            "time_ns": o.time_ns,
            "calls": o.calls,
            "cost": o.cost,
            "share": (o.time_ns or 0) / total if total else None,
        }
        for o in ops
    ]
    return Profile(
        run_id=run_id,
        profiler=meta.profiler,
        timed=timed,
        iterations=meta.iterations,
        wall_median_ns=meta.wall_median_ns,
        note=meta.note,
        error=meta.error,
        partitions=meta.partitions,
        operators=operators,
    )


def op_dicts(
    store: ResultStore,
    *,
    model: str | None = None,
    device: str | None = None,
    status: str | None = None,
    batch: int = 500,
) -> list[dict[str, Any]]:
    """One flat row per operator of each profiled run, oldest run first (`export csv --ops`).

    One query for the profiled runs (the runs table joined with `profiles`, only the columns the
    rows show) and one per `batch` of them for their operators: not two lookups per stored run.
    """
    from sqlalchemy import select

    from benchctl.results.schema import ProfileOpRow, ProfileRow, RunRow

    runs_t, prof_t, ops_t = RunRow.__table__, ProfileRow.__table__, ProfileOpRow.__table__
    query = (
        select(
            runs_t.c.run_id,
            runs_t.c.model_name,
            runs_t.c.runtime,
            runs_t.c.device_name,
            *(prof_t.c[name] for name in PROFILE_COLUMNS),
        )
        .join(prof_t, prof_t.c.run_id == runs_t.c.run_id)
        .order_by(runs_t.c.created_at.asc(), runs_t.c.run_id.desc())
    )
    for name, value in (("model_name", model), ("device_name", device), ("status", status)):
        if value:
            query = query.where(runs_t.c[name] == value)
    out: list[dict[str, Any]] = []
    with store.engine.connect() as conn:
        heads = conn.execute(query).all()
        for start in range(0, len(heads), batch):
            chunk = heads[start : start + batch]
            ops: dict[str, list[Any]] = defaultdict(list)
            for op in conn.execute(
                select(ops_t)
                .where(ops_t.c.run_id.in_([h.run_id for h in chunk]))
                .order_by(ops_t.c.run_id, ops_t.c.position)
            ):
                ops[op.run_id].append(op)
            for head in chunk:
                profile = _profile(head.run_id, head, ops[head.run_id])
                out.extend(
                    {
                        "run_id": head.run_id,
                        "model": head.model_name,
                        "runtime": head.runtime,
                        "device": head.device_name,
                        "profiler": profile.profiler,
                        **o,
                        "time_ms": None if o["time_ns"] is None else o["time_ns"] / 1e6,
                    }
                    for o in profile.operators
                )
    return out


@dataclass(frozen=True)
class OpTypeChange:
    op_type: str
    count_a: int
    count_b: int
    time_a_ns: int
    time_b_ns: int
    share_a: float | None
    share_b: float | None

    @property
    def delta_ns(self) -> int:
        return self.time_b_ns - self.time_a_ns

    @property
    def rel_change(self) -> float | None:
        return None if not self.time_a_ns else self.time_b_ns / self.time_a_ns - 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "op_type": self.op_type,
            "count_a": self.count_a,
            "count_b": self.count_b,
            "time_a_ms": self.time_a_ns / 1e6,
            "time_b_ms": self.time_b_ns / 1e6,
            "delta_ms": self.delta_ns / 1e6,
            "rel_change": self.rel_change,
            "share_a": self.share_a,
            "share_b": self.share_b,
        }


def compare(a: Profile, b: Profile) -> list[OpTypeChange]:
    """Op types of two timed profiles lined up, the largest absolute time change first.

    Op types, not operator names, are the common ground: two runtimes (or versions) fuse and
    name nodes differently, but a Conv is a Conv."""
    for p in (a, b):
        if not p.timed:
            raise ConfigError(
                f"run {p.run_id[:12]}'s profile ({p.profiler}) has placement only, no "
                "operator times to compare"
            )
    ta = {r["op_type"]: r for r in a.by_type()}
    tb = {r["op_type"]: r for r in b.by_type()}
    rows = [
        OpTypeChange(
            op_type=t,
            count_a=ta.get(t, {}).get("count", 0),
            count_b=tb.get(t, {}).get("count", 0),
            time_a_ns=ta.get(t, {}).get("time_ns") or 0,
            time_b_ns=tb.get(t, {}).get("time_ns") or 0,
            share_a=ta.get(t, {}).get("share"),
            share_b=tb.get(t, {}).get("share"),
        )
        for t in sorted(set(ta) | set(tb))
    ]
    rows.sort(key=lambda r: (-abs(r.delta_ns), r.op_type))
    return rows


def top_moved(
    store: ResultStore, before_run: str, after_run: str, n: int = 3
) -> list[dict[str, Any]] | None:
    """The `n` op types whose time moved most between two runs, when both carry timed profiles
    (the nightly report names them beside a regression: exact run ids, so no lookup of the
    runs themselves); None otherwise."""
    a = _stored(store, before_run)
    b = _stored(store, after_run)
    if a is None or b is None or not a.timed or not b.timed:
        return None
    return [c.to_dict() for c in compare(a, b)[:n]]
