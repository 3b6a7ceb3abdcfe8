"""The `onnx-torchscript` conversion target and its converter (benchctl/harness/convert/base.py:
Converter): ONNX from the TorchScript exporter (torch.onnx.export, dynamo=False) at opset 17, the
exporter older deployment stacks were validated against."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchctl.harness.convert.targets import Target

TARGET = Target(
    name="onnx-torchscript",
    format="onnx",
    precision="fp32",
    converter="benchctl_example_plugin.convert",
    options={"opset": 17},
    description="ONNX via the TorchScript exporter, opset 17 (example plugin)",
)

EXPORTER = "torch.onnx.export(torchscript)"


def exporter_version() -> str:
    import importlib.metadata

    return importlib.metadata.version("torch")


def options(target: Any) -> dict[str, Any]:
    return {"opset": target.options.get("opset", 17), "dynamo": False}


def convert(built: Any, target: Any, out_dir: Path, calibration: list[Any] | None = None) -> Any:
    import torch

    from benchctl.harness.convert.base import Converted
    from benchctl.harness.convert.onnx import input_signature

    path = Path(out_dir) / "model.onnx"
    example = torch.zeros(built.input_shape)
    torch.onnx.export(
        built.module, (example,), str(path), dynamo=False, opset_version=options(target)["opset"]
    )
    parity = {"passed": None, "reason": "the example plugin does not compare outputs"}
    return Converted(path=path, parity=parity, inputs=input_signature(path))
