"""Eq. 1 per layer beside measured per-operator times (`analyze roofline --measured RUN`)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image
from typer.testing import CliRunner

from benchctl.analysis.measured import candidates, group_layers, measured_roofline
from benchctl.analysis.roofline import graph_layers
from benchctl.cli.app import app


def _chain(path):
    """x → Conv a → Relu a → Conv b → Relu b → GlobalAveragePool → y, nodes named as exported."""
    w1 = numpy_helper.from_array(np.ones((8, 3, 3, 3), np.float32), "w1")
    w2 = numpy_helper.from_array(np.ones((8, 8, 1, 1), np.float32), "w2")
    conv = {"pads": [1, 1, 1, 1], "kernel_shape": [3, 3]}
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["conv2d"], name="node_conv2d", **conv),
        helper.make_node("Relu", ["conv2d"], ["relu"], name="node_relu"),
        helper.make_node("Conv", ["relu", "w2"], ["conv2d_1"], name="node_conv2d_1"),
        helper.make_node("Relu", ["conv2d_1"], ["relu_1"], name="node_relu_1"),
        helper.make_node("GlobalAveragePool", ["relu_1"], ["y"], name="node_pool"),
    ]
    graph = helper.make_graph(
        nodes,
        "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 1, 1])],
        [w1, w2],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, str(path))
    return path


def test_fused_operators_take_their_predecessors(tmp_path):
    path = _chain(tmp_path / "chain.onnx")
    layers = graph_layers(path)
    ops = [  # as onnxruntime names them after fusing Conv+Relu into NCHWc convolutions
        {"name": "relu_nchwc", "op_type": "Conv", "time_ns": 3000},
        {"name": "relu_1_nchwc", "op_type": "Conv", "time_ns": 1000},
        {"name": "ReorderOutput", "op_type": "ReorderOutput", "time_ns": 10},
        {"name": "node_pool", "op_type": "GlobalAveragePool", "time_ns": 500},
    ]
    groups, unmatched_ops, unmatched_layers = group_layers(layers, path, ops)
    assert [sorted(x.name for x in g.layers) for g in groups] == [
        ["node_conv2d", "node_relu"],
        ["node_conv2d_1", "node_relu_1"],
        ["node_pool"],
    ]
    assert unmatched_ops == ["ReorderOutput"] and unmatched_layers == []
    result = measured_roofline("a" * 32, "chain", layers, path, ops, step=100)
    # MACs order the three groups exactly as measured: the 3×3 conv, the 1×1 conv, the pool
    assert result.sweep[0].rho == 1.0
    (worst, *_) = result.worst(3, 0.0)
    assert worst["operator"] == "node_pool"  # tiny MACs, but 11 % of the measured time


def test_torch_names_match_the_exported_graph():
    assert "relu_3" in candidates("relu__3") and "relu" in candidates("relu_")
    assert "conv2d_1" in candidates("conv2d_1_nchwc")


def test_measured_command_on_a_profiled_run_draws_a_plot(isolated_project):
    runner = CliRunner()
    ran = runner.invoke(app, ["run", "-m", "test_mobileone", "-n", "20", "--profile", "--json"])
    run_id = json.loads(ran.stdout)["run_id"]
    result = runner.invoke(
        app,
        ["analyze", "roofline", "--measured", run_id, "--out", "layers.png", "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.stdout)["runs"]
    assert doc["model"] == "test_mobileone" and doc["operators_matched"] >= 5
    assert -1.0 <= doc["best_rho"] <= 1.0 and len(doc["sweep"]) == 51
    assert doc["worst_layers"] and all(w["layers"] for w in doc["worst_layers"])
    with Image.open(isolated_project / "layers.png") as png:
        assert png.size[0] > 1000 and len(png.getcolors(1 << 20) or []) > 50  # drawn, not blank
    table = runner.invoke(app, ["analyze", "roofline", "--measured", run_id]).stdout
    assert "where the roofline is most wrong" in table

    placed = json.loads(
        runner.invoke(
            app, ["run", "-m", "test_mobileone", "-r", "litert", "-n", "5", "--profile", "--json"]
        ).stdout
    )["run_id"]
    refused = subprocess.run(
        [sys.executable, "-m", "benchctl", "analyze", "roofline", "--measured", placed],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "placement only" in refused.stderr
