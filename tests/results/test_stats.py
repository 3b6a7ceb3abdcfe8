from __future__ import annotations

import numpy as np
import pytest

from benchctl.results.stats import bootstrap_median_ci, summarize


def test_summary_matches_definitions_on_known_sample():
    s = summarize([1, 2, 3, 4, 100])
    assert s.count == 5
    assert (s.min, s.max, s.median) == (1, 100, 3)
    assert s.mean == pytest.approx(22.0)
    assert s.std == pytest.approx(np.std([1, 2, 3, 4, 100], ddof=1))
    assert s.mad == 1.0  # |x - 3| = 2,1,0,1,97 → median 1
    assert s.iqr == 2.0  # q75 4 − q25 2
    assert s.p90 == pytest.approx(np.percentile([1, 2, 3, 4, 100], 90))
    assert s.cv == pytest.approx(s.std / s.mean)


def test_percentiles_on_a_large_sample():
    rng = np.random.default_rng(1)
    x = rng.integers(1_000_000, 2_000_000, size=1000)
    s = summarize(x)
    assert s.p99 == pytest.approx(np.percentile(x, 99))
    assert s.p90 <= s.p99 <= s.max
    assert s.min <= s.ci95_low <= s.median <= s.ci95_high <= s.max


def test_bootstrap_ci_is_deterministic_and_narrows_with_more_data():
    rng = np.random.default_rng(2)
    small = rng.normal(100, 10, size=50)
    large = rng.normal(100, 10, size=5000)
    assert bootstrap_median_ci(small) == bootstrap_median_ci(small)
    w_small = np.subtract(*bootstrap_median_ci(small)[::-1])
    w_large = np.subtract(*bootstrap_median_ci(large)[::-1])
    assert w_large < w_small / 3


def test_constant_and_single_samples():
    s = summarize([5, 5, 5])
    assert s.std == 0 and s.cv == 0 and s.ci95_low == s.ci95_high == 5
    one = summarize([7])
    assert one.count == 1 and one.std == 0 and one.median == 7


def test_empty_sample_is_refused():
    with pytest.raises(ValueError):
        summarize([])
