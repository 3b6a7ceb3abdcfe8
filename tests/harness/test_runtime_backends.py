"""Each runner backend, through the real runner, on the tiny model; and every refusal it owes."""

from __future__ import annotations

import uuid

import pytest

from benchctl.harness.convert import ArtifactCache, LazyBuild, get_artifact
from benchctl.harness.run import RunRequest, build_spec
from benchctl.harness.runtimes import RUNTIMES, get_runtime
from benchctl.runner import contract
from benchctl.runner.backends.tensorrt import engine_cache_key
from benchctl.runner.run import run_spec_file


def _run(shared_home, tmp_path, runtime_name: str, iterations: int = 30) -> dict:
    runtime = get_runtime(runtime_name)
    art = get_artifact(
        "test_mobileone",
        runtime.target,
        ArtifactCache(shared_home / "artifacts"),
        build=LazyBuild("test_mobileone", 1, 0),
    )
    spec = build_spec(
        RunRequest(model="test_mobileone", runtime=runtime_name, iterations=iterations, warmup=2),
        runtime,
        art,
        uuid.uuid4().hex,
    )
    tmp_path.mkdir(parents=True, exist_ok=True)
    dst = tmp_path / art.path.name
    if art.path.is_dir():
        import shutil

        shutil.copytree(art.path, dst)
    else:
        dst.write_bytes(art.path.read_bytes())
    contract.write_atomic(tmp_path / "spec.json", spec)
    doc = run_spec_file(tmp_path / "spec.json")
    contract.validate("result", doc)
    return doc


@pytest.mark.parametrize(
    "runtime",
    [
        "litert",
        "litert-fp16",
        "litert-int8",
        "litert-int8-dynamic",
        "litert-noxnnpack",
        "torch",
        "onnxruntime",
        "onnxruntime-int8",  # the Q/DQ file tensorrt-int8 takes runs on onnxruntime too
    ],
)
def test_cpu_runtimes_run(shared_home, tmp_path, runtime):
    doc = _run(shared_home, tmp_path, runtime)
    assert doc["status"] == "ok", doc["error"]
    assert len(doc["timing_ns"]["samples"]) == 30
    assert doc["runtime"]["accelerator_actual"] == "cpu"
    assert doc["timing_ns"]["clock"] == "time.perf_counter_ns"


def test_litert_reports_its_graph_and_xnnpack(shared_home, tmp_path):
    on = _run(shared_home, tmp_path / "a", "litert")["runtime"]
    off = _run(shared_home, tmp_path / "b", "litert-noxnnpack")["runtime"]
    assert on["plan_summary"]["xnnpack"] is True and on["plan_summary"]["delegate_partitions"] >= 1
    assert (
        off["plan_summary"]["xnnpack"] is False and off["plan_summary"]["delegate_partitions"] == 0
    )
    assert on["total_nodes"] == off["total_nodes"] > 0


def test_coreml_refuses_off_macos(shared_home, tmp_path):
    import platform

    if platform.system() == "Darwin":
        pytest.skip("on macOS Core ML runs")
    doc = _run(shared_home, tmp_path, "coreml")
    assert (doc["status"], doc["error"]["code"]) == ("unsupported_backend", "RUNTIME_UNAVAILABLE")
    assert "macOS" in doc["error"]["message"]


def test_missing_gpu_delegate_is_not_a_silent_cpu_run(shared_home, tmp_path):
    doc = _run(shared_home, tmp_path, "litert-gpu")
    assert (doc["status"], doc["error"]["code"]) == ("error", "DELEGATE_UNAVAILABLE")


def test_cuda_without_a_gpu_is_refused(shared_home, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    doc = _run(shared_home, tmp_path, "torch-cuda")
    assert (doc["status"], doc["error"]["code"]) == ("error", "DELEGATE_UNAVAILABLE")
    doc = _run(shared_home, tmp_path / "ort", "onnxruntime-cuda")
    assert doc["error"]["code"] == "DELEGATE_UNAVAILABLE"


def test_tensorrt_without_tensorrt_says_how_to_get_it(shared_home, tmp_path):
    pytest.importorskip("torch")
    try:
        import tensorrt  # noqa: F401
    except ImportError:
        doc = _run(shared_home, tmp_path, "tensorrt")
        assert (doc["status"], doc["error"]["code"]) == ("unsupported_backend", "RUNTIME_MISSING")
        assert "benchctl[tensorrt]" in doc["error"]["message"]
    else:
        pytest.skip("TensorRT is installed")


def test_engine_cache_key_covers_everything_that_invalidates_an_engine():
    base = dict(
        onnx_sha256="sha256:" + "a" * 64,
        gpu_name="NVIDIA H100",
        capability="9.0",
        trt_version="10.9.0",
        precision="fp16",
    )
    key = engine_cache_key(**base)
    assert key == engine_cache_key(**base)
    for field, other in [
        ("onnx_sha256", "sha256:" + "b" * 64),
        ("gpu_name", "NVIDIA A100"),
        ("capability", "8.0"),
        ("trt_version", "10.10.0"),
        ("precision", "int8"),
    ]:
        assert engine_cache_key(**{**base, field: other}) != key, field
    with pytest.raises(ValueError):
        engine_cache_key(**{**base, "precision": "fp8"})


def test_every_runtime_names_a_real_target_and_backend():
    from benchctl.runner.backends import backend_names

    for name in RUNTIMES.names():
        rt = RUNTIMES.get(name)
        assert rt.backend in backend_names() and rt.artifact_format


@pytest.mark.gpu
@pytest.mark.parametrize("runtime", ["torch-cuda", "torch-cuda-graphs"])
def test_torch_cuda_times_with_cuda_events(shared_home, tmp_path, runtime):
    doc = _run(shared_home, tmp_path, runtime, iterations=200)
    assert doc["status"] == "ok", doc["error"]
    assert doc["timing_ns"]["clock"] == "cuda-events"
    assert doc["runtime"]["accelerator_actual"] == "cuda"


@pytest.mark.gpu
def test_tensorrt_engine_builds_runs_and_is_cached(shared_home, tmp_path, monkeypatch):
    pytest.importorskip("tensorrt")
    monkeypatch.setenv("BENCHCTL_TRT_CACHE", str(tmp_path / "engines"))
    first = _run(shared_home, tmp_path / "a", "tensorrt-fp16", iterations=200)
    second = _run(shared_home, tmp_path / "b", "tensorrt-fp16", iterations=200)
    assert first["status"] == second["status"] == "ok"
    assert not first["runtime"]["plan_summary"]["engine_reused"]
    assert second["runtime"]["plan_summary"]["engine_reused"]


@pytest.mark.gpu
def test_tensorrt_int8_builds_from_the_qdq_onnx_and_refuses_a_mismatch(shared_home, tmp_path):
    """TensorRT 10 and 11: precision is the ONNX's own (strongly typed networks)."""
    pytest.importorskip("tensorrt")
    doc = _run(shared_home, tmp_path / "int8", "tensorrt-int8", iterations=200)
    assert doc["status"] == "ok", doc["error"]
    assert doc["runtime"]["plan_summary"]["strongly_typed"] is True
    from benchctl.runner.backends.tensorrt import TensorRtBackend

    art = get_artifact("test_mobileone", "onnx", ArtifactCache(shared_home / "artifacts"))
    with pytest.raises(ValueError, match="computes in fp32, not fp16"):
        TensorRtBackend().load(str(art.path), "cuda", {"precision": "fp16"})
