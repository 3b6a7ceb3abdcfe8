"""The prefix-sum PELT search (`changepoint.pelt_l2`) gives ruptures' own breakpoints, and a
series' change points are computed once, for the screen and the report alike."""

from __future__ import annotations

import importlib
from dataclasses import replace

import numpy as np
import pytest
import ruptures as rpt

from benchctl.results.regress import changepoint
from benchctl.results.regress.changepoint import noise_sigma, pelt_l2
from benchctl.results.regress.history import Series
from benchctl.results.regress.nightly import analyze
from benchctl.results.regress.screen import screen
from benchctl.results.regress.settings import DetectorSettings
from benchctl.results.regress.simulate import Scenario, points, values
from benchctl.results.regress.validity import Validity


def _series(rng: np.random.Generator, n: int) -> np.ndarray:
    sc = Scenario(
        n=n,
        noise=float(rng.choice([0.001, 0.005, 0.02, 0.05])),
        step=float(rng.choice([0.0, 0.03, 0.1, -0.1])),
        step_at=int(rng.integers(1, n)),
        drift=float(rng.choice([0.0, 0.2])),
        outlier_rate=float(rng.choice([0.0, 0.05])),
    )
    raw = values(sc, rng)
    return raw / np.median(raw)


@pytest.mark.parametrize("min_size", [1, 2, 3, 5])
def test_the_search_finds_ruptures_breakpoints(min_size):
    rng = np.random.default_rng(min_size)
    for _ in range(40):
        y = _series(rng, int(rng.integers(2 * min_size, 70)))
        pen = 3.0 * noise_sigma(y, 0.001) ** 2 * np.log(y.size)
        expected = rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(y.reshape(-1, 1))
        assert pelt_l2(y, pen, min_size) == expected.predict(pen=pen)[:-1]


def test_ties_between_equal_values_break_as_ruptures_does():
    y = np.array([1.0] * 6 + [1.1] * 6 + [1.0] * 6)
    assert (
        pelt_l2(y, 1e-4, 3)
        == rpt.Pelt(model="l2", min_size=3, jump=1).fit(y.reshape(-1, 1)).predict(pen=1e-4)[:-1]
        == [6, 12]
    )


def _counting(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = changepoint.change_points

    def counted(values, **kw):
        calls.append(len(values))
        return real(values, **kw)

    # the module, not the `screen` function the package exports under the same name
    monkeypatch.setattr(importlib.import_module(screen.__module__), "change_points", counted)
    return calls


def test_change_points_run_once_when_the_newest_result_is_not_usable(monkeypatch):
    calls = _counting(monkeypatch)
    rng = np.random.default_rng(0)
    pts = points(values(Scenario(n=40, step=0.2, step_at=20), rng), new_artifact_at=[20])
    failed = [
        *pts[:-1],
        replace(pts[-1], status="error", value_ns=None, validity=Validity(("status error",), None)),
    ]
    report = analyze(Series("k", "d", {}, DetectorSettings(), failed))
    assert report.screening.label == "failed" and len(report.changes) == 1
    assert calls == [39]


def test_change_points_run_once_when_the_newest_result_is_usable(monkeypatch):
    calls = _counting(monkeypatch)
    rng = np.random.default_rng(0)
    pts = points(values(Scenario(n=40, step=0.2, step_at=20), rng), new_artifact_at=[20])
    report = analyze(Series("k", "d", {}, DetectorSettings(), pts))
    assert report.screening.label == "ok" and [c.run_id for c in report.changes] == [pts[20].run_id]
    assert calls == [40]  # one pass over the history, the newest included


def test_a_step_that_needs_the_newest_result_is_listed_and_still_alerts():
    """The step is three results old, the newest among them: the history's pass lists it as a
    change, and the screen judges the newest against the level before it (the baseline holds
    only two results at the new level, fewer than `min_segment`), so it alerts."""
    rng = np.random.default_rng(1)
    pts = points(
        values(Scenario(n=40, noise=0.005, step=0.2, step_at=37), rng), new_artifact_at=[37]
    )
    settings = DetectorSettings()
    assert settings.min_segment == 3
    report = analyze(Series("k", "d", {}, settings, pts))
    assert [c.run_id for c in report.changes] == [pts[37].run_id]
    # an alert, +20 % over three results (the last good one already ran the new artifact, so
    # it reads as an environment shift), and the same verdict standalone
    verdict = report.screening
    assert verdict.label == "environment_shift" and verdict.persistent == 3
    assert verdict.rel_change == pytest.approx(0.2, abs=0.03)
    assert screen(pts, settings) == verdict
