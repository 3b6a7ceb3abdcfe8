"""Stage 1, the screen: is the newest result of a series out of line with its recent history?

Baseline (anchors_regression.md §3.4, after conbench's lookback z-score): the valid results before
the new one, cut into segments at change points (Stage 3) and at `begins_segment` notes. The level
is the median of the current segment's last `window` results; the noise scale is 1.4826 × the
median absolute residual of the last `window` results from their own segment's median (spread
pooled across segments, so a fresh segment still has a scale), floored at `scale_floor` × level
and at twice the timer floor.

A change is reported only when all three hold: robust z ≥ `z_threshold`, relative change ≥
`rel_threshold`, absolute change ≥ the absolute floor (`abs_floor_ms`, and 2 × the larger of the
clock resolution and the loop overhead stored with the runs). A change with the same versions
under test as the last good result (artifact sha256, runtime, harness version and git sha,
runner) is an *environment shift* — the device or OS moved, not the code (LNT's same-hash rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchctl.results.regress.changepoint import Split, change_points
from benchctl.results.regress.history import Point
from benchctl.results.regress.settings import DetectorSettings

LABELS = (
    "regression",
    "improvement",
    "environment_shift",
    "failed",
    "invalid",
    "insufficient_data",
    "ok",
)


@dataclass(frozen=True)
class Screening:
    """The verdict on a series' newest result, with every number that led to it."""

    label: str
    run_id: str
    reason: str
    value_ns: float | None = None
    level_ns: float | None = None  # baseline level (median of the current segment)
    scale_ns: float | None = None  # robust noise scale
    n_baseline: int = 0
    rel_change: float | None = None
    z: float | None = None
    abs_change_ns: float | None = None
    floor_ns: float | None = None
    min_rel_change: float | None = None  # the same comparison on the runs' minimum latency
    last_good: str | None = None
    persistent: int = 0  # how many results in a row (this one included) are out of line
    changed_versions: dict[str, list[Any]] = field(default_factory=dict)
    changed_environment: dict[str, list[Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def diff_fields(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)
    }


def history_splits(points: Sequence[Point], settings: DetectorSettings) -> list[Split]:
    """The series' one change-point pass: `change_points` over the values of its usable
    results (the newest included when usable), with the series' settings. The report lists
    these changes and the screen cuts its baseline at them (`baseline_starts`)."""
    return change_points(
        [p.value_ns for p in points if p.usable and p.value_ns is not None],
        min_segment=settings.min_segment,
        max_pvalue=settings.max_pvalue,
        min_magnitude=settings.rel_threshold,
        penalty=settings.penalty,
    )


def baseline_starts(
    usable: Sequence[Point], first: int, splits: Sequence[Split], settings: DetectorSettings
) -> list[int]:
    """Indices in `usable` (the screen's baseline: the history's usable results `first` …
    `first + len(usable)` − 1, the newest left out) where a segment starts: the history's change
    points inside it and `begins_segment` notes. A change point that leaves fewer than
    `min_segment` baseline results after it is the newest result's own change (it needs the
    newest as a member), so the screen judges the newest against the level before it, as a
    search over the baseline alone would: that search cannot cut so close to its end."""
    end = first + len(usable)
    cuts = {s.index - first for s in splits if first < s.index <= end - settings.min_segment}
    cuts |= {i for i, p in enumerate(usable) if p.begins_segment and i > 0}
    return sorted(cuts)


def _direction(rel: float, z: float, abs_change: float, floor: float, s: DetectorSettings) -> int:
    if abs(abs_change) < floor or abs(rel) < s.rel_threshold or abs(z) < s.z_threshold:
        return 0
    return 1 if rel > 0 else -1


def screen(
    points: Sequence[Point], settings: DetectorSettings, splits: Sequence[Split] | None = None
) -> Screening:
    """Screen `points[-1]` against the points before it (oldest first); `splits` are the
    series' change points (`history_splits(points, settings)`, computed here when not given:
    the nightly report passes the ones it lists, so each series is cut once)."""
    new = points[-1]
    begin = len(points) - 1  # the baseline's points: points[begin:-1]
    if not new.begins_segment:  # else the config starts a new baseline at this very result
        begin = next((i for i in range(begin - 1, -1, -1) if points[i].begins_segment), 0)
    ranks = [i for i, p in enumerate(points) if p.usable]  # point index of each usable result
    inside = [r for r, i in enumerate(ranks) if begin <= i < len(points) - 1]
    inside = inside[-settings.max_points :]
    usable = [points[ranks[r]] for r in inside]
    if splits is None and len(usable) >= settings.min_history:
        splits = history_splits(points, settings)
    first = inside[0] if inside else 0
    verdict = _compare(new, usable, settings, first, splits or [])
    if new.status != "ok":
        return _relabel(verdict, "failed", f"run failed: {new.status}")
    if new.validity.reasons:
        return _relabel(verdict, "invalid", "; ".join(new.validity.reasons))
    if new.excluded:
        return _relabel(verdict, "invalid", f"excluded by config: {new.excluded}")
    return verdict


def _relabel(v: Screening, label: str, reason: str) -> Screening:
    from dataclasses import replace

    return replace(v, label=label, reason=reason)


def _compare(
    new: Point,
    usable: list[Point],
    settings: DetectorSettings,
    first: int,
    splits: Sequence[Split],
) -> Screening:
    if new.value_ns is None:
        return Screening("insufficient_data", new.run_id, "no latency was measured")
    new_ns: float = new.value_ns
    if len(usable) < settings.min_history:
        return Screening(
            "insufficient_data",
            new.run_id,
            f"{len(usable)} valid result(s) before this one; need {settings.min_history}",
            value_ns=new.value_ns,
            n_baseline=len(usable),
        )
    starts = baseline_starts(usable, first, splits, settings)
    bounds = [0, *starts, len(usable)]
    current = usable[bounds[-2] :]
    if len(current) < settings.min_segment:
        return Screening(
            "insufficient_data",
            new.run_id,
            f"{len(current)} result(s) since the level changed at run "
            f"{current[0].run_id[:12]}; need {settings.min_segment}",
            value_ns=new.value_ns,
            n_baseline=len(current),
        )
    values = np.array([p.value_ns for p in usable], dtype=np.float64)
    seg_median = np.empty_like(values)
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        seg_median[lo:hi] = np.median(values[lo:hi])
    recent = slice(max(0, len(values) - settings.window), len(values))
    residuals = (values - seg_median)[recent]
    baseline = values[bounds[-2] :][-settings.window :]
    level = float(np.median(baseline))
    last_good = current[-1]
    timer = max(new.timer_floor_ns, last_good.timer_floor_ns)
    scale = max(
        1.4826 * float(np.median(np.abs(residuals))),
        settings.scale_floor * level,
        2.0 * timer,
    )
    floor = settings.abs_floor_ns(timer)

    def test(x: float) -> tuple[float, float, float, int]:
        rel, z, delta = x / level - 1.0, (x - level) / scale, x - level
        return rel, z, delta, _direction(rel, z, delta, floor, settings)

    rel, z, delta, direction = test(new_ns)
    persistent = 0
    if direction:
        persistent = 1
        for p in reversed(current):
            if p.value_ns is None or test(p.value_ns)[3] != direction:  # usable: never None
                break
            persistent += 1
    mins = [p.min_ns for p in current[-settings.window :] if p.min_ns]
    min_rel = new.min_ns / float(np.median(mins)) - 1.0 if new.min_ns and mins else None
    versions = diff_fields(last_good.versions, new.versions)
    environment = diff_fields(last_good.environment, new.environment)
    common: dict[str, Any] = dict(
        value_ns=new.value_ns,
        level_ns=level,
        scale_ns=scale,
        n_baseline=len(baseline),
        rel_change=rel,
        z=z,
        abs_change_ns=delta,
        floor_ns=floor,
        min_rel_change=min_rel,
        last_good=last_good.run_id,
        persistent=persistent,
        changed_versions=versions,
        changed_environment=environment,
    )
    if not direction:
        why = (
            f"{rel * 100:+.1f} % (z {z:+.1f}) is within thresholds "
            f"(±{settings.rel_threshold:.0%}, |z| ≥ {settings.z_threshold:g}, "
            f"≥ {floor / 1e6:.3f} ms)"
        )
        return Screening("ok", new.run_id, why, **common)
    kind = "slower" if direction > 0 else "faster"
    if not versions:
        env = ", ".join(k for k in environment) or "nothing recorded"
        return Screening(
            "environment_shift",
            new.run_id,
            f"{rel * 100:+.1f} % {kind} with the same artifact, runtime and harness as run "
            f"{last_good.run_id[:12]}; environment changed: {env}",
            **common,
        )
    label = "regression" if direction > 0 else "improvement"
    changed = ", ".join(versions)
    return Screening(
        label,
        new.run_id,
        f"{rel * 100:+.1f} % {kind} (z {z:+.1f}) than the baseline; changed: {changed}",
        **common,
    )
