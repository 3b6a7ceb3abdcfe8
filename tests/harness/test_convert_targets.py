"""Every conversion target that can run here, on the tiny MobileOne: artifact, parity, inputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from benchctl.errors import ConversionError
from benchctl.harness.convert import ArtifactCache, LazyBuild, artifact_key, get_artifact
from benchctl.harness.convert.edgetpu import parse_report
from benchctl.harness.parity import compare

ASSETS = Path(__file__).parent / "assets"


@pytest.fixture(scope="module")
def converted(shared_home):
    cache = ArtifactCache(shared_home / "artifacts")
    build = LazyBuild("test_mobileone", 1, 0)
    return lambda target: get_artifact("test_mobileone", target, cache, build=build)


@pytest.mark.parametrize(
    ("target", "dtype"),
    [
        ("onnx", "float32"),
        ("pt2", "float32"),
        ("tflite-fp32", "float32"),
        ("tflite-fp16", "float32"),
        ("tflite-int8-dynamic", "float32"),
        ("tflite-int8", "int8"),
    ],
)
def test_target_converts_and_matches_pytorch(converted, target, dtype):
    art = converted(target)
    assert art.path.exists() and art.size_bytes > 0 and art.sha256.startswith("sha256:")
    assert art.parity["passed"] is True, art.parity
    assert art.parity["precision"] == art.options["precision"]
    assert art.inputs[0]["shape"] == [1, 3, 32, 32] and art.inputs[0]["dtype"] == dtype


def test_quantized_artifacts_are_smaller_and_noisier(converted):
    fp32, fp16, int8 = (converted(t) for t in ("tflite-fp32", "tflite-fp16", "tflite-int8"))
    assert int8.size_bytes < fp32.size_bytes and fp16.size_bytes < fp32.size_bytes
    assert fp32.parity["max_rel"] < fp16.parity["max_rel"] < int8.parity["max_rel"]


@pytest.mark.parametrize("target", ["coreml-fp32", "coreml-fp16-w8"])
def test_coreml_package_is_written_and_validated_on_linux(converted, target):
    art = converted(target)
    assert art.path.is_dir() and art.path.suffix == ".mlpackage"
    notes = art.options["notes"]
    assert notes["model_type"] == "mlProgram" and notes["inputs"] == ["input"]
    assert art.parity["passed"] is None and "macOS" in art.parity["reason"]


def test_calibration_images_change_the_key_and_are_used(tmp_path, shared_home):
    from PIL import Image

    folder = tmp_path / "calib"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(4):
        Image.fromarray(rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)).save(folder / f"{i}.png")
    random_key = artifact_key("test_mobileone", "tflite-int8", batch=1, seed=0)
    from benchctl.runner.digest import content_sha256

    user_key = artifact_key(
        "test_mobileone", "tflite-int8", batch=1, seed=0, calibration_digest=content_sha256(folder)
    )
    assert user_key != random_key
    art = get_artifact(
        "test_mobileone", "tflite-int8", ArtifactCache(tmp_path / "a"), calibration_dir=folder
    )
    assert art.options["calibration"] == content_sha256(folder)
    assert art.parity["cosine"] > 0.5  # real images differ from the random probe; still sane


def test_missing_edgetpu_compiler_is_a_conversion_error_with_the_fix(converted, monkeypatch):
    if shutil.which("edgetpu_compiler"):
        pytest.skip("edgetpu_compiler is installed here; the missing-compiler path cannot run")
    with pytest.raises(ConversionError, match="apt-get install edgetpu-compiler"):
        converted("edgetpu")


def test_edgetpu_report_partially_mapped():
    report = parse_report((ASSETS / "edgetpu_compiler_partial.log").read_text())
    assert report["compiled"] and report["edgetpu_subgraphs"] == 1
    assert (report["ops_total"], report["ops_on_edgetpu"], report["ops_on_cpu"]) == (68, 65, 3)
    unmapped = [op for op in report["operators"] if not op["mapped"]]
    assert [(op["op"], op["count"]) for op in unmapped] == [("TRANSPOSE", 2), ("DEQUANTIZE", 1)]
    assert sum(op["count"] for op in report["operators"]) == 68


def test_edgetpu_report_fully_mapped():
    report = parse_report((ASSETS / "edgetpu_compiler_full.log").read_text())
    assert (report["ops_total"], report["ops_on_edgetpu"], report["ops_on_cpu"]) == (31, 31, 0)
    # real -s logs print the operator table when fully mapped too (G12): every row is mapped
    assert report["operators"] and all(op["mapped"] for op in report["operators"])
    assert sum(op["count"] for op in report["operators"]) == 31


def test_parity_tolerances_depend_on_precision():
    rng = np.random.default_rng(0)
    ref = rng.standard_normal(1000)
    noisy = ref + rng.standard_normal(1000) * 0.02 * np.abs(ref).max()
    assert not compare(noisy, ref, precision="fp32")["passed"]
    assert compare(noisy, ref, precision="int8")["passed"]
    assert not compare(ref * np.nan, ref)["passed"]  # NaNs never pass
    assert compare(ref[:10], ref)["passed"] is False  # a shape mismatch is a failure


def _ops_of(counts: list[tuple[str, int]]) -> list[str]:
    """An input model's op types in graph order, interleaved as a real network's are."""
    queue = [op for op, n in counts for _ in range(n)]
    return queue[::2] + queue[1::2]


PARTIAL_OPS = [
    ("CONV_2D", 40),
    ("DEPTHWISE_CONV_2D", 22),
    ("MEAN", 1),
    ("FULLY_CONNECTED", 1),
    ("QUANTIZE", 1),
    ("TRANSPOSE", 2),
    ("DEQUANTIZE", 1),
]


def test_edgetpu_placement_names_each_operators_unit(tmp_path):
    from benchctl.harness.convert.edgetpu import placement_profile
    from benchctl.runner import contract

    report = parse_report((ASSETS / "edgetpu_compiler_partial.log").read_text())
    ops = _ops_of(PARTIAL_OPS)
    profile = placement_profile(report, ops)
    doc = json.loads((contract.EXAMPLES / "result_profile.json").read_text())
    doc["profile"] = profile
    contract.validate("result", doc)  # the contract's shape, as a run would carry it
    units = {op["name"]: op["unit"] for op in profile["operators"]}
    assert len(units) == 68 and profile["timed"] is False
    assert [n for n, u in units.items() if u == "cpu"] == [
        f"{i}:{t}" for i, t in enumerate(ops) if t in ("TRANSPOSE", "DEQUANTIZE")
    ]
    assert sum(u == "edgetpu" for u in units.values()) == 65
    (partition,) = profile["partitions"]
    assert partition["unit"] == "edgetpu" and len(partition["operators"]) == 65


def test_edgetpu_placement_of_a_type_split_across_units_is_unknown():
    from benchctl.harness.convert.edgetpu import placement_profile

    text = (ASSETS / "edgetpu_compiler_partial.log").read_text()
    # a CONV_2D row split as the compiler prints it when ops after an unsupported one stay on CPU
    text = text.replace(
        "CONV_2D                        40         Mapped to Edge TPU",
        "CONV_2D                        38         Mapped to Edge TPU\n"
        "CONV_2D                        2          More than one subgraph is not supported",
    )
    profile = placement_profile(parse_report(text), _ops_of(PARTIAL_OPS))
    conv_units = {op["unit"] for op in profile["operators"] if op["op_type"] == "CONV_2D"}
    assert conv_units == {None}
    assert "CONV_2D (38 of 40 mapped)" in profile["note"]
    assert "partitions" not in profile  # which CONV_2Ds form the subgraph is not known


def test_edgetpu_placement_refuses_to_guess_when_counts_disagree():
    from benchctl.harness.convert.edgetpu import placement_profile

    report = parse_report((ASSETS / "edgetpu_compiler_full.log").read_text())
    profile = placement_profile(report, ["CONV_2D"] * 16 + ["ADD"] * 2)  # the log says 17 CONV_2D
    assert {op["unit"] for op in profile["operators"] if op["op_type"] == "CONV_2D"} == {None}
    assert {op["unit"] for op in profile["operators"] if op["op_type"] == "ADD"} == {"edgetpu"}
    assert "CONV_2D (17 vs 16)" in profile["note"]
    assert placement_profile(report, None)["operators"] == []


def test_edgetpu_model_ops_reads_the_tflite_graph():
    pytest.importorskip("ai_edge_litert")
    from benchctl.harness.convert.edgetpu import model_ops

    fixture = Path(__file__).parents[1] / "apps" / "assets" / "ops_fixture.tflite"
    assert model_ops(fixture) == ["ADD", "RELU", "GELU"]


def test_edgetpu_split_rows_are_parsed_and_placed_per_type():
    from benchctl.harness.convert.edgetpu import placement_profile

    report = parse_report((ASSETS / "edgetpu_compiler_split.log").read_text())
    assert (report["ops_total"], report["ops_on_edgetpu"], report["ops_on_cpu"]) == (30, 13, 17)
    assert sum(op["count"] for op in report["operators"]) == 30
    counts = [("QUANTIZE", 2), ("CONV_2D", 15), ("PAD", 5), ("TRANSPOSE", 4), ("ADD", 3)]
    profile = placement_profile(report, _ops_of([*counts, ("DEQUANTIZE", 1)]))
    units: dict[str, set] = {}
    for op in profile["operators"]:
        units.setdefault(op["op_type"], set()).add(op["unit"])
    # split types (QUANTIZE, CONV_2D, PAD) are unknown; whole types are placed
    assert units == {
        "QUANTIZE": {None},
        "CONV_2D": {None},
        "PAD": {None},
        "TRANSPOSE": {"cpu"},
        "ADD": {"cpu"},
        "DEQUANTIZE": {"cpu"},
    }
    assert "CONV_2D (9 of 15 mapped)" in profile["note"]
    assert "PAD (3 of 5 mapped)" in profile["note"]
