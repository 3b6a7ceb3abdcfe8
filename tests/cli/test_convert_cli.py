from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from benchctl.cli.app import app

runner = CliRunner()


def test_convert_reports_each_target_and_failures_as_rows():
    result = runner.invoke(
        app, ["convert", "--model", "test_mobileone", "--to", "onnx,tflite-int8,edgetpu", "--json"]
    )
    doc = json.loads(result.stdout)
    rows = {r["target"]: r for r in doc["artifacts"]}
    assert rows["onnx"]["status"] == "ok" and rows["onnx"]["parity"]["passed"]
    assert rows["tflite-int8"]["status"] == "ok" and rows["tflite-int8"]["precision"] == "int8"
    if shutil.which("edgetpu_compiler") is None:
        assert rows["edgetpu"]["status"] == "conversion_failed"
        assert "edgetpu-compiler" in rows["edgetpu"]["error"]
        assert result.exit_code == 3
    again = json.loads(
        runner.invoke(
            app, ["convert", "--model", "test_mobileone", "--to", "onnx", "--json"]
        ).stdout
    )
    assert again["artifacts"][0]["reused"] is True
    assert again["artifacts"][0]["sha256"] == rows["onnx"]["sha256"]


def test_unknown_target_fails_before_any_work():
    result = runner.invoke(app, ["convert", "--model", "test_mobileone", "--to", "onnx,tflite-fp8"])
    assert result.exit_code != 0
    assert "tflite-fp8" in str(result.exception)


def test_runtimes_list_says_why_not():
    docs = json.loads(runner.invoke(app, ["runtimes", "list", "--json"]).stdout)
    by = {d["runtime"]: d for d in docs}
    assert by["onnxruntime"]["available_here"] is True
    assert by["litert"]["available_here"] is True
    if not by["coreml"]["available_here"]:
        assert "macOS" in by["coreml"]["reason"]
    assert by["tensorrt"]["reason"] or by["tensorrt"]["available_here"]
