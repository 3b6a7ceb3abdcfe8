"""The memory screen: is the newest result's peak memory out of line with its series' history?

Peak memory (the runner process's resident high-water mark, and the accelerator allocator's peak
where measured) is screened like latency but by a simpler rule, because it barely varies from run
to run of the same artifact: the baseline is the median over the last `window` valid results
that measured it, and a change counts when it is at least `MEMORY_REL_THRESHOLD` of that level
and at least `MEMORY_ABS_FLOOR_BYTES` (a model that doubles its memory is a regression, a
process that grew by a page is not). Results that measured no memory are skipped, not zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from benchctl.results.regress.history import Point
from benchctl.results.regress.screen import diff_fields
from benchctl.results.regress.settings import DetectorSettings

MEMORY_REL_THRESHOLD = 0.10
MEMORY_ABS_FLOOR_BYTES = 8 * 2**20
METRICS = ("peak_rss_bytes", "device_peak_bytes")


@dataclass(frozen=True)
class MemoryScreening:
    label: str  # regression, improvement, ok, insufficient_data
    metric: str
    run_id: str
    reason: str
    value_bytes: int | None = None
    level_bytes: float | None = None
    rel_change: float | None = None
    n_baseline: int = 0
    last_good: str | None = None
    changed_versions: dict[str, list[Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


def screen_metric(
    points: Sequence[Point], metric: str, settings: DetectorSettings
) -> MemoryScreening | None:
    """Screen `points[-1]`'s `metric`; None when the newest result did not measure it."""
    new = points[-1]
    value = getattr(new, metric)
    if value is None or new.status != "ok" or not new.validity.valid:
        return None
    history = [p for p in points[:-1] if p.usable and getattr(p, metric) is not None]
    history = history[-settings.window :]
    if len(history) < settings.min_history:
        return MemoryScreening(
            "insufficient_data",
            metric,
            new.run_id,
            f"{len(history)} earlier result(s) measured {metric}; need {settings.min_history}",
            value_bytes=value,
            n_baseline=len(history),
        )
    level = float(np.median([getattr(p, metric) for p in history]))
    rel = value / level - 1.0 if level else 0.0
    delta = value - level
    common = dict(
        value_bytes=value,
        level_bytes=level,
        rel_change=rel,
        n_baseline=len(history),
        last_good=history[-1].run_id,
        changed_versions=diff_fields(history[-1].versions, new.versions),
    )
    if abs(rel) < MEMORY_REL_THRESHOLD or abs(delta) < MEMORY_ABS_FLOOR_BYTES:
        why = (
            f"{_mib(value)} vs {_mib(level)} ({rel * 100:+.1f} %): within "
            f"±{MEMORY_REL_THRESHOLD:.0%} or {_mib(MEMORY_ABS_FLOOR_BYTES)}"
        )
        return MemoryScreening("ok", metric, new.run_id, why, **common)
    label = "regression" if delta > 0 else "improvement"
    changed = ", ".join(common["changed_versions"]) or "nothing under test"
    why = f"{_mib(value)} vs {_mib(level)} ({rel * 100:+.1f} %); changed: {changed}"
    return MemoryScreening(label, metric, new.run_id, why, **common)


def screen_memory(points: Sequence[Point], settings: DetectorSettings) -> list[MemoryScreening]:
    """One screening per memory metric the newest result measured."""
    out = []
    for metric in METRICS:
        found = screen_metric(points, metric, settings)
        if found is not None:
            out.append(found)
    return out
