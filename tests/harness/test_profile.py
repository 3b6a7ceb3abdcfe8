"""The profiled pass after the timed loop (`run --profile`) and the runner's memory figures,
through the real runner on the tiny model, for each backend that runs here."""

from __future__ import annotations

import uuid

import pytest

from benchctl.harness.convert import ArtifactCache, LazyBuild, get_artifact
from benchctl.harness.run import RunRequest, build_spec
from benchctl.harness.runtimes import get_runtime
from benchctl.runner import contract
from benchctl.runner.backends import profile, profile_ort
from benchctl.runner.backends.profile_litert import partitions, placement
from benchctl.runner.backends.profile_tensorrt import inspector_layers, op_type_from_name
from benchctl.runner.run import run_spec_file


def _run(shared_home, tmp_path, runtime_name: str, profile: int | None = 7, iterations=20):
    runtime = get_runtime(runtime_name)
    art = get_artifact(
        "test_mobileone",
        runtime.target,
        ArtifactCache(shared_home / "artifacts"),
        build=LazyBuild("test_mobileone", 1, 0),
    )
    req = RunRequest(
        model="test_mobileone",
        runtime=runtime_name,
        iterations=iterations,
        warmup=2,
        profile_iterations=profile,
    )
    spec = build_spec(req, runtime, art, uuid.uuid4().hex)
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / art.path.name).write_bytes(art.path.read_bytes())
    contract.write_atomic(tmp_path / "spec.json", spec)
    doc = run_spec_file(tmp_path / "spec.json")
    contract.validate("result", doc)
    assert doc["status"] == "ok", doc["error"]
    assert len(doc["timing_ns"]["samples"]) == iterations  # the profile never costs a sample
    return doc


def test_memory_is_measured_from_the_runner_process(shared_home, tmp_path):
    doc = _run(shared_home, tmp_path, "onnxruntime", profile=None)
    assert "profile" not in doc
    mem = doc["memory"]
    assert mem["source"] == "linux:/proc/self/status"
    assert 0 < mem["rss_before_load_bytes"] <= mem["peak_rss_bytes"]
    assert 0 < mem["rss_after_load_bytes"] <= mem["peak_rss_bytes"]
    assert mem["device_peak_bytes"] is None  # no CUDA here


def test_onnxruntime_profile_names_every_node_with_its_provider(shared_home, tmp_path):
    prof = _run(shared_home, tmp_path, "onnxruntime")["profile"]
    assert prof["timed"] is True and prof["iterations"] == 7 and prof.get("error") is None
    ops = prof["operators"]
    assert len({o["name"] for o in ops}) == len(ops) >= 5
    assert {o["unit"] for o in ops} == {"cpu"}
    assert "Conv" in {o["op_type"] for o in ops} and "Gemm" in {o["op_type"] for o in ops}
    assert all(o["calls"] == 7 and o["time_ns"] > 0 for o in ops)
    # sequential execution: the nodes of one run fit inside that run's wall time
    assert sum(o["time_ns"] for o in ops) <= prof["wall_median_ns"]


def test_torch_profile_is_per_exported_graph_node(shared_home, tmp_path):
    import torch

    doc = _run(shared_home, tmp_path, "torch")
    prof = doc["profile"]
    assert prof["timed"] is True and prof["profiler"].startswith("torch.profiler")
    art = get_artifact("test_mobileone", "pt2", ArtifactCache(shared_home / "artifacts"))
    graph = torch.export.load(str(art.path)).module().graph
    calls = [n.name for n in graph.nodes if n.op == "call_function"]
    assert [o["name"] for o in prof["operators"]] == calls
    assert any(o["op_type"] == "aten::conv2d" for o in prof["operators"])
    assert all(o["unit"] == "cpu" and o["calls"] == 7 for o in prof["operators"])
    assert sum(o["time_ns"] for o in prof["operators"]) <= prof["wall_median_ns"]


@pytest.mark.parametrize(("runtime", "unit"), [("litert", "xnnpack"), ("litert-noxnnpack", "cpu")])
def test_litert_reports_placement_and_says_it_has_no_times(shared_home, tmp_path, runtime, unit):
    prof = _run(shared_home, tmp_path, runtime)["profile"]
    assert prof["timed"] is False and "no per-operator time" in prof["note"]
    ops = prof["operators"]
    assert ops and all(o["time_ns"] is None for o in ops)
    assert {o["unit"] for o in ops} == {unit}  # the tiny model is delegated whole, or not at all
    parts = prof.get("partitions") or []
    if unit == "xnnpack":
        assert [p["unit"] for p in parts] == ["xnnpack"]
        assert sorted(parts[0]["operators"]) == sorted(o["name"] for o in ops)
    else:
        assert parts == []


def _op(index, name, inputs, outputs):
    return {"index": index, "op_name": name, "inputs": inputs, "outputs": outputs}


def test_a_partition_is_the_operators_between_its_boundary_tensors():
    # t0 -conv(w=t1)-> t2 -relu-> t3 -softmax-> t4; a delegate took conv and relu only.
    ops = [
        _op(0, "CONV_2D", [0, 1], [2]),
        _op(1, "RELU", [2], [3]),
        _op(2, "SOFTMAX", [3], [4]),
        _op(3, "DELEGATE", [0, 1], [3]),
    ]
    assert partitions(ops) == [{0, 1}]
    operators, parts = placement(ops, "gpu")
    assert [(o["name"], o["unit"]) for o in operators] == [
        ("0:CONV_2D", "gpu"),
        ("1:RELU", "gpu"),
        ("2:SOFTMAX", "cpu"),
    ]
    assert parts == [{"unit": "gpu", "operators": ["0:CONV_2D", "1:RELU"]}]


def test_a_failing_profiler_keeps_the_timed_samples(shared_home, tmp_path, monkeypatch):
    def broken(events, skip_runs):
        raise RuntimeError("trace unreadable")

    monkeypatch.setattr(profile_ort, "parse_trace", broken)
    prof = _run(shared_home, tmp_path, "onnxruntime")["profile"]
    assert prof["operators"] == [] and prof["error"] == "RuntimeError: trace unreadable"


def test_a_profile_the_schema_refuses_keeps_the_timed_samples(shared_home, tmp_path, monkeypatch):
    def bad(req):
        return {"profiler": "x", "operators": [{"name": "a", "op_type": "b", "time_ns": -5}]}

    monkeypatch.setattr(profile, "run_profile", bad)
    prof = _run(shared_home, tmp_path, "onnxruntime")["profile"]
    assert prof["operators"] == [] and prof["error"].startswith("invalid profile")


def test_tensorrt_layer_names_give_the_fused_onnx_op():
    assert op_type_from_name("/stem/conv/Conv + /stem/act/Relu") == "Conv"
    assert op_type_from_name("/blocks/0/attn/MatMul_1") == "MatMul"
    detailed = {"Layers": [{"Name": "/head/Gemm", "LayerType": "CaskGemm"}, "/pool/GlobalAvgPool"]}
    assert inspector_layers(detailed) == {
        "/head/Gemm": "CaskGemm",
        "/pool/GlobalAvgPool": "GlobalAvgPool",
    }
