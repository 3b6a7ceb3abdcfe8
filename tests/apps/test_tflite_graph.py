"""The Android core's TFLite reader (TfliteGraph.kt) against LiteRT itself: the op-name table it
uses is generated from ai-edge-litert's schema, and on the fixture model (written with that
schema's own builder) it names the operators exactly as LiteRT's interpreter does."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GEN = REPO / "scripts" / "gen_tflite_ops.py"
FIXTURE = REPO / "tests" / "apps" / "assets" / "ops_fixture.tflite"


def _gen():
    spec = importlib.util.spec_from_file_location("gen_tflite_ops", GEN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_op_table_and_fixture_are_current():
    pytest.importorskip("ai_edge_litert")
    assert _gen().main(["--check"]) == 0, "run: python scripts/gen_tflite_ops.py"


def test_kotlin_reader_names_operators_as_litert_does(kotlin_run):
    interpreter = pytest.importorskip("ai_edge_litert.interpreter")
    it = interpreter.Interpreter(model_path=str(FIXTURE))
    litert = [
        f"{op['index']}:{op['op_name']}"
        for op in it._get_ops_details()  # noqa: SLF001 — what the host's LiteRT profiler reads
        if op["op_name"] != "DELEGATE"
    ]
    ours = json.loads((kotlin_run[1] / "tflite_ops_fixture.json").read_text())
    assert ours == litert == ["0:ADD", "1:RELU", "2:GELU"]
