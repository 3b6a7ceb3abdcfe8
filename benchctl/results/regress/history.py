"""A series' history as the detector sees it: one `Point` per stored run, oldest first.

The unit is the run's median latency (asv, PyTorch HUD); the min is carried as a secondary
signal. Each point also carries its versions under test (to tell a code change from a device
change) and its environment (to say what changed when nothing under test did).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from benchctl.results.regress.settings import DetectorSettings, RegressConfig
from benchctl.results.regress.validity import (
    STORED_DRIFT_COLUMNS,
    Validity,
    check_row,
    needs_samples,
)
from benchctl.results.schema import RunRow
from benchctl.results.store import ResultStore

# Versions under test (DESIGN §6): recorded per run, compared between last-good and candidate.
VERSION_FIELDS = ("artifact_sha256", "runtime_version", "harness_version", "harness_git_sha")

# Every column `to_point` reads (and nothing else: no spec, no result document, no samples).
POINT_COLUMNS = (
    "run_id",
    "created_at",
    "status",
    "series_key",
    "model_name",
    "artifact_format",
    "precision",
    "runtime",
    "accelerator_requested",
    "accelerator_actual",
    "device_name",
    "input_shape",
    "threads",
    "sample_count",
    "iterations_requested",
    "median_ns",
    "min_ns",
    "clock_resolution_ns",
    "loop_overhead_ns",
    "peak_rss_bytes",
    "device_peak_bytes",
    *VERSION_FIELDS,
    "versions",
    "host",
    "device_facts",
    "environment",
    *STORED_DRIFT_COLUMNS,
)
# Documents most runs of a series share verbatim: decoded once per distinct text (`rows`).
SHARED_COLUMNS = ("input_shape", "versions", "host", "device_facts")


@dataclass(frozen=True)
class Point:
    run_id: str
    created_at: datetime
    status: str
    value_ns: float | None  # median latency of the run
    min_ns: float | None
    validity: Validity
    versions: dict[str, Any]
    environment: dict[str, Any]
    timer_floor_ns: float  # max(clock resolution, loop overhead): nothing below it is real
    excluded: str | None = None  # reason from the config's [[exclude]]
    begins_segment: str | None = None  # reason from the config's [[begins_segment]]
    peak_rss_bytes: int | None = None  # the runner's memory (regress/memory.py screens it)
    device_peak_bytes: int | None = None

    @cached_property  # read several times per point by the screen, the report and the plot
    def usable(self) -> bool:
        """May stand in a baseline: valid, not excluded, and measured."""
        return self.validity.valid and self.excluded is None and self.value_ns is not None


@dataclass
class Series:
    key: str
    description: str
    labels: dict[str, Any]
    settings: DetectorSettings
    points: list[Point] = field(default_factory=list)


def describe(row: RunRow) -> str:
    """One line that names a series for people and for override regexes."""
    shape = "x".join(str(d) for d in row.input_shape)
    threads = row.threads if row.threads is not None else "default"
    return (
        f"{row.model_name} {row.artifact_format} {row.precision} {row.runtime} "
        f"{row.accelerator_requested} {row.device_name} {shape} threads={threads}"
    )


def settings_of(row: Any, config: RegressConfig) -> DetectorSettings:
    """`config.for_series(describe(row))`, without describing the row when the config has no
    override that could match (the common case; readers of every run call this per run)."""
    if not config.overrides:
        return config.defaults
    return config.for_series(describe(row))


def _labels(row: RunRow) -> dict[str, Any]:
    return {
        "model": row.model_name,
        "format": row.artifact_format,
        "precision": row.precision,
        "runtime": row.runtime,
        "accelerator": row.accelerator_requested,
        "device": row.device_name,
        "input_shape": "x".join(str(d) for d in row.input_shape),
        "threads": row.threads,
    }


def versions_of(row: RunRow) -> dict[str, Any]:
    out = {name: getattr(row, name) for name in VERSION_FIELDS}
    out["runner"] = (row.versions or {}).get("runner")
    return out


def environment_of(row: RunRow) -> dict[str, Any]:
    """The discrete environment facts compared between runs (continuous readings like
    temperature or load are gated on, not compared: they differ every run)."""
    facts = row.device_facts or row.host or {}
    env = row.environment or {}
    before = env.get("before") or (env.get("host") or {}).get("before") or {}
    return {
        "os_release": facts.get("os_release"),
        "os_version": facts.get("os_version"),
        "unit": facts.get("hostname") or facts.get("serial"),
        "thermal_state": before.get("thermal_state") or before.get("thermal_status"),
    }


def _note(run_id: str, notes: tuple[Any, ...]) -> str | None:
    for note in notes:
        if run_id.startswith(note.run):
            return note.reason or "(no reason given)"
    return None


def to_point(
    row: RunRow,
    samples: list[int] | None,
    config: RegressConfig,
    validity: Validity | None = None,
) -> Point:
    """The detector's view of a stored run; `validity`, when given, is the gate's verdict on it
    already taken (from its samples), else the gate runs here on `samples`."""
    if validity is None:
        validity = check_row(row, samples, settings_of(row, config))
    return Point(
        run_id=row.run_id,
        created_at=row.created_at,
        status=row.status,
        value_ns=row.median_ns,
        min_ns=row.min_ns,
        validity=validity,
        versions=versions_of(row),
        environment=environment_of(row),
        timer_floor_ns=float(max(row.clock_resolution_ns or 0, row.loop_overhead_ns or 0)),
        excluded=_note(row.run_id, config.exclude),
        begins_segment=_note(row.run_id, config.begins_segment),
        peak_rss_bytes=row.peak_rss_bytes,
        device_peak_bytes=row.device_peak_bytes,
    )


def _longest_history(config: RegressConfig) -> int:
    """The most runs any series' settings keep (`max_points`, overrides included)."""
    return max(
        [config.defaults.max_points, *(o.values.get("max_points", 0) for o in config.overrides)]
    )


def iter_series(
    store: ResultStore,
    config: RegressConfig,
    keys: Sequence[str],
) -> Iterator[Series]:
    """The series `keys`, one at a time, each with its last `max_points` runs, oldest first.

    Each series is two reads: the `POINT_COLUMNS` of its newest runs (the series index
    `ix_runs_series_created` finds them; no spec, no result document, no samples), then the
    samples of only those of its runs whose validity needs them (`validity.needs_samples`: an
    ok run with neither the harness's drift check nor one stored at ingest), dropped once the
    gate has read them. So a reader of a year of history holds one series' runs at a time, never
    every sample."""
    longest = _longest_history(config)
    with store.reading():  # every query on one connection
        for key in keys:
            series = _read_series(store, config, key, longest)
            if series is not None:
                yield series


def _read_series(
    store: ResultStore, config: RegressConfig, key: str, longest: int
) -> Series | None:
    rows = list(store.rows(POINT_COLUMNS, series_key=key, limit=longest, shared=SHARED_COLUMNS))
    if not rows:
        return None
    head = rows[0]  # newest first
    description = describe(head)
    settings = config.for_series(description)
    rows = rows[: settings.max_points]
    each = [(row, settings_of(row, config)) for row in reversed(rows)]
    unread = [row.run_id for row, s in each if needs_samples(row, s)]
    samples = dict(store.samples_of(unread)) if unread else {}
    points = [
        to_point(row, None, config, check_row(row, samples.get(row.run_id), s)) for row, s in each
    ]
    return Series(key, description, _labels(head), settings, points)


def load_series(
    store: ResultStore,
    config: RegressConfig,
    *,
    model: str | None = None,
    device: str | None = None,
) -> list[Series]:
    """Every series in the store (filtered), each with its last `max_points` runs, oldest
    first, sorted by description (`iter_series`, all at once)."""
    keys = [key for key, _ in store.series_heads(model=model, device=device)]
    out = list(iter_series(store, config, keys))
    out.sort(key=lambda s: (s.description, s.key))
    return out
