"""The JSON contract: golden examples are valid, and broken documents are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchctl.runner import contract
from benchctl.runner.contract.testing import DELETE, with_field
from benchctl.runner.run import capabilities

GOLDEN = {
    "spec": ["spec.json", "spec_profile.json"],
    "result": ["result.json", "result_error.json", "result_profile.json"],
    "capabilities": ["capabilities.json"],
}


def _load(name: str) -> dict:
    return json.loads((contract.EXAMPLES / name).read_text())


@pytest.mark.parametrize(("kind", "name"), [(k, n) for k, names in GOLDEN.items() for n in names])
def test_golden_examples_are_valid(kind, name):
    contract.validate(kind, _load(name))


def test_every_example_file_is_covered():
    files = {p.name for p in contract.EXAMPLES.glob("*.json")}
    assert files == {n for names in GOLDEN.values() for n in names}


BAD_RESULTS = {
    "wrong schema name": ("schema", "benchctl.spec"),
    "float sample": ("timing_ns.samples.0", 1.5),
    "zero sample": ("timing_ns.samples.0", 0),
    "negative sample": ("timing_ns.samples.1", -10),
    "absurd sample (over an hour)": ("timing_ns.samples.2", 4_000_000_000_000),
    "string sample": ("timing_ns.samples.0", "12"),
    "bad run id": ("run_id", "../../etc/passwd"),
    "unknown status": ("status", "great"),
    "ok with an error": ("error", {"code": "X", "message": "y"}),
    "ok without samples": ("timing_ns.samples", []),
    "ok without load time": ("timing_ns.load", DELETE),
    "missing runner": ("runner", DELETE),
    "bad sha": ("model_sha256", "md5:abc"),
}


@pytest.mark.parametrize("case", sorted(BAD_RESULTS))
def test_broken_results_are_refused(case):
    path, value = BAD_RESULTS[case]
    with pytest.raises(contract.ContractViolation):
        contract.validate("result", with_field(_load("result.json"), path, value))


def test_error_result_needs_an_error_object():
    doc = with_field(_load("result_error.json"), "error", None)
    with pytest.raises(contract.ContractViolation):
        contract.validate("result", doc)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("timing.iters", 0),
        ("inputs.tensors", []),
        ("model.sha256", "sha256:xyz"),
        ("backend.options.num_threads", 0),
        ("version", 0),
    ],
)
def test_broken_specs_are_refused(path, value):
    with pytest.raises(contract.ContractViolation):
        contract.validate("spec", with_field(_load("spec.json"), path, value))


def test_nan_is_not_json(tmp_path: Path):
    p = tmp_path / "r.json"
    p.write_text('{"samples": [NaN]}')
    with pytest.raises(contract.ContractViolation, match="NaN"):
        contract.read(p)


def test_write_atomic_leaves_no_temporary_file(tmp_path: Path):
    folder = tmp_path / "out"
    folder.mkdir()
    contract.write_atomic(folder / "x.json", {"a": 1})
    assert json.loads((folder / "x.json").read_text()) == {"a": 1}
    assert [f.name for f in folder.iterdir()] == ["x.json"]


def test_this_machines_capabilities_document_is_valid():
    doc = capabilities()
    ort = next(r for r in doc["runtimes"] if r["backend"] == "onnxruntime")
    assert ort["available"] and "cpu" in ort["accelerators"]
