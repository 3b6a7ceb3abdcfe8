"""MobileNetV4's roofline (Eq. 1) on a hand-built ONNX graph whose numbers are known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from benchctl.analysis.roofline import Layer, graph_layers, model_time, ridge_points, sweep


def tiny_graph(path: Path) -> Path:
    """x[1,3,8,8] → Conv 3→4, 3×3, pad 1 (no bias) → Relu → Reshape → y[1,256]."""
    w = numpy_helper.from_array(np.ones((4, 3, 3, 3), np.float32), "w")
    shape = numpy_helper.from_array(np.array([1, 256], np.int64), "shape")
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("Reshape", ["r", "shape"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 256])],
        [w, shape],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def test_per_layer_macs_and_bytes(tmp_path: Path):
    conv, relu = graph_layers(tiny_graph(tmp_path / "t.onnx"))  # Reshape is left out
    assert (conv.op_type, relu.op_type) == ("Conv", "Relu")
    assert conv.macs == 4 * 8 * 8 * 3 * 3 * 3  # output elements × (Cin · kH · kW)
    assert conv.weight_bytes == 4 * 3 * 3 * 3 * 4
    assert conv.activation_bytes == (3 * 64 + 4 * 64) * 4  # input + output, fp32
    assert relu.weight_bytes == 0 and relu.activation_bytes == 2 * 256 * 4
    int8 = graph_layers(tmp_path / "t.onnx", bytes_per_element=1)[0]
    assert int8.weight_bytes == 108 and int8.activation_bytes == 448


def test_eq1_is_macs_at_ridge_zero_and_bytes_beyond_every_intensity():
    layers = [Layer("a", "Conv", 1000.0, 10.0, 90.0), Layer("b", "Add", 0.0, 0.0, 50.0)]
    assert model_time(layers, 0.0) == 1000.0  # footnote 2: MACs alone
    assert model_time(layers, 5.0) == 1000.0 + 250.0  # a compute-bound, b memory-bound
    assert model_time(layers, 100.0) == 100.0 * 100 + 100.0 * 50
    assert layers[0].intensity == 10.0  # a turns memory-bound above RP 10


def test_sweep_ranks_against_measured_latency():
    compute_heavy = [Layer("c", "Conv", 1e6, 1e3, 1e3)]  # intensity 500
    memory_heavy = [Layer("m", "Gemm", 2e5, 5e4, 5e4)]  # intensity 2
    middle = [Layer("x", "Conv", 5e5, 1e4, 1e4)]  # intensity 25
    models = {"c": compute_heavy, "m": memory_heavy, "x": middle}
    measured = {"c": 3.0, "m": 1.0, "x": 2.0}  # this device ranks like MACs (RP ≈ 0)
    rows = sweep(models, measured, ridge_points(step=50.0))
    assert [r.ridge_point for r in rows] == [50.0 * i for i in range(11)]
    assert rows[0].ranks() == ["m", "x", "c"] and rows[0].rho == pytest.approx(1.0)
    assert rows[-1].ranks()[-1] == "m"  # at RP 500 the memory-heavy model is the slowest
    assert rows[-1].rho < 0 and rows[-1].memory_bound["m"] == 1.0
    assert sweep(models, {"c": 1.0}, [0.0])[0].rho is None  # ranks need ≥ 3 measured models
