"""The nightly analysis: every series' newest result screened (Stages 0–1) and its history cut at
its change points (Stage 3), each change attributed to the versions that changed across it.

The output is plain data (`NightlyReport`); `results/report.py` renders it as Markdown, HTML or
JSON. Nothing is written to the database: detector outputs are recomputed on every read, so a
change of thresholds never leaves stale verdicts behind (conbench dropped its stored ones).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from benchctl.results.regress.changepoint import Split
from benchctl.results.regress.history import Point, Series, iter_series
from benchctl.results.regress.memory import MemoryScreening, screen_memory
from benchctl.results.regress.screen import (
    LABELS,
    Screening,
    diff_fields,
    history_splits,
    screen,
)
from benchctl.results.regress.settings import DetectorSettings, RegressConfig
from benchctl.results.regress.workers import analysed_in_workers, default_workers
from benchctl.results.store import ResultStore


@dataclass(frozen=True)
class ChangeReport:
    """A level change between two consecutive valid results of a series."""

    run_id: str  # first result at the new level
    previous_run_id: str  # last result at the old level
    created_at: str
    before_ns: float
    after_ns: float
    rel_change: float
    p_value: float
    changed_versions: dict[str, list[Any]]  # what differs across the change: the suspects
    changed_environment: dict[str, list[Any]]

    @property
    def attribution(self) -> str:
        if self.changed_versions:
            return "changed: " + ", ".join(self.changed_versions)
        if self.changed_environment:
            return "no version changed; environment: " + ", ".join(self.changed_environment)
        return "nothing recorded changed (device or noise)"


@dataclass
class SeriesReport:
    key: str
    description: str
    labels: dict[str, Any]
    screening: Screening
    changes: list[ChangeReport]
    settings: DetectorSettings
    points: list[Point] = field(repr=False)
    # peak memory screened like latency (regress/memory.py), and, for a latency regression whose
    # runs carry profiles, the op types whose time moved most (results/profiles.py)
    memory: list[MemoryScreening] = field(default_factory=list)
    top_ops: list[dict[str, Any]] | None = None

    @property
    def memory_regression(self) -> bool:
        return any(m.label == "regression" for m in self.memory)

    def to_dict(self) -> dict[str, Any]:
        return {
            "memory": [m.to_dict() for m in self.memory],
            "top_moved_ops": self.top_ops,
            "series_key": self.key,
            "description": self.description,
            **self.labels,
            "screening": self.screening.to_dict(),
            "settings": asdict(self.settings),
            "change_points": [{**asdict(c), "attribution": c.attribution} for c in self.changes],
            "history": [
                {
                    "run_id": p.run_id,
                    "created_at": p.created_at.isoformat(),
                    "median_ms": None if p.value_ns is None else p.value_ns / 1e6,
                    "min_ms": None if p.min_ns is None else p.min_ns / 1e6,
                    "valid": p.usable,
                    "invalid_reasons": list(p.validity.reasons)
                    + ([f"excluded: {p.excluded}"] if p.excluded else []),
                }
                for p in self.points
            ],
        }


@dataclass
class NightlyReport:
    generated_at: datetime
    database: str
    config_source: str | None
    defaults: dict[str, Any]
    series: list[SeriesReport]

    def counts(self) -> dict[str, int]:
        seen = Counter(s.screening.label for s in self.series)
        out = {label: seen.get(label, 0) for label in LABELS}
        out["change_points"] = sum(len(s.changes) for s in self.series)
        out["memory_regression"] = sum(s.memory_regression for s in self.series)
        return out

    def with_label(self, *labels: str) -> list[SeriesReport]:
        return [s for s in self.series if s.screening.label in labels]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "benchctl.nightly",
            "version": 1,
            "generated_at": self.generated_at.isoformat(),
            "database": self.database,
            "config": self.config_source,
            "detector": self.defaults,
            "counts": self.counts(),
            "series": [s.to_dict() for s in self.series],
        }


def attribute_changes(series: Series, splits: list[Split] | None = None) -> list[ChangeReport]:
    """Change points over the series' usable results (`splits`: `history_splits` of its points,
    computed here when not given), each with the versions that changed."""
    usable = [p for p in series.points if p.usable]
    if splits is None:
        splits = history_splits(series.points, series.settings)
    out = []
    for split in splits:
        before, after = usable[split.index - 1], usable[split.index]
        out.append(
            ChangeReport(
                run_id=after.run_id,
                previous_run_id=before.run_id,
                created_at=after.created_at.isoformat(),
                before_ns=split.before,
                after_ns=split.after,
                rel_change=split.rel_change,
                p_value=split.p_value,
                changed_versions=diff_fields(before.versions, after.versions),
                changed_environment=diff_fields(before.environment, after.environment),
            )
        )
    return out


def analyze(series: Series) -> SeriesReport:
    """Screen and change points of one series, from one change-point pass over its history."""
    splits = history_splits(series.points, series.settings)
    return SeriesReport(
        key=series.key,
        description=series.description,
        labels=series.labels,
        screening=screen(series.points, series.settings, splits),
        changes=attribute_changes(series, splits),
        settings=series.settings,
        points=series.points,
    )


def analyse_series(store: ResultStore, series: Series) -> SeriesReport:
    """One series' part of the report: its screening and change points, its memory, and for a
    regression or an improvement the operators that moved most (profiles read from `store`)."""
    found = analyze(series)
    found.memory = screen_memory(series.points, series.settings)
    v = found.screening
    if v.label in ("regression", "improvement") and v.last_good:
        from benchctl.results.profiles import top_moved

        found.top_ops = top_moved(store, v.last_good, v.run_id)
    return found


def nightly(
    store: ResultStore,
    config: RegressConfig | None = None,
    *,
    model: str | None = None,
    device: str | None = None,
    since: datetime | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    workers: int | None = None,
) -> NightlyReport:
    """Analyse every series (optionally only those with a result since `since`, the others
    not read); `progress(done, total, description)` is called as each series is analysed.
    Series are read one at a time (`iter_series`), so only their points and verdicts are held.
    `workers` processes share the series (`regress.workers`; None: one per CPU where that pays,
    0: all in this process); the report is the same either way."""
    config = config or RegressConfig()
    keys = []
    for key, newest in store.series_heads(model=model, device=device):
        if newest.tzinfo is None:
            newest = newest.replace(tzinfo=UTC)
        if since is None or newest >= since:
            keys.append(key)
    if workers is None:
        workers = default_workers(len(keys))
    if workers > 0:
        batches: Iterable[list[SeriesReport]] = analysed_in_workers(
            store, config, keys, workers, analyse_series
        )
    else:
        batches = ([analyse_series(store, series)] for series in iter_series(store, config, keys))
    reports: list[SeriesReport] = []
    for batch in batches:
        for found in batch:
            if progress is not None:
                progress(len(reports), len(keys), found.description)
            reports.append(found)
    reports.sort(key=lambda r: (r.description, r.key))
    return NightlyReport(
        generated_at=datetime.now(UTC),
        database=store.location,
        config_source=config.source,
        defaults=asdict(config.defaults),
        series=reports,
    )
