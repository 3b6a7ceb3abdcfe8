"""The within-run drift stored at ingest (revision 0005) gives the validity gate the verdict its
samples give, so readers of many runs read no samples for it; where it cannot (an older run, a
config with another drift fraction, a run that is not ok) the gate reads the samples as before."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from benchctl.results import migrate
from benchctl.results.regress.history import POINT_COLUMNS, load_series
from benchctl.results.regress.settings import DetectorSettings, RegressConfig
from benchctl.results.regress.validity import check_row, needs_samples, within_run_drift
from benchctl.results.store import ResultStore, make_engine
from benchctl.results.testing import make_record

ASSETS = Path(__file__).parent / "assets"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _samples(i: int, late: float) -> list[int]:
    """100 samples whose last quarter is `late` times the first part."""
    return [
        int((1_000_000 + 997 * ((i * 31 + j) % 17)) * (late if j >= 75 else 1.0))
        for j in range(100)
    ]


@pytest.fixture
def store(tmp_path):
    store = ResultStore.open(str(tmp_path / "r.sqlite"))
    lates = [1.0, 1.0, 1.5, 1.0, 0.5, 1.0, 1.0, 1.2, 1.0, 1.0]  # DRIFT_THRESHOLD is 0.3
    for i, late in enumerate(lates):
        store.ingest(
            make_record(
                f"{i + 1:032x}",
                _samples(i, late),
                created_at=T0 + timedelta(days=i),
                accelerator_actual="cpu",
            )
        )
    store.ingest(make_record(f"{99:032x}", [5] * 10, created_at=T0, accelerator_actual="cpu"))
    return store


def _rows(store):
    return list(store.rows(POINT_COLUMNS))


def test_ingest_stores_the_gates_drift_and_the_verdicts_match_the_samples(store):
    settings = DetectorSettings()
    verdicts = []
    for row in _rows(store):
        samples = store.samples(row.run_id)
        assert row.sample_drift_fraction == settings.drift_fraction
        assert row.sample_drift == within_run_drift(samples, settings.drift_fraction, 1)
        assert not needs_samples(row, settings)
        from_samples = check_row(row, samples, settings)
        assert check_row(row, None, settings) == from_samples
        verdicts.append(from_samples)
    # the figure decides: two of the runs drifted past the threshold, the 10-sample one is
    # below min_drift_samples (no drift at all), the others are valid
    assert sum(not v.valid for v in verdicts) == 2
    assert sum(v.drift is None for v in verdicts) == 1


def test_another_fraction_or_an_older_run_reads_the_samples_with_the_same_verdicts(store):
    other = replace(DetectorSettings(), drift_fraction=0.25)
    with store.engine.begin() as conn:  # as a run stored before 0005 without a matching count
        conn.execute(
            text(
                "update runs set sample_drift = null, sample_drift_fraction = null"
                " where run_id = :r"
            ),
            {"r": f"{3:032x}"},
        )
    for row in _rows(store):
        samples = store.samples(row.run_id)
        for settings in (DetectorSettings(), other):
            older = row.sample_drift_fraction is None
            assert needs_samples(row, settings) == (older or settings is other)
            assert check_row(row, samples, settings).drift == within_run_drift(
                samples, settings.drift_fraction, settings.min_drift_samples
            )
    # the history reader asks for exactly those samples and gets the samples' verdicts
    asked: list[list[str]] = []
    real = store.samples_of
    store.samples_of = lambda ids, **kw: asked.append(list(ids)) or real(ids, **kw)  # type: ignore[method-assign]
    (series,) = load_series(store, RegressConfig())
    assert asked == [[f"{3:032x}"]]
    by_id = {p.run_id: p.validity for p in series.points}
    late = by_id[f"{3:032x}"]
    assert late.drift == within_run_drift(store.samples(f"{3:032x}"), 0.10, 20) > 0.3
    assert not late.valid and late.reasons[0].startswith("latency drifted +")


def test_a_failed_run_keeps_no_drift_and_needs_no_samples(store):
    store.ingest(
        make_record(f"{77:032x}", [], status="failed", created_at=T0, iterations_requested=100)
    )
    (row,) = [r for r in _rows(store) if r.run_id == f"{77:032x}"]
    assert row.sample_drift is None and row.sample_drift_fraction is None
    assert not needs_samples(row, DetectorSettings())
    assert check_row(row, None, DetectorSettings()).drift is None


def test_the_upgrade_to_0005_computes_the_drift_of_every_stored_run(tmp_path):
    db = tmp_path / "db_0004.sqlite"
    shutil.copyfile(ASSETS / "db_0004.sqlite", db)
    migrate.upgrade(make_engine(f"sqlite:///{db}"))
    store = ResultStore.open(str(db))
    rows = _rows(store)
    assert rows and all(r.sample_drift_fraction == 0.10 for r in rows)
    for row in rows:
        samples = store.samples(row.run_id)
        assert row.sample_drift == within_run_drift(samples, 0.10, 1)
        assert check_row(row, None, DetectorSettings()) == check_row(
            row, samples, DetectorSettings()
        )


def test_the_upgrade_reports_its_progress_once_per_batch(tmp_path):
    db = tmp_path / "db_0004.sqlite"
    shutil.copyfile(ASSETS / "db_0004.sqlite", db)
    calls: list[tuple[str, int]] = []
    migrate.upgrade(make_engine(f"sqlite:///{db}"), progress=lambda t, n: calls.append((t, n)))
    runs = len(_rows(ResultStore.open(str(db))))
    assert calls == [(f"revision 0005: the drift of {runs} of {runs} runs", 1)]
