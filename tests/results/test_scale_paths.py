"""The fast paths that readers of a year of history take (issue 19) give the answers of the plain
ones: the validity gate's median, the Welch test without scipy.stats, the run-id prefix range,
named-tuple rows with shared documents, the operator export in two queries, the schema head
written down, and the report's history plots drawn without matplotlib."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from scipy.stats import ttest_ind_from_stats

from benchctl.results import migrate
from benchctl.results.regress.changepoint import welch_p
from benchctl.results.regress.history import Series
from benchctl.results.regress.nightly import analyze
from benchctl.results.regress.settings import DetectorSettings
from benchctl.results.regress.simulate import Scenario, points, values
from benchctl.results.regress.validity import within_run_drift
from benchctl.results.sparkline import history_svg, nice_ticks
from benchctl.results.store import ResultStore
from benchctl.results.testing import make_record


def test_the_schema_head_written_in_code_is_alembics():
    assert migrate.head() == migrate.script_head()


def test_the_drift_medians_are_numpys_bit_for_bit():
    rng = np.random.default_rng(0)
    for _ in range(300):
        n = int(rng.integers(1, 700))
        x = rng.lognormal(15, 1, size=n).astype(np.int64)
        fraction = float(rng.choice([0.05, 0.1, 0.25]))
        k = max(1, int(n * fraction))
        f = x.astype(np.float64)
        expected = float(np.median(f[-k:])) / float(np.median(f[:k])) - 1.0 if n >= 20 else None
        assert within_run_drift(x, fraction, 20) == expected
        assert within_run_drift(x.tolist(), fraction, 20) == expected


def test_the_welch_p_value_is_scipy_stats_bit_for_bit():
    rng = np.random.default_rng(1)
    for _ in range(300):
        a = rng.normal(1.0, rng.uniform(1e-4, 0.1), int(rng.integers(1, 40)))
        b = rng.normal(rng.uniform(0.9, 1.1), rng.uniform(1e-4, 0.1), int(rng.integers(1, 40)))
        floor = 1e-3
        sa = max(float(np.std(a, ddof=1)) if a.size > 1 else 0.0, floor)
        sb = max(float(np.std(b, ddof=1)) if b.size > 1 else 0.0, floor)
        with np.errstate(divide="ignore", invalid="ignore"):
            ref = ttest_ind_from_stats(
                float(a.mean()), sa, a.size, float(b.mean()), sb, b.size, equal_var=False
            )
        got = welch_p(a, b, floor)
        assert got == float(ref.pvalue) or (np.isnan(got) and np.isnan(ref.pvalue))


@pytest.fixture
def store(tmp_path):
    return ResultStore.open(f"sqlite:///{tmp_path / 'r.sqlite'}")


def test_a_run_id_prefix_finds_by_range_and_stays_exact(store):
    ids = ["ab0f" + "0" * 28, "ab1f" + "0" * 28, "abf" + "0" * 29, "ac" + "0" * 30]
    for i, run_id in enumerate(ids):
        store.ingest(make_record(run_id=run_id, samples=[1000 + i] * 20))
    assert store.run("ab0").run_id == ids[0]
    assert store.run("abf").run_id == ids[2]
    assert store.run(ids[3]).run_id == ids[3]
    with pytest.raises(Exception, match="ambiguous"):
        store.run("ab")
    with pytest.raises(Exception, match="no run"):
        store.run("abe")


def test_rows_are_named_tuples_and_shared_documents_are_decoded_once(store):
    for i in range(3):
        store.ingest(make_record(run_id=f"{i:032x}", samples=[1000 + i] * 20))
    rows = list(store.rows(("run_id", "host", "input_shape"), shared=("host", "input_shape")))
    plain = list(store.rows(("run_id", "host", "input_shape")))
    assert [tuple(r) for r in rows] == [tuple(r) for r in plain]
    assert rows[0].host == plain[0].host and isinstance(rows[0].input_shape, list)
    assert rows[0].host is rows[1].host  # one object for equal texts
    key, created, run_id = next(store.rows(("series_key", "created_at", "run_id")))
    assert run_id == rows[0].run_id


def test_the_history_plot_is_one_svg_with_every_mark():
    rng = np.random.default_rng(0)
    pts = points(values(Scenario(n=40, step=0.2, step_at=20), rng), new_artifact_at=[20])
    report = analyze(Series("k", "d", {}, DetectorSettings(), pts))
    assert report.changes
    svg = history_svg(report)
    root = ET.fromstring(svg)  # well-formed
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.count("<svg") == 1 and " id=" not in svg and "<script" not in svg
    assert "stroke-dasharray" in svg  # the change point
    assert "median ms" in svg and "run, oldest → newest" in svg
    assert history_svg(report) == svg  # the same report, the same bytes
    x_ticks = re.findall(r'text-anchor="middle"[^>]*>(\d+)</text>', svg)
    assert x_ticks == ["0", "10", "20", "30"]  # run numbers, up to the newest (39)


@pytest.mark.parametrize(
    ("lo", "hi", "integer", "expected"),
    [
        (0.0, 1.0, False, [0.0, 0.25, 0.5, 0.75, 1.0]),
        (4.93, 6.41, False, [5.0, 5.5, 6.0]),
        (0, 39, True, [0, 10, 20, 30]),
        (0, 2, True, [0, 1, 2]),
        (3.0, 3.0, False, [3.0]),
    ],
)
def test_ticks_are_round_numbers_inside_the_range(lo, hi, integer, expected):
    assert nice_ticks(lo, hi, target=5 if integer else 4, integer=integer) == expected
