"""First contact with GPU runtimes, checked with the real libraries up to the hardware boundary.

Each test here failed on the code before the fix it covers (first_contact_review.md G1–G6, G8):
the real onnxruntime refusing our session configuration, torch.export programs pinned to the CPU,
XNNPACK's partition counted as an accelerator, a crashing delegate taking the capabilities down.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def _tiny_onnx(path: Path) -> Path:
    """Relu then Add on a [1, 4] float input: two nodes, outputs checkable by hand."""
    from onnx import TensorProto, helper

    one = helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Add", ["r", "one"], ["y"])],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        initializer=[one],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    onnx.save(model, path)
    return path


@pytest.mark.parametrize("accelerator", ["cuda", "tensorrt"])
@pytest.mark.parametrize("allow_fallback", [False, True])
def test_ort_gpu_session_configuration_is_accepted_by_onnxruntime(
    tmp_path, monkeypatch, accelerator, allow_fallback
):
    """G1: the provider list and options we build never raise onnxruntime's conflict error.

    On this CPU-only build the GPU provider is absent, so onnxruntime drops it: with fallback the
    session runs on the CPU (reported as such); without it the load says the CPU would be used.
    """
    from benchctl.runner.backends.base import DelegateUnavailable
    from benchctl.runner.backends.onnxruntime import PROVIDERS, OnnxRuntimeBackend

    if PROVIDERS[accelerator] in ort.get_available_providers():
        pytest.skip(f"{PROVIDERS[accelerator]} is really here")
    real = ort.get_available_providers()
    # Let the request past our own availability check, so the real InferenceSession decides.
    monkeypatch.setattr(ort, "get_available_providers", lambda: [*real, PROVIDERS[accelerator]])
    model = str(_tiny_onnx(tmp_path / "tiny.onnx"))
    options = {"allow_fallback": allow_fallback}
    if not allow_fallback:
        with pytest.raises(DelegateUnavailable, match="allow-fallback"):
            OnnxRuntimeBackend().load(model, accelerator, options)
        return
    session = OnnxRuntimeBackend().load(model, accelerator, options)
    desc = session.describe()
    assert desc.accelerator_actual == "cpu"
    assert (desc.delegated_nodes, desc.total_nodes) == (0, 2)
    assert desc.plan_summary["nodes_by_provider"] == {"CPUExecutionProvider": 2}


def test_ort_reports_nodes_per_provider_not_the_registered_list(tmp_path):
    """G8: placement comes from onnxruntime's assignment record, node by node."""
    from benchctl.runner.backends.onnxruntime import OnnxRuntimeBackend

    session = OnnxRuntimeBackend().load(str(_tiny_onnx(tmp_path / "t.onnx")), "cpu", {})
    desc = session.describe()
    assert (desc.accelerator_actual, desc.delegated_nodes, desc.total_nodes) == ("cpu", 2, 2)
    assert desc.plan_summary["io_binding"] is None


def test_ort_io_binding_path_runs_and_keeps_outputs_on_the_binding(tmp_path):
    """G8: the IOBinding call GPU providers use, exercised on the CPU device with real ORT."""
    from benchctl.runner.backends.onnxruntime import OrtSession

    model = str(_tiny_onnx(tmp_path / "t.onnx"))
    raw = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    session = OrtSession(raw, "cpu", io_device="cpu")
    x = np.array([[-2.0, -0.5, 0.5, 3.0]], dtype=np.float32)
    call = session.bind({"x": x})
    call()
    (out,) = session._binding.copy_outputs_to_cpu()
    np.testing.assert_allclose(out, np.maximum(x, 0) + 1)


def test_exported_program_moves_with_its_baked_in_device_constants(tmp_path):
    """G4: torch.export bakes device=cpu into arange/zeros; `.to()` alone leaves them behind.

    The `meta` device stands in for CUDA: same failure, same fix, no GPU needed.
    """
    torch = pytest.importorskip("torch")
    from benchctl.runner.backends.torch import module_on

    class WithArange(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(4, 4)

        def forward(self, x):
            return self.fc(x) + torch.arange(4, dtype=x.dtype)

    path = tmp_path / "m.pt2"
    torch.export.save(torch.export.export(WithArange(), (torch.randn(1, 4),)), str(path))
    x = torch.randn(1, 4, device="meta")
    with pytest.raises(RuntimeError, match="not on the expected device"):
        torch.export.load(str(path)).module().to("meta")(x)  # what the backend did before
    module = module_on(torch.export.load(str(path)), "meta")
    assert module(x).device.type == "meta"
    assert not any(p.requires_grad for p in module.parameters())


@pytest.mark.slow
def test_convit_tiny_moves_to_another_device(shared_home):
    """G4 on the zoo model the review found it in (40 device-pinned nodes)."""
    torch = pytest.importorskip("torch")
    from benchctl.harness.convert import ArtifactCache, get_artifact
    from benchctl.runner.backends.torch import module_on

    art = get_artifact("convit_tiny", "pt2", ArtifactCache(shared_home / "artifacts"))
    module = module_on(torch.export.load(str(art.path)), "meta")
    assert module(torch.randn(1, 3, 224, 224, device="meta")).device.type == "meta"


def _tiny_tflite(shared_home) -> Path:
    from benchctl.harness.convert import ArtifactCache, LazyBuild, get_artifact

    pytest.importorskip("ai_edge_litert")
    return get_artifact(
        "test_mobileone",
        "tflite-fp32",
        ArtifactCache(shared_home / "artifacts"),
        build=LazyBuild("test_mobileone", 1, 0),
    ).path


# ids without the bare words gpu/edgetpu: tests/conftest.py reads those as hardware markers.
@pytest.mark.parametrize("accelerator", ["gpu", "edgetpu"], ids=["gpu-delegate", "tpu-delegate"])
def test_xnnpack_partition_is_never_reported_as_the_delegate(shared_home, accelerator):
    """G5: under a GPU/Edge TPU delegate the interpreter has no default delegates, so a DELEGATE
    node can only be that delegate's. Here the delegate took nothing: reported as CPU."""
    from ai_edge_litert import interpreter

    from benchctl.runner.backends.litert import LiteRtSession, interpreter_kwargs

    model = str(_tiny_tflite(shared_home))
    cpu = interpreter.Interpreter(**interpreter_kwargs(interpreter, model, "cpu", {}))
    cpu.allocate_tensors()
    plain = LiteRtSession(cpu, "cpu", True, False).describe()
    assert plain.plan_summary["delegate_partitions"] >= 1  # XNNPACK's own partition
    kwargs = interpreter_kwargs(interpreter, model, accelerator, {"xnnpack": True})
    it = interpreter.Interpreter(**kwargs)  # what load() builds, before adding the delegate
    it.allocate_tensors()
    desc = LiteRtSession(it, accelerator, False, True).describe()
    assert desc.plan_summary["delegate_partitions"] == 0
    assert desc.accelerator_actual == "cpu"


def _crashing_delegate(tmp_path: Path) -> Path:
    """A real shared library whose delegate constructor segfaults, as libedgetpu is reported to."""
    import shutil
    import subprocess

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:  # CI installs gcc with the image; only a bare developer machine may lack it
        if os.environ.get("CI"):
            pytest.fail("no C compiler to build the crashing delegate (CI needs gcc)")
        pytest.skip("no C compiler to build the crashing delegate")
    src = tmp_path / "crash.c"
    src.write_text(
        "#include <signal.h>\n#include <stddef.h>\n"
        "void *tflite_plugin_create_delegate(char **k, char **v, size_t n,"
        " void (*report)(const char *)) { raise(SIGSEGV); return NULL; }\n"
        "void tflite_plugin_destroy_delegate(void *d) {}\n"
    )
    lib = tmp_path / "libcrash.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(lib), str(src)], check=True, timeout=60)
    return lib


def test_a_crashing_delegate_costs_the_delegate_not_the_capabilities(tmp_path):
    """G6: the capabilities probe survives a delegate that segfaults, and says what happened."""
    import json
    import os
    import subprocess
    import sys

    pytest.importorskip("ai_edge_litert")
    from benchctl.runner.backends.litert import probe_delegate

    lib = _crashing_delegate(tmp_path)
    assert "crashed the process (SIGSEGV)" in (probe_delegate(str(lib)) or "")
    out = tmp_path / "caps.json"
    env = {**os.environ, "BENCHCTL_EDGETPU_LIBRARY": str(lib)}
    done = subprocess.run(
        [sys.executable, "-m", "benchctl.runner", "--capabilities", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    litert = next(r for r in json.loads(out.read_text())["runtimes"] if r["backend"] == "litert")
    assert litert["available"] and "edgetpu" not in litert["accelerators"]


def test_a_crashing_delegate_fails_the_run_with_a_reason(shared_home, tmp_path, monkeypatch):
    """G6: a run asking for that delegate gets DelegateUnavailable, and the runner lives."""
    from benchctl.runner.backends.base import DelegateUnavailable
    from benchctl.runner.backends.litert import LiteRtBackend

    monkeypatch.setenv("BENCHCTL_EDGETPU_LIBRARY", str(_crashing_delegate(tmp_path)))
    with pytest.raises(DelegateUnavailable, match="SIGSEGV"):
        LiteRtBackend().load(str(_tiny_tflite(shared_home)), "edgetpu", {})


def test_one_broken_runtime_install_does_not_take_the_capabilities_down(monkeypatch):
    """G3: a version lookup that raises (tensorrt-cu12 has no `tensorrt` distribution)."""
    import importlib.metadata

    from benchctl.runner import run as runner
    from benchctl.runner.backends.onnxruntime import OnnxRuntimeBackend

    def broken(self) -> str:
        raise importlib.metadata.PackageNotFoundError("onnxruntime")

    monkeypatch.setattr(OnnxRuntimeBackend, "version", broken)
    doc = runner.capabilities()
    by_name = {r["backend"]: r for r in doc["runtimes"]}
    assert not by_name["onnxruntime"]["available"]
    assert "PackageNotFoundError" in by_name["onnxruntime"]["reason_if_unavailable"]
    assert by_name["torch"]["available"]


@pytest.mark.parametrize("target", ["onnx-fp16", "onnx-int8"])
def test_lower_precision_onnx_carries_its_precision_and_passes_parity(shared_home, target):
    """G2: TensorRT 11 takes precision from the ONNX: fp16 tensors, or Q/DQ int8 layers."""
    from benchctl.harness.convert import ArtifactCache, LazyBuild, get_artifact

    art = get_artifact(
        "test_mobileone",
        target,
        ArtifactCache(shared_home / "artifacts"),
        build=LazyBuild("test_mobileone", 1, 0),
    )
    model = onnx.load(str(art.path))
    ops = {n.op_type for n in model.graph.node}
    if target == "onnx-int8":
        assert {"QuantizeLinear", "DequantizeLinear"} <= ops
        zero_points = [
            onnx.numpy_helper.to_array(t) for t in model.graph.initializer if "zero_point" in t.name
        ]
        assert zero_points and all(not z.any() for z in zero_points)  # symmetric, as TRT needs
    else:
        halves = [t for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT16]
        assert halves and "Cast" in ops
    # fp32 inputs and outputs either way, so the runner feeds both like the fp32 model
    assert art.inputs[0]["dtype"] == "float32"
    assert model.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert art.parity["passed"], art.parity


def test_tensorrt_runtimes_consume_the_precision_carrying_onnx():
    from benchctl.harness.runtimes import get_runtime

    for name, target, precision in [
        ("tensorrt", "onnx", "fp32"),
        ("tensorrt-fp16", "onnx-fp16", "fp16"),
        ("tensorrt-int8", "onnx-int8", "int8"),
    ]:
        rt = get_runtime(name)
        assert (rt.target, rt.precision, rt.artifact_format) == (target, precision, "onnx")
