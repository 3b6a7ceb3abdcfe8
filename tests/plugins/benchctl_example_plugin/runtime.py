"""The `onnx-reference` runtime: benchctl's own `onnx` target run by the plugin's backend."""

from __future__ import annotations

from benchctl.harness.runtimes import Runtime

RUNTIME = Runtime(
    name="onnx-reference",
    target="onnx",
    backend="onnx-reference",
    accelerator="cpu",
    description="the ONNX reference evaluator, pure Python (example plugin)",
)
