"""A report is built in the library (`analysis.roofline_report`) and shown one way: its JSON, its
text blocks on the terminal, or another of `analysis.report.FORMATS`."""

from __future__ import annotations

import json

import pytest

from benchctl.analysis.report import FORMATS, Note, Report, TextTable, render
from benchctl.analysis.roofline import Layer, ridge_points
from benchctl.analysis.roofline_report import RooflineReport

MODELS = {
    "c": [Layer("c1", "Conv", 1e6, 1e3, 1e3), Layer("c2", "Add", 1e3, 0.0, 8e3)],
    "m": [Layer("m1", "Gemm", 2e5, 5e4, 5e4)],
    "x": [Layer("x1", "Conv", 5e5, 1e4, 1e4)],
}


def _report(measured: dict[str, float], **options) -> RooflineReport:
    return RooflineReport.of(
        MODELS, measured, ridge_points(step=50.0), device="host", bytes_per_element=None, **options
    )


def test_the_roofline_report_is_data_json_and_text():
    report = _report({"c": 3.0, "m": 1.0, "x": 2.0}, layers=1, out=None)
    assert isinstance(report, Report)
    doc = report.to_dict()
    assert json.loads(render(report, "json")) == json.loads(json.dumps(doc, default=str))
    assert doc["best_ridge_point"] == 0.0 and doc["models"]["c"]["layers"][0]["name"] == "c1"
    assert doc["models"]["m"]["measured_median_ms"] == 1.0 and doc["out"] is None
    models, ridge, best, *layer_tables = report.blocks()
    assert isinstance(models, TextTable) and models.columns[-1] == "measured ms (host)"
    assert [r[0] for r in models.rows] == ["c", "m", "x"] and models.rows[1][-1] == "1.000"
    assert isinstance(ridge, TextTable) and ridge.rows[0][0] == "0 ★"
    assert ridge.rows[0][1] == "m < x < c" and ridge.rows[0][2] == "+1.00"
    assert best == Note("best agreement at RP = 0 MACs/byte (ρ = +1.00)")
    assert [t.title for t in layer_tables] == [f"{m}: 1 layers with most MACs" for m in "cmx"]


def test_without_three_measured_models_the_report_says_why():
    blocks = _report({"c": 1.0}).blocks()
    assert Note("ranks need measured latencies for ≥ 3 of these models on this device", "dim") in (
        blocks
    )
    assert not any(isinstance(b, Note) and b.text.startswith("wrote") for b in blocks)


def test_markdown_is_a_format_of_every_report():
    text = render(_report({"c": 3.0, "m": 1.0, "x": 2.0}, layers=1), "md")
    assert "| model | layers | MACs (M) |" in text and "|---|---|---|" in text
    assert "**c: 1 layers with most MACs**" in text
    assert "best agreement at RP = 0 MACs/byte" in text
    assert set(FORMATS) == {"json", "md"}
    with pytest.raises(ValueError, match="choose from json, md"):
        render(_report({}), "pdf")


def test_show_prints_the_blocks_as_text_and_json_as_one_document(capsys):
    from benchctl.cli.show_report import show

    report = _report({"c": 3.0, "m": 1.0, "x": 2.0}, layers=0)
    show(report, json_=True)
    assert json.loads(capsys.readouterr().out) == json.loads(render(report, "json"))
    show(report, json_=False)
    text = capsys.readouterr().out
    assert "measured ms (host)" in text and "best agreement at RP = 0 MACs/byte" in text
    assert "layers with most MACs" not in text


def test_the_pareto_report_is_built_outside_the_cli(tmp_path):
    import pandas as pd

    from benchctl.errors import ConfigError
    from benchctl.results.pareto_report import pareto_report

    everything = pd.DataFrame(
        {
            "model": ["a", "b", "c", "d", "e"],
            "runtime": ["onnxruntime"] * 4 + ["litert"],
            "valid": [True, True, True, True, False],
            "invalid_reasons": [None, None, None, None, "thermal state critical"],
            "latency_median_ms": [1.0, 2.0, 3.0, 4.0, 5.0],
            "accuracy_top1": [70.0, 75.0, 72.0, None, 80.0],
            "accuracy_source": ["paper: x"] * 5,
            "accuracy_kind": ["paper"] * 5,
            "run_id": ["1", "2", "3", "4", "5"],
        }
    )
    report = pareto_report(
        everything, device="host", stat="median", include_invalid=False, out=tmp_path / "p.png"
    )
    doc = report.to_dict()
    assert [(p["model"], p["pareto"]) for p in doc["points"]] == [
        ("a", True),
        ("b", True),
        ("c", False),
    ]
    assert doc["no_accuracy"] == ["d"] and doc["outliers"] == []
    assert doc["no_valid_run"] == [{"model": "e", "why": "litert: thermal state critical"}]
    table, *notes = report.blocks()
    assert table.rows[0] == ("a", "onnxruntime", "1.000", "70.0", "paper: x", "●")
    assert notes == [
        Note("no accuracy (not plotted): d", "dim"),
        Note("no valid run (not plotted): e: litert: thermal state critical", "dim"),
        Note(f"wrote {tmp_path / 'p.png'}"),
    ]
    marked = pareto_report(
        everything, device="host", stat="median", include_invalid=True, out=tmp_path / "p.png"
    )
    assert "e" in {p["model"] for p in marked.points} and "1 marked 'invalid'" in marked.title
    with pytest.raises(ConfigError, match="every run failed the validity gate: e"):
        pareto_report(
            everything[everything["model"] == "e"],
            device="host",
            stat="median",
            include_invalid=False,
            out=tmp_path / "p.png",
        )


def test_format_md_writes_markdown_and_an_unknown_format_is_refused_first(capsys):
    from benchctl.cli.show_report import check_format, show
    from benchctl.errors import ConfigError

    report = _report({"c": 3.0, "m": 1.0, "x": 2.0})
    show(report, json_=False, fmt="md")
    assert capsys.readouterr().out == render(report, "md")
    show(report, json_=False, fmt="json")
    assert json.loads(capsys.readouterr().out) == json.loads(render(report, "json"))
    for fmt in ("text", "md", "json"):
        check_format(fmt)
    with pytest.raises(ConfigError, match="--format 'pdf': choose from text, json, md"):
        check_format("pdf")
