"""The nightly report: Markdown for a PR comment, JSON, and the static HTML page rendered by
headless Chromium (DOM and screenshot checked)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from _regress_data import fill, noisy
from PIL import Image

from benchctl.results.regress import nightly
from benchctl.results.report import render
from benchctl.results.store import ResultStore

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@pytest.fixture
def report():
    store = ResultStore.open()
    fill(
        store,
        noisy(5.0, 20, 0.01, 1) + noisy(5.5, 15, 0.01, 2) + [6.4],
        artifact_from={20: 1, 35: 2},
        model="mobileone_s0",
    )
    fill(store, noisy(2.0, 25, 0.01, 4) + [2.4], model="mobilenetv4_conv_small", seed=1)
    fill(store, noisy(8.0, 15, 0.01, 5), model="mobilevit_xs", seed=2)
    fill(store, noisy(3.0, 12, 0.01, 7), model="fastvit_t8", seed=4)
    fill(
        store,
        [3.0],
        start=12,
        model="fastvit_t8",
        seed=5,
        environment={"before": {"thermal_state": "serious"}},
    )
    return nightly(store)


def test_markdown_leads_with_counts_and_explains_each_alert(report):
    md = render(report, "md")
    first = md.splitlines()[0]
    assert first == (
        "## benchctl nightly: 1 regression, 0 improvements, 1 environment shift, 0 failed, "
        "1 invalid, 0 insufficient data, 1 ok, 1 change point"
    )
    regression = md.split("### Regressions")[1].split("###")[0]
    assert "mobileone_s0" in regression and "**+1" in regression
    assert "artifact_sha256:" in regression
    shift = md.split("### Environment shifts")[1].split("###")[0]
    assert "mobilenetv4_conv_small" in shift and "nothing recorded" in shift
    assert "thermal state serious before the run" in md
    changes = md.split("### Change points in the histories")[1]
    assert re.search(r"5\.0\d\d ms → 5\.[45]\d\d ms \| \+\d\.\d %", changes)
    assert "<details><summary>1 series without an alert</summary>" in md


def test_json_is_the_whole_report(report):
    doc = json.loads(render(report, "json"))
    assert doc["schema"] == "benchctl.nightly" and doc["counts"]["regression"] == 1
    labels = {s["model"]: s["screening"]["label"] for s in doc["series"]}
    assert labels == {
        "mobileone_s0": "regression",
        "mobilenetv4_conv_small": "environment_shift",
        "mobilevit_xs": "ok",
        "fastvit_t8": "invalid",
    }
    fastvit = next(s for s in doc["series"] if s["model"] == "fastvit_t8")
    assert [h["valid"] for h in fastvit["history"]] == [True] * 12 + [False]


def test_json_text_is_the_report_document_one_series_per_line(report):
    text = render(report, "json")
    assert json.loads(text) == json.loads(json.dumps(report.to_dict(), default=str))
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and text.endswith("}\n")
    assert sum(line.startswith('    {"memory"') for line in lines) == len(report.series) == 4
    empty = replace(report, series=[])
    assert json.loads(render(empty, "json"))["series"] == []


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run must apt-get install -y chromium")
        pytest.skip("chromium not installed (apt-get install -y chromium); CI installs it")
    return path


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def test_html_report_renders_in_headless_chromium(report, tmp_path: Path):
    html = render(report, "html")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)|@import|<link|<script""", html)
    page = tmp_path / "nightly.html"
    page.write_text(html, encoding="utf-8")

    dom = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    cards = re.findall(r'<section class="card" data-label="([a-z_]+)"', dom)
    assert cards == ["regression", "environment_shift", "invalid", "ok"]  # alerts first
    assert dom.count("<svg") == 4  # one history plot per series, inline
    assert re.search(r'data-label="regression" data-count="1"', dom)
    assert "artifact_sha256" in dom and "thermal state serious before the run" in dom

    shot = tmp_path / "shot.png"
    _chromium(tmp_path, "--window-size=1280,1400", f"--screenshot={shot}", page.as_uri())
    with Image.open(shot) as img:
        assert img.size == (1280, 1400)
        rgb = img.convert("RGB")
        colours = {c for _, c in rgb.getcolors(maxcolors=1 << 20)}
    # The CSS and the inline SVG were applied: the regression pill's red, the environment-shift
    # orange and the plots' line grey are all on screen.
    assert (0xC6, 0x28, 0x28) in colours
    assert (0xEF, 0x6C, 0x00) in colours
    assert len(colours) > 50


def test_html_report_badges_and_plots_are_told_apart(report):
    from benchctl.results.plot import LABEL_COLOURS

    html = render(report, "html")
    badge = re.search(r'data-label="change_points"[^>]*background: (#[0-9a-f]{6})', html)
    assert badge and badge.group(1) == LABEL_COLOURS["change_points"]
    assert badge.group(1) != LABEL_COLOURS["environment_shift"]
    assert re.search(rf'data-label="invalid"[^>]*background: {LABEL_COLOURS["invalid"]}', html)
    assert LABEL_COLOURS["invalid"] != LABEL_COLOURS["failed"]
    legend = re.search(r'<p class="meta" id="legend">(.*?)</p>', html, re.S)
    assert legend and "invalid run" in legend.group(1) and "change point" in legend.group(1)
