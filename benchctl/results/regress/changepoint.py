"""Stage 3, change points: where in a series' history did the level move, and by how much?

Candidates come from PELT with the L2 cost (penalised least-squares segmentation of a
piecewise-constant mean) on the values divided by their median, so one penalty fits every
latency scale. The search is `ruptures.Pelt(model="l2", min_size=min_segment, jump=1)`'s own —
the same admissible set, pruning rule and tie-break, so the same breakpoints (the tests compare
the two on random series) — with each segment's cost read from prefix sums in O(1) and each
step's candidates costed at once with numpy, instead of ruptures' one `numpy.var` call per
candidate and step (1.9 M calls for a year of 50 series). The penalty is `penalty × σ² × ln n`
(BIC-like), σ estimated from first differences (1.4826 × MAD(Δy) / √2, robust to the steps
themselves) with a floor, so a series with almost no noise is not cut at every wobble (asv's σ₀).

Each candidate must then pass Hunter/Otava's significance rule (Fleming et al., "Hunter: Using
Change Point Detection to Hunt for Performance Regressions"; apache/otava `analysis.py`): a
two-sided Welch t-test between the segments on either side with p ≤ `max_pvalue`, a relative
change of the segment medians ≥ `min_magnitude`, and at least `min_segment` points per side
(otava PR #150). The weakest failing candidate is removed and its neighbours are re-tested until
all pass (Hunter's merge step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    """A change between values[index − 1] and values[index]."""

    index: int  # first point of the new segment
    before: float  # median of the segment before
    after: float  # median of the segment after
    rel_change: float  # after / before − 1
    p_value: float


def noise_sigma(y: np.ndarray, floor: float) -> float:
    """Robust noise scale from first differences, never below `floor`."""
    if y.size < 3:
        return floor
    d = np.diff(y)
    return max(1.4826 * float(np.median(np.abs(d - np.median(d)))) / np.sqrt(2.0), floor)


def welch_p(a: np.ndarray, b: np.ndarray, sd_floor: float) -> float:
    """Two-sided Welch t-test p-value, computed as `scipy.stats.ttest_ind_from_stats(…,
    equal_var=False)` computes it (the same operations in the same order, so the same bits; a
    test compares the two) with the t distribution of `scipy.special`: importing `scipy.stats`
    alone took half a second of every nightly report."""
    from scipy.special import stdtr

    sa = max(float(np.std(a, ddof=1)) if a.size > 1 else 0.0, sd_floor)
    sb = max(float(np.std(b, ddof=1)) if b.size > 1 else 0.0, sd_floor)
    vn1 = np.asarray(sa) ** 2 / a.size
    vn2 = np.asarray(sb) ** 2 / b.size
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (vn1 + vn2) ** 2 / (vn1**2 / (a.size - 1) + vn2**2 / (b.size - 1))
        df = np.where(np.isnan(df), 1.0, df)
        t = np.divide(np.asarray(float(a.mean())) - np.asarray(float(b.mean())), np.sqrt(vn1 + vn2))
    return float(2 * stdtr(df, -np.abs(t)))


def _test(
    y: np.ndarray, lo: int, cut: int, hi: int, sd_floor: float
) -> tuple[float, float, float, float]:
    """(p, rel_change, before, after) for the cut at `cut` between y[lo:cut] and y[cut:hi]."""
    a, b = y[lo:cut], y[cut:hi]
    before, after = float(np.median(a)), float(np.median(b))
    return welch_p(a, b, sd_floor), after / before - 1.0, before, after


def _span(cuts: list[int], i: int, n: int) -> tuple[int, int, int]:
    """The cut `cuts[i]` with its neighbours (or the series' ends)."""
    return (cuts[i - 1] if i > 0 else 0, cuts[i], cuts[i + 1] if i + 1 < len(cuts) else n)


def pelt_l2(y: np.ndarray, pen: float, min_size: int) -> list[int]:
    """Breakpoints (ends of segments, `y.size` excluded) of ruptures' PELT with the L2 cost.

    As `ruptures.Pelt._seg` with jump=1: at each end `bkp` (min_size … n−1, then n) the point
    `bkp − min_size` becomes admissible (ruptures skips, then drops, a point that has no
    partition: 1 … min_size−1); the best start is the first minimum of F(t) + (cost(t, bkp) +
    pen); a start is kept while F(t) + cost + pen ≤ F(bkp) + pen.
    """
    n = int(y.size)
    z = y - y.mean()  # the L2 cost is shift-invariant; centring keeps the prefix sums exact
    s1 = np.concatenate(([0.0], np.cumsum(z)))
    s2 = np.concatenate(([0.0], np.cumsum(z * z)))
    best = np.zeros(n + 1)  # F: optimal penalised cost of y[:t]
    start = np.zeros(n + 1, dtype=np.int64)  # where the last segment of that optimum begins
    admissible = np.empty(n + 1, dtype=np.int64)  # admissible[:k], ascending
    k = 0
    for bkp in (*range(min_size, n), n):
        new = bkp - min_size
        if new == 0 or new >= min_size:
            admissible[k] = new
            k += 1
        t = admissible[:k]
        sums = s1[bkp] - s1[t]
        cost = np.maximum(s2[bkp] - s2[t] - sums * sums / (bkp - t), 0.0)
        total = best[t] + (cost + pen)
        i = int(total.argmin())
        best[bkp], start[bkp] = total[i], t[i]
        kept = t[total <= best[bkp] + pen]
        k = kept.size
        admissible[:k] = kept
    cuts = []
    end = n
    while end > 0:
        end = int(start[end])
        if end > 0:
            cuts.append(end)
    return cuts[::-1]


def change_points(
    values: Sequence[float],
    *,
    min_segment: int = 3,
    max_pvalue: float = 0.001,
    min_magnitude: float = 0.05,
    penalty: float = 3.0,
    rel_sigma_floor: float = 0.001,
) -> list[Split]:
    """Significant level changes in `values` (positive numbers, oldest first)."""
    raw = np.asarray(values, dtype=np.float64)
    if raw.size < 2 * min_segment or not np.all(raw > 0):
        return []
    y = raw / float(np.median(raw))
    sigma = noise_sigma(y, rel_sigma_floor)
    cuts = pelt_l2(y, penalty * sigma**2 * np.log(y.size), min_segment)
    # A cut's test depends only on it and its two neighbours: after a merge only the two cuts
    # beside the removed one are tested again (the same numbers as testing all of them).
    seen: dict[tuple[int, int, int], tuple[float, float, float, float]] = {}
    while cuts:
        spans = [_span(cuts, i, y.size) for i in range(len(cuts))]
        for span in spans:
            if span not in seen:
                seen[span] = _test(y, *span, rel_sigma_floor)
        failing = [
            (p, -abs(rel), i)
            for i, (p, rel, _, _) in enumerate(seen[span] for span in spans)
            if p > max_pvalue or abs(rel) < min_magnitude
        ]
        if not failing:
            break
        _, _, weakest = max(failing)  # largest p first, then smallest magnitude
        del cuts[weakest]
    out = []
    floor = rel_sigma_floor * float(np.median(raw))
    for i, cut in enumerate(cuts):
        p, rel, before, after = _test(raw, *_span(cuts, i, raw.size), floor)
        out.append(Split(cut, before, after, rel, p))
    return out
