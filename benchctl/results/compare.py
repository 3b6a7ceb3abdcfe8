"""Two stored runs side by side (asv `compare`): ratio of medians and minima, and whether the
difference is more than noise.

The samples of each run are cut, in measured order, into `blocks` consecutive blocks; the test is
a two-sided Mann–Whitney U on the block medians (iterations within a run are autocorrelated, so
testing them one by one overstates significance). Marks, as asv prints them: `+` slower and
significant, `-` faster and significant, `~` past the threshold but not significant, blank: the
same. Two runs of different series are still compared; the fields that differ are listed.
Blocks of one run share that run's session, so only `benchctl confirm` (interleaved A/B on the
device) can say that a difference between two nights is real.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from benchctl.errors import ConfigError
from benchctl.results.record import SERIES_FIELDS
from benchctl.results.regress.history import environment_of, versions_of
from benchctl.results.regress.screen import diff_fields
from benchctl.results.schema import RunRow
from benchctl.results.store import ResultStore


@dataclass(frozen=True)
class RunComparison:
    a: str
    b: str
    description_a: str
    description_b: str
    series_differs: dict[str, list[Any]]  # series-key fields that differ (empty: same series)
    median_a_ns: float
    median_b_ns: float
    min_a_ns: float
    min_b_ns: float
    rel_change: float  # median B / median A − 1
    min_rel_change: float
    p_value: float
    blocks: int
    mark: str  # "+", "-", "~" or " "
    verdict: str
    changed_versions: dict[str, list[Any]]
    changed_environment: dict[str, list[Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def mann_whitney_p(a: list[float], b: list[float]) -> float:
    """Two-sided Mann–Whitney U p-value: exact when there are no ties (10 vs 10 blocks can reach
    p ≈ 1.1e-5), the normal approximation with tie correction otherwise."""
    from scipy.stats import mannwhitneyu

    exact = len(set(a) | set(b)) == len(a) + len(b)
    method = "exact" if exact else "asymptotic"
    return float(mannwhitneyu(b, a, alternative="two-sided", method=method).pvalue)


def block_medians(samples: list[int], blocks: int) -> list[float]:
    if len(samples) < blocks:
        raise ConfigError(f"a run with {len(samples)} samples cannot be cut into {blocks} blocks")
    return [float(np.median(chunk)) for chunk in np.array_split(np.asarray(samples), blocks)]


def _latency(row: RunRow) -> tuple[float, float]:
    """(median, min) ns of a run that has a latency to compare; ConfigError for any other."""
    if row.status != "ok" or row.median_ns is None or row.min_ns is None:
        raise ConfigError(
            f"run {row.run_id[:12]} has status {row.status} and no latency to compare"
        )
    return row.median_ns, row.min_ns


def compare_runs(
    store: ResultStore,
    a: str,
    b: str,
    *,
    threshold: float = 0.05,
    alpha: float = 0.01,
    blocks: int = 10,
) -> RunComparison:
    """Compare run `b` (candidate) with run `a` (baseline); ids or unique prefixes."""
    from benchctl.results.regress.history import describe

    if blocks < 2:
        raise ConfigError(f"--blocks must be ≥ 2, got {blocks}")
    if threshold <= 0:
        raise ConfigError(f"--threshold must be > 0, got {threshold}")
    row_a, row_b = store.run(a), store.run(b)
    (median_a, min_a), (median_b, min_b) = _latency(row_a), _latency(row_b)
    ma = block_medians(store.samples(row_a.run_id), blocks)
    mb = block_medians(store.samples(row_b.run_id), blocks)
    p = mann_whitney_p(ma, mb)
    rel = median_b / median_a - 1.0
    min_rel = min_b / min_a - 1.0
    timer = 2.0 * max(
        row_a.clock_resolution_ns or 0,
        row_a.loop_overhead_ns or 0,
        row_b.clock_resolution_ns or 0,
        row_b.loop_overhead_ns or 0,
    )
    big = abs(rel) >= threshold and abs(median_b - median_a) > timer
    if big and p <= alpha:
        mark = "+" if rel > 0 else "-"
        verdict = f"{'slower' if rel > 0 else 'faster'}: {rel * 100:+.1f} % (p = {p:.2g})"
    elif big:
        mark, verdict = "~", f"{rel * 100:+.1f} % but not significant (p = {p:.2g})"
    else:
        mark, verdict = " ", f"same within {threshold:.0%} ({rel * 100:+.1f} %, p = {p:.2g})"
    return RunComparison(
        a=row_a.run_id,
        b=row_b.run_id,
        description_a=describe(row_a),
        description_b=describe(row_b),
        series_differs={
            f: [getattr(row_a, f), getattr(row_b, f)]
            for f in (*SERIES_FIELDS, "device_name")
            if getattr(row_a, f, None) != getattr(row_b, f, None)
        },
        median_a_ns=median_a,
        median_b_ns=median_b,
        min_a_ns=min_a,
        min_b_ns=min_b,
        rel_change=rel,
        min_rel_change=min_rel,
        p_value=p,
        blocks=blocks,
        mark=mark,
        verdict=verdict,
        changed_versions=diff_fields(versions_of(row_a), versions_of(row_b)),
        changed_environment=diff_fields(environment_of(row_a), environment_of(row_b)),
    )
