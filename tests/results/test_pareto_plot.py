"""The Pareto figure with the whole zoo on it: sources marked, dropped models listed, outliers
flagged and kept off the axes, a log axis for latencies spanning decades, no overlapping labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchctl.models import list_models
from benchctl.results.pareto_plot import KINDS, latency_outliers
from benchctl.results.plot import pareto_figure, save


def zoo_frame(n: int = 55) -> pd.DataFrame:
    names = list_models()[:n]
    rng = np.random.default_rng(0)
    lat = np.exp(rng.uniform(np.log(1.0), np.log(200.0), len(names)))
    acc = 60 + 6 * np.log(lat) + rng.normal(0, 2, len(names))
    kinds = ["measured" if i in (3, 10) else "paper" for i in range(len(names))]
    return pd.DataFrame(
        {
            "model": names,
            "runtime": ["onnxruntime"] * len(names),
            "latency_median_ms": lat,
            "accuracy_top1": acc,
            "accuracy_kind": kinds,
            "valid_runs": 5,
            "series_median_ms": lat,
        }
    )


def _overlaps(fig) -> list[tuple[str, str]]:
    renderer = fig.canvas.get_renderer()
    texts = fig.axes[0].texts
    boxes = [t.get_window_extent(renderer) for t in texts]
    return [
        (texts[i].get_text(), texts[j].get_text())
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]


def test_the_whole_zoo_is_readable(tmp_path: Path):
    df = zoo_frame()
    df.loc[5, ["latency_median_ms", "series_median_ms"]] = [2000.0, 20.0]  # one absurd run
    df.loc[7, "accuracy_top1"] = None
    fig = pareto_figure(df, title="zoo", dropped=[("my_net", "thermal state critical")])
    save(fig, tmp_path / "zoo.png")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"  # 1 to 200 ms spans decades
    assert ax.get_xlim()[1] < 1000  # the 2 s run does not stretch the axis
    labels = [t.get_text() for t in ax.texts]
    assert len(labels) == 53 and df.loc[5, "model"] not in labels
    assert _overlaps(fig) == []
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert KINDS["measured"][2] in legend and KINDS["paper"][2] in legend
    footnote = fig._supxlabel.get_text().replace("\n", " ")
    assert "no valid run: my_net (thermal state critical)" in footnote
    assert f"no accuracy: {df.loc[7, 'model']}" in footnote
    assert f"flagged outlier: {df.loc[5, 'model']} (2000 ms, 100× the median" in footnote


def test_a_narrow_range_keeps_a_linear_axis_and_no_footnote():
    ms = [10.0, 11, 12, 13, 14, 15, 16, 17]
    df = zoo_frame(8).assign(latency_median_ms=ms, series_median_ms=ms)
    fig = pareto_figure(df)
    assert fig.axes[0].get_xscale() == "linear" and fig._supxlabel is None
    assert len(fig.axes[0].texts) == 8 and _overlaps(fig) == []


def test_outliers_by_series_and_by_gap_but_not_a_wide_zoo():
    df = zoo_frame()
    assert latency_outliers(df, "latency_median_ms") == {}  # 1-200 ms is a range, not outliers
    gap = df.copy()
    gap.loc[2, "latency_median_ms"] = 5000.0  # alone far above the rest, no series to tell
    gap.loc[2, "valid_runs"] = 1
    assert list(latency_outliers(gap, "latency_median_ms")) == [2]
    series = df.copy()
    series.loc[4, ["latency_median_ms", "series_median_ms", "valid_runs"]] = [160.0, 20.0, 3]
    assert (
        "160 ms, 8× the median of its 3 valid runs (20 ms)"
        in latency_outliers(series, "latency_median_ms")[4]
    )
    series.loc[4, "valid_runs"] = 2  # too short a history to judge
    assert latency_outliers(series, "latency_median_ms") == {}


@pytest.mark.parametrize("kind", ["measured", "file", "paper", None])
def test_each_source_has_its_marker(kind):
    df = zoo_frame(4).assign(accuracy_kind=kind)
    fig = pareto_figure(df)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[-1] == KINDS[kind or "unknown"][2]


def test_runtimes_are_not_each_others_outliers_and_invalid_points_say_so():
    df = zoo_frame(6).assign(
        runtime=["litert", "litert", "onnxruntime", "onnxruntime", "torch", "torch"],
        latency_median_ms=[0.02, 0.03, 0.03, 0.04, 0.6, 0.7],
        valid=[True, True, True, True, False, False],
    )
    df["series_median_ms"] = df["latency_median_ms"]
    assert latency_outliers(df, "latency_median_ms") == {}  # torch is 20× slower, truly
    fig = pareto_figure(df)
    assert sum(t.get_text().endswith(" [invalid]") for t in fig.axes[0].texts) == 2
