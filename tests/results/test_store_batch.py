"""`ResultStore.ingest_many` stores exactly what `ingest` stores, run for run, and keeps its
idempotence; the bootstrap CI drawn from order statistics matches resampling in distribution."""

from __future__ import annotations

import numpy as np
import pytest

from benchctl.results import synthetic
from benchctl.results.frame import run_dicts
from benchctl.results.stats import bootstrap_median_ci
from benchctl.results.store import ResultStore


def test_batched_ingest_stores_what_one_by_one_ingest_stores(tmp_path):
    records = list(synthetic.history(12, 4, samples_per_run=60, seed=3))
    one = ResultStore.open(f"sqlite:///{tmp_path / 'one.sqlite'}")
    many = ResultStore.open(f"sqlite:///{tmp_path / 'many.sqlite'}")
    assert sum(one.ingest(r) for r in records) == len(records)
    assert many.ingest_many(records, batch=7) == len(records)
    assert run_dicts(one) == run_dicts(many)
    for r in records[::5]:
        assert many.samples(r.run_id) == one.samples(r.run_id) == r.samples
    # idempotent: again, and with a duplicate inside one batch, nothing new
    assert many.ingest_many([*records[:3], records[0]], batch=10) == 0
    fresh = list(synthetic.history(12, 5, samples_per_run=60, seed=3))[-12:]
    assert many.ingest_many([fresh[0], fresh[0], *fresh[1:]], batch=5) == 12
    assert len(many.runs()) == len(records) + 12


@pytest.mark.parametrize("n", [21, 400])
def test_bootstrap_ci_matches_resampling(n):
    """The interval from two Beta draws per resample agrees with brute-force resampling (many
    resamples, so both are close to the exact bootstrap interval)."""
    x = np.random.default_rng(n).lognormal(0.0, 0.1, n) * 1e6
    rng = np.random.default_rng(1)
    medians = np.median(x[rng.integers(0, n, size=(20_000, n))], axis=1)
    brute = np.quantile(medians, [0.025, 0.975])
    ours = bootstrap_median_ci(x, resamples=20_000)
    spread = float(np.subtract(*brute[::-1]))
    assert abs(ours[0] - brute[0]) < 0.05 * spread
    assert abs(ours[1] - brute[1]) < 0.05 * spread
