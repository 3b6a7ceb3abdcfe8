"""The report, compare, confirm, export, plot and analyze commands: end to end on real host runs
of the tiny model, and on synthetic histories where a verdict must be forced."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from benchctl.cli.app import app

sys.path.insert(0, str(Path(__file__).parents[1] / "results"))
from _regress_data import fill, noisy  # noqa: E402

runner = CliRunner()


def cli(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout


def test_commands_on_real_host_runs(shared_home: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))  # reuse the session's tiny artifact
    db = str(tmp_path / "real.sqlite")
    runs = [
        json.loads(cli("run", "--model", "test_mobileone", "-n", "100", "--db", db, "--json"))
        for _ in range(3)
    ]
    assert all(r["status"] == "ok" and r["iterations"] == 100 for r in runs)

    doc = json.loads(cli("report", "nightly", "--db", db, "--json"))
    (series,) = doc["series"]
    assert series["model"] == "test_mobileone" and len(series["history"]) == 3
    assert series["screening"]["run_id"] == runs[-1]["run_id"]
    assert series["screening"]["label"] in ("insufficient_data", "invalid")  # 2 earlier runs < 10
    md = cli("report", "nightly", "--db", db)
    assert md.startswith("## benchctl nightly: ") and "test_mobileone onnx fp32" in md
    html = tmp_path / "nightly.html"
    cli("report", "nightly", "--db", db, "--format", "html", "--out", str(html))
    assert html.read_text().count("<svg") == 1

    cmp = json.loads(
        cli("compare", runs[0]["run_id"], runs[1]["run_id"][:10], "--db", db, "--json")
    )
    assert cmp["a"] == runs[0]["run_id"] and cmp["mark"] in ("+", "-", "~", " ")
    assert cmp["median_b_ns"] / 1e6 == pytest.approx(runs[1]["median_ms"])
    assert cmp["series_differs"] == {} and cmp["blocks"] == 10

    conf = json.loads(
        cli(
            "confirm", runs[0]["run_id"], runs[2]["run_id"], "--blocks", "2",
            "--block-iterations", "20", "--extra-blocks", "0", "--db", db, "--json",
        )
    )  # fmt: skip
    assert [b["arm"] for b in conf["blocks"]] == ["A", "B", "B", "A"]
    assert conf["label"] in ("noise", "suspicious")
    assert len(json.loads(cli("results", "list", "--db", db, "--json"))) == 3  # history untouched

    rows = list(csv.DictReader(io.StringIO(cli("export", "csv", "--db", db))))
    assert [r["run_id"] for r in rows] == [r["run_id"] for r in runs]
    assert {r["valid"] for r in rows} <= {"True", "False"}
    parquet = tmp_path / "models.parquet"
    cli("export", "parquet", "--rows", "models", "--include-invalid", "--db", db, "--out",
        str(parquet))  # fmt: skip
    df = pd.read_parquet(parquet)
    assert len(df) == 1 and df.loc[0, "model"] == "test_mobileone"
    assert df.loc[0, "macs_m"] > 0 and df.loc[0, "input_shape"] == "1x3x32x32"

    roof = json.loads(
        cli(
            "analyze", "roofline", "--model", "test_mobileone", "--db", db, "--step", "50", "--json"
        )  # fmt: skip
    )
    model = roof["models"]["test_mobileone"]
    assert model["layers"] and model["macs_m"] > 0
    assert [r["ridge_point"] for r in roof["sweep"]] == [50.0 * i for i in range(11)]
    assert roof["sweep"][0]["predicted"]["test_mobileone"] == pytest.approx(model["macs_m"] * 1e6)


def test_fail_on_regression_exits_4(isolated_project):
    from benchctl.results.store import ResultStore

    store = ResultStore.open()
    fill(store, noisy(3.0, 20, 0.01, 1) + [3.6], artifact_from={20: 1})
    fill(store, noisy(2.0, 20, 0.01, 2), model="mobilevit_xs", seed=2)
    result = runner.invoke(app, ["report", "nightly", "--fail-on", "regression"])
    assert result.exit_code == 4
    assert "## benchctl nightly: 1 regression" in result.stdout
    assert "--fail-on: 1 series" in result.stderr and "regression: mobileone_s0" in result.stderr
    ok = runner.invoke(app, ["report", "nightly", "--fail-on", "failed,invalid", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["counts"]["regression"] == 1


def test_a_slowdown_with_only_the_environment_changed_is_never_a_silent_exit_0(isolated_project):
    from benchctl.results.store import ResultStore

    fill(ResultStore.open(), noisy(3.0, 20, 0.01, 1) + [5.4])  # +80 %, nothing under test changed
    quiet = runner.invoke(app, ["report", "nightly", "--fail-on", "regression", "--json"])
    assert json.loads(quiet.stdout)["counts"]["environment_shift"] == 1
    assert quiet.exit_code == 0 and "add --fail-on environment-shift" in quiet.stderr
    for spelling in ("environment-shift", "environment_shift"):  # as the report prints it too
        loud = runner.invoke(app, ["report", "nightly", "--fail-on", spelling])
        assert loud.exit_code == 4, loud.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "nightly", "--fail-on", "regresion"], "--fail-on 'regresion': choose from"),
        (["report", "nightly", "--format", "pdf"], "--format 'pdf': choose from md, html, json"),
        (["plot", "scatter", "--x", "flops"], "--x 'flops': choose from macs, params"),
        (["export", "csv", "--rows", "series"], "--rows 'series': choose from runs, models"),
        (["compare", "ab", "cd"], "no results database at"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args, message):
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "benchctl", *args], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2


def test_scatter_prints_spearman_on_published_macs(isolated_project, tmp_path: Path):
    from scipy.stats import spearmanr

    from benchctl.results.store import ResultStore

    store = ResultStore.open()
    medians = {"mobileone_s0": 1.0, "mobilenetv4_conv_small": 0.8, "mobilevit_xs": 3.0,
               "efficientnet_b0": 2.0}  # fmt: skip
    for i, (model, ms) in enumerate(medians.items()):
        fill(store, [ms], model=model, seed=i)
    out_png = tmp_path / "scatter.svg"
    doc = json.loads(
        cli("plot", "scatter", "--x", "macs", "--published", "--out", str(out_png), "--json")
    )
    from benchctl.models import get_model_spec

    macs = [get_model_spec(m).primary.macs_m for m in doc["models"]]
    lat = [medians[m] for m in doc["models"]]
    expected = spearmanr(macs, lat)
    assert doc["n"] == 4 and doc["rho"] == pytest.approx(expected.statistic)
    assert doc["p_value"] == pytest.approx(expected.pvalue)
    assert out_png.read_text().lstrip().startswith("<?xml")
    text = cli("plot", "scatter", "--x", "macs", "--published", "--out", str(out_png))
    assert f"Spearman ρ = {expected.statistic:.3f}" in text

    accuracy = tmp_path / "acc.csv"
    accuracy.write_text("model,top1\nmobilevit_xs,70.0\n")  # our own number beats the paper's
    png = tmp_path / "pareto.png"
    pareto = json.loads(
        cli(
            "plot",
            "pareto",
            "--device",
            "host",
            "--accuracy",
            str(accuracy),
            "--out",
            str(png),
            "--json",
        )  # fmt: skip
    )
    points = {p["model"]: p for p in pareto["points"]}
    assert points["mobilevit_xs"]["accuracy_top1"] == 70.0
    assert points["mobileone_s0"]["accuracy_source"] == "paper: mobileone Table 9"
    front = [
        m for m, p in sorted(points.items(), key=lambda kv: kv[1]["latency_ms"]) if p["pareto"]
    ]
    published = {m: get_model_spec(m).primary for m in medians}
    assert front[0] == "mobilenetv4_conv_small" and "mobilevit_xs" not in front
    assert all(float(published[m].top1) > 0 for m in front)
    with Image.open(png) as img:
        assert img.size == (1050, 720)
