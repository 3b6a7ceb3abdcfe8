"""Synthetic series histories for measuring the detector (scripts/detector_quality.py) and for
its tests: per-run medians with chosen noise, steps, drifts and outliers, as `Point`s.

Noise is multiplicative (log-normal), as run-to-run latency spread is: a 2 % spread on a 1 ms
model and on a 100 ms model look alike after dividing by the level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np

from benchctl.results.regress.history import Point
from benchctl.results.regress.validity import Validity

VALID = Validity((), None)
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Scenario:
    """One synthetic history: `n` nightly results around `level_ms`."""

    n: int = 41
    level_ms: float = 5.0
    noise: float = 0.01  # sd of log(median): ~relative run-to-run spread
    step: float = 0.0  # relative level change …
    step_at: int | None = None  # … from this result on
    drift: float = 0.0  # relative change spread linearly over the whole history
    outlier_rate: float = 0.0  # fraction of results 30 % slower (a bad night)
    version_changes_with_step: bool = True  # the step comes with a new artifact


def values(s: Scenario, rng: np.random.Generator) -> np.ndarray:
    x = np.full(s.n, s.level_ms * 1e6)
    x *= 1.0 + s.drift * np.linspace(0.0, 1.0, s.n)
    if s.step and s.step_at is not None:
        x[s.step_at :] *= 1.0 + s.step
    x *= np.exp(rng.normal(0.0, s.noise, s.n))
    if s.outlier_rate:
        x[rng.random(s.n) < s.outlier_rate] *= 1.3
    return x


def points(
    medians_ns: Sequence[float] | np.ndarray,
    *,
    new_artifact_at: Sequence[int] = (),
    timer_floor_ns: float = 40.0,
) -> list[Point]:
    """Points for these medians, one per night; the artifact changes at `new_artifact_at`."""
    out = []
    artifact = 0
    for i, value in enumerate(medians_ns):
        if i in new_artifact_at:
            artifact += 1
        out.append(
            Point(
                run_id=f"{i:032x}",
                created_at=START + timedelta(days=i),
                status="ok",
                value_ns=float(value),
                min_ns=float(value) * 0.95,
                validity=VALID,
                versions={
                    "artifact_sha256": f"sha256:{artifact:064x}",
                    "runtime_version": "1.31.1",
                    "harness_version": "0.1.0",
                    "harness_git_sha": "a" * 40,
                    "runner": "0.1.0",
                },
                environment={"os_release": "6.1", "os_version": "#1", "unit": "host"},
                timer_floor_ns=timer_floor_ns,
            )
        )
    return out


def scenario_points(s: Scenario, rng: np.random.Generator) -> list[Point]:
    changes = (
        [s.step_at] if s.step and s.step_at is not None and s.version_changes_with_step else []
    )
    return points(values(s, rng), new_artifact_at=changes)


def same_versions(p: Point, like: Point) -> Point:
    """`p` with `like`'s versions under test (for environment-shift cases)."""
    return replace(p, versions=dict(like.versions))
