"""`benchctl run --model` with the user's own models: a factory in their code, an ONNX file."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from benchctl.cli.app import app

runner = CliRunner()

FACTORY = """
import torch.nn as nn


def build():
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
"""


def _run(*args: str) -> dict:
    result = runner.invoke(app, ["run", *args, "-n", "30", "--warmup", "2", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_factory_model_runs_with_its_input_shape(isolated_project):
    (isolated_project / "mynet.py").write_text(FACTORY)
    doc = _run("--model", "mynet:build", "--input-shape", "3,40,48")
    assert doc["model"] == "mynet:build" and doc["input_shape"] == "1x3x40x48"
    assert doc["status"] == "ok" and doc["parity_passed"] is True
    again = _run("--model", "mynet:build", "--input-shape", "3,40,48")  # same process, again
    assert again["artifact_reused"] is True
    from benchctl.models import MODELS

    assert "mynet:build" not in MODELS  # the run carried the model; nothing was registered


def test_onnx_file_is_benchmarked_as_given(isolated_project, tiny_artifact):
    shutil.copyfile(tiny_artifact.path, isolated_project / "mine.onnx")
    doc = _run("--model", "mine.onnx")
    assert doc["status"] == "ok" and doc["model"] == "mine"
    assert doc["input_shape"] == "1x3x32x32"
    assert doc["parity_passed"] is None  # nothing to compare with, and it says so
    assert doc["artifact_sha256"] == tiny_artifact.sha256  # unchanged bytes


def test_user_model_errors_are_one_line(isolated_project, tiny_artifact):
    shutil.copyfile(tiny_artifact.path, isolated_project / "mine.onnx")
    for args, expected in [
        (["--model", "mine.onnx", "--runtime", "litert"], "runs ONNX"),
        (["--model", "nothere.onnx"], "does not exist"),
        (["--model", "absentnet:build"], "cannot import"),
        (["--model", "mine.onnx", "--batch", "2"], "--batch does not apply"),
    ]:
        result = runner.invoke(app, ["run", *args])
        assert result.exit_code != 0
        assert expected in str(result.exception), (args, result.exception)
