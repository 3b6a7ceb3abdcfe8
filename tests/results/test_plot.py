"""Figures: Pareto front, Spearman scatter, history and roofline plots, written as PNG and SVG
and checked by opening them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from benchctl.errors import ConfigError
from benchctl.results.plot import (
    pareto_figure,
    pareto_front,
    save,
    scatter_figure,
    series_figure,
    spearman,
)

FRAME = pd.DataFrame(
    {
        "model": ["a", "b", "c", "d", "e"],
        "runtime": ["onnxruntime"] * 5,
        "latency_median_ms": [1.0, 2.0, 1.5, 3.0, 2.5],
        "latency_min_ms": [0.9, 1.9, 1.4, 2.8, 2.4],
        "accuracy_top1": [70.0, 75.0, 69.0, 78.0, 74.0],
        "macs_m": [100.0, 300.0, 200.0, 600.0, 500.0],
    }
)


def assert_png(path: Path, size: tuple[int, int]) -> None:
    with Image.open(path) as img:
        assert img.format == "PNG" and img.size == size
        gray = np.asarray(img.convert("L"), dtype=np.float64)
    assert gray.std() > 10  # not a blank canvas
    assert (gray < 128).mean() > 0.005  # dark pixels: axes, text, markers


def test_pareto_front_keeps_only_undominated_points():
    lat, acc = FRAME["latency_median_ms"].tolist(), FRAME["accuracy_top1"].tolist()
    assert [FRAME["model"][i] for i in pareto_front(lat, acc)] == ["a", "b", "d"]
    assert pareto_front([1.0, 1.0], [70.0, 71.0]) == [1]  # a tie on latency: the better one


def test_pareto_plot_png_and_svg(tmp_path: Path):
    fig = pareto_figure(FRAME, title="test")
    assert_png(save(fig, tmp_path / "p.png"), (1050, 720))
    root = ET.parse(save(fig, tmp_path / "p.svg")).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    with pytest.raises(ConfigError, match="use a .png or .svg"):
        save(fig, tmp_path / "p.jpg")


def test_pareto_needs_accuracy():
    with pytest.raises(ConfigError, match="--accuracy"):
        pareto_figure(FRAME.assign(accuracy_top1=None))


def test_spearman_matches_scipy_and_needs_three_models(tmp_path: Path):
    corr = spearman(FRAME, "macs_m", "latency_median_ms")
    assert corr.rho == pytest.approx(1.0) and corr.n == 5 and corr.p_value < 0.05
    shuffled = FRAME.assign(latency_median_ms=[3.0, 1.0, 2.5, 1.5, 2.0])
    rho = spearman(shuffled, "macs_m", "latency_median_ms").rho
    assert rho == pytest.approx(1 - 6 * 34 / 120)  # rank differences −4, 2, −2, 3, 1
    fig = scatter_figure(FRAME, "macs_m", "latency_median_ms", corr, x_label="MACs", y_label="ms")
    assert_png(save(fig, tmp_path / "s.png"), (1050, 720))
    with pytest.raises(ConfigError, match="at least 3 models"):
        spearman(FRAME.head(2), "macs_m", "latency_median_ms")


def test_history_plot(tmp_path: Path):
    from benchctl.results.regress.history import Series
    from benchctl.results.regress.nightly import analyze
    from benchctl.results.regress.settings import DetectorSettings
    from benchctl.results.regress.simulate import Scenario, scenario_points

    pts = scenario_points(Scenario(noise=0.01, step=0.1, step_at=25), np.random.default_rng(0))
    report = analyze(Series("k", "m", {}, DetectorSettings(), pts))
    assert report.changes and report.changes[0].run_id == pts[25].run_id
    assert_png(save(series_figure(report), tmp_path / "h.png"), (540, 195))
