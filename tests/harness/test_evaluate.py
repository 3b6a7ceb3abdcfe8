"""`benchctl eval` end to end on a real (small) dataset: scikit-learn's digits, a CNN trained on
them for a few seconds (tests/harness/conftest.py), its artifacts converted and evaluated by the
runtimes that run them here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.models import MODELS

runner = CliRunner()
HERE = Path(__file__).parent


def _eval(*args: str) -> dict:
    result = runner.invoke(app, ["eval", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _by_target(doc: dict) -> dict[str, dict]:
    return {r["target"]: r for r in doc["results"]}


def test_every_artifact_is_measured_against_pytorch(digits, digits_model):
    doc = _eval(
        "--model", digits_model,
        "--dataset", str(digits.test),
        "--weights", str(digits.safetensors),
        "--to", "onnx,pt2,tflite-fp32,tflite-int8",
        "--calibration-images", str(digits.train),
    )  # fmt: skip
    assert doc["dataset"]["evaluated"] == doc["dataset"]["size"] == 450
    assert doc["preprocessing"]["input_size"] == [3, 16, 16]
    assert doc["preprocessing"]["mean"] == [0.5, 0.5, 0.5]  # the model's own data config
    rows = _by_target(doc)
    assert list(rows) == ["pytorch", "onnx", "pt2", "tflite-fp32", "tflite-int8"]
    assert all(r["status"] == "ok" and r["stored"] for r in rows.values()), rows
    ref = rows["pytorch"]
    assert ref["top1"] > 80  # chance is 10 %
    assert {rows[t]["runtime"] for t in ("onnx", "pt2", "tflite-fp32")} == {
        "onnxruntime",
        "torch",
        "litert",
    }
    fp32 = [rows[t]["top1"] for t in ("onnx", "pt2", "tflite-fp32")]
    assert max(fp32) - min(fp32) <= 0.5 and abs(fp32[0] - ref["top1"]) <= 0.5
    int8 = rows["tflite-int8"]
    assert int8["precision"] == "int8" and int8["top1"] > 50
    # Its own count, not a copy of fp32's: the delta is what its predictions scored.
    assert int8["top1_delta"] == pytest.approx(100 * int8["correct1"] / 450 - ref["top1"])
    assert int8["artifact_sha256"] != rows["tflite-fp32"]["artifact_sha256"]

    from benchctl.results.store import ResultStore

    stored = {a.target: a for a in ResultStore.open().accuracies(model=digits_model)}
    assert set(stored) == set(rows)
    assert stored["onnx"].artifact_sha256 == rows["onnx"]["artifact_sha256"]
    assert stored["onnx"].reference_top1 == ref["top1"]
    assert stored["pytorch"].module_sha256 == ref["module_sha256"]
    assert stored["tflite-int8"].dataset_sha256 == doc["dataset"]["sha256"]
    assert stored["tflite-int8"].weights_sha256 is not None


def test_factory_brings_its_own_weights_and_is_not_left_registered(
    digits, monkeypatch, isolated_project
):
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setenv("DIGITS_CNN_WEIGHTS", str(digits.state_dict))
    args = ["--model", "digits_cnn:trained", "--dataset", str(digits.test), "--limit", "60"]
    doc = _eval(*args, "--input-shape", "3,16,16")
    rows = _by_target(doc)
    assert doc["dataset"]["evaluated"] == 60 and doc["dataset"]["size"] == 450
    assert rows["pytorch"]["top1"] > 80 and abs(rows["onnx"]["top1_delta"]) <= 0.5
    assert "digits_cnn:trained" not in MODELS  # registered for the evaluation only
    again = _eval(*args, "--input-shape", "3,16,16")
    assert [r["stored"] for r in again["results"]] == [False, False]  # same key: stored once
    assert _by_target(again)["onnx"]["top1"] == rows["onnx"]["top1"]


def test_a_csv_dataset_is_the_same_dataset(digits, digits_model, isolated_project):
    lines = ["path,label"]
    for folder in sorted(digits.test.iterdir()):
        lines += [f"{p.relative_to(digits.test)},{folder.name}" for p in sorted(folder.iterdir())]
    csv_file = digits.test / "labels.csv"
    csv_file.write_text("\n".join(lines) + "\n")
    try:
        from benchctl.harness.evaluate.dataset import open_dataset

        as_csv, as_tree = open_dataset(csv_file), open_dataset(digits.test)
        assert [s.path for s in as_csv.samples] == [s.path for s in as_tree.samples]
        assert as_csv.subset(40).content_sha256() == as_tree.subset(40).content_sha256()
        subset = as_tree.subset(40)
        assert len(subset.samples) == 40 and len({s.label for s in subset.samples}) >= 8
        assert subset.samples == as_tree.subset(40).samples  # seeded: the same 40 every time
    finally:
        csv_file.unlink()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("file,label\n", "needs the columns path,label"),
        ("path,label\nnothere.png,1\n", "nothere.png' does not exist"),
        ("path,label\n0/0000.png,zero\n", "is not an integer class index"),
        ("path,label\n0/0000.png,12\n", "has label 12 but test_digits_cnn outputs 10 classes"),
    ],
)
def test_dataset_errors_are_one_line(digits, digits_model, tmp_path, content, expected):
    csv_file = digits.test / f"bad_{abs(hash(content))}.csv"
    csv_file.write_text(content)
    try:
        result = runner.invoke(
            app, ["eval", "--model", digits_model, "--dataset", str(csv_file), "--to", "pt2"]
        )
    finally:
        csv_file.unlink()
    assert getattr(result.exception, "exit_code", None) == 2, result.output  # bad input: exit 2
    assert expected in str(result.exception) and "\n" not in str(result.exception)


def test_bad_requests_fail_before_any_work(digits, digits_model, tmp_path):
    for args, expected in [
        (["--to", "nope"], "unknown conversion target"),
        (["--to", "pytorch"], "always evaluated"),
        (["--limit", "0"], "--limit must be ≥ 1"),
        (["--weights", str(tmp_path / "none.pt")], "does not exist"),
    ]:
        result = runner.invoke(
            app, ["eval", "--model", digits_model, "--dataset", str(digits.test), *args]
        )
        assert getattr(result.exception, "exit_code", None) == 2, (args, result.output)
        assert expected in str(result.exception), (args, result.exception)
    result = runner.invoke(app, ["eval", "--model", digits_model, "--dataset", str(tmp_path)])
    assert getattr(result.exception, "exit_code", None) == 2
    assert "not an ImageFolder" in str(result.exception)
    assert not (Path.cwd() / ".benchctl" / "artifacts").exists()  # nothing was built


def test_eval_help_imports_nothing_heavy():
    code = (
        "import sys; from benchctl.cli.app import main\n"
        "try: main(['eval', '--help'])\nexcept SystemExit as e: assert e.code == 0, e.code\n"
        "print('HEAVY', [m for m in ('torch', 'timm', 'onnxruntime') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--weights" in done.stdout and "--limit" in done.stdout
    assert "HEAVY []" in done.stdout


def test_measured_accuracy_sits_beside_the_latency_of_the_same_artifact(
    digits, digits_model, tmp_path
):
    import csv
    import io

    weights = ["--weights", str(digits.safetensors)]
    result = runner.invoke(
        app,
        ["run", "--model", digits_model, *weights, "-r", "onnxruntime", "-n", "100", "--json"],
    )
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    doc = _eval("--model", digits_model, "--dataset", str(digits.test), *weights, "--limit", "200")
    onnx = _by_target(doc)["onnx"]
    assert onnx["artifact_sha256"] == run["artifact_sha256"]  # the very artifact that was timed

    shown = json.loads(runner.invoke(app, ["results", "show", run["run_id"], "--json"]).stdout)
    assert [a["top1"] for a in shown["accuracy"]] == [onnx["top1"]]
    listed = json.loads(runner.invoke(app, ["results", "accuracy", "--json"]).stdout)
    assert {a["target"] for a in listed} == {"pytorch", "onnx"}

    exported = runner.invoke(
        app,
        ["export", "csv", "--rows", "models", "--include-invalid", "--published-facts-only"],
    )
    assert exported.exit_code == 0, exported.output
    (row,) = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert row["accuracy_kind"] == "measured" and float(row["accuracy_top1"]) == onnx["top1"]
    assert row["accuracy_source"] == "measured on test (200 images, --limit)"
    assert row["artifact_sha256"] == run["artifact_sha256"]

    png = tmp_path / "pareto.png"
    plot = ["plot", "pareto", "--device", "host", "--out", str(png), "--json"]
    plotted = runner.invoke(app, plot)
    # Plotted with its measured accuracy, or refused with the reason its run failed the validity
    # gate (drift on a loaded machine): never a silent "no valid results".
    if plotted.exit_code == 0:
        fig = json.loads(plotted.stdout)
        assert fig["points"][0]["accuracy_kind"] == "measured" and png.stat().st_size > 0
    else:
        message = str(plotted.exception)
        assert getattr(plotted.exception, "exit_code", None) == 2, plotted.output
        assert f"{digits_model} (onnxruntime: " in message and "validity gate" in message
