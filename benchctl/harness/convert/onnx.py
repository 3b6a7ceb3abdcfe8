"""PyTorch → ONNX with `torch.onnx.export` (the dynamo exporter, weights inside one file),
followed by a parity check on onnxruntime CPU against the PyTorch output on a fixed input."""

from __future__ import annotations

import importlib.metadata
import warnings
from pathlib import Path
from typing import Any

from benchctl.errors import ConversionError
from benchctl.harness.build import BuiltModel
from benchctl.harness.convert.base import Converted
from benchctl.harness.convert.targets import Target
from benchctl.harness.parity import compare

EXPORTER = "torch.onnx.export(dynamo)"
OPSET = 18
INPUT_NAME = "input"
OUTPUT_NAME = "logits"


def exporter_version() -> str:
    return ";".join(
        f"{d}=={importlib.metadata.version(d)}" for d in ("torch", "onnx", "onnxscript")
    )


def options(target: Target) -> dict[str, Any]:
    return {"opset": OPSET, "dynamo": True, "external_data": False, "input_name": INPUT_NAME}


def input_signature(path: Path) -> list[dict[str, Any]]:
    import onnxruntime as ort

    from benchctl.harness.backends.onnxruntime import ORT_DTYPES

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return [
        {"name": i.name, "shape": list(i.shape), "dtype": ORT_DTYPES[i.type]}
        for i in session.get_inputs()
    ]


def convert(
    built: BuiltModel, target: Target, out_dir: Path, calibration: list[Any] | None = None
) -> Converted:
    """Write `model.onnx` into `out_dir` and check it against PyTorch."""
    import numpy as np
    import onnxruntime as ort
    import torch

    path = out_dir / "model.onnx"
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                built.module,
                (built.example,),
                str(path),
                dynamo=True,
                opset_version=OPSET,
                external_data=False,
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                verbose=False,
            )
    except Exception as exc:  # the exporter raises many types; all mean "this conversion failed"
        raise ConversionError(
            f"ONNX export failed: {type(exc).__name__}: {str(exc)[:500]}"
        ) from exc
    if not path.is_file():
        raise ConversionError("ONNX export produced no file")
    with torch.no_grad():
        reference = built.module(built.example).numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (candidate,) = session.run([OUTPUT_NAME], {INPUT_NAME: built.example.numpy()})
    parity = compare(np.asarray(candidate), reference, precision=target.precision)
    parity["runtime"] = f"onnxruntime=={ort.__version__} CPUExecutionProvider"
    return Converted(path, parity, input_signature(path))
