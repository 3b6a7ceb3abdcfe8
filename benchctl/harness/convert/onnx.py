"""PyTorch → ONNX with `torch.onnx.export` (the dynamo exporter, weights inside one file),
followed by a parity check on onnxruntime CPU against the PyTorch output on a fixed input."""

from __future__ import annotations

import importlib.metadata
import warnings
from pathlib import Path
from typing import Any

from benchctl.errors import ConversionError
from benchctl.harness.build import BuiltModel
from benchctl.harness.parity import compare

FORMAT = "onnx"
EXPORTER = "torch.onnx.export(dynamo)"
OPSET = 18
INPUT_NAME = "input"
OUTPUT_NAME = "logits"


def exporter_version() -> str:
    return ";".join(
        f"{d}=={importlib.metadata.version(d)}" for d in ("torch", "onnx", "onnxscript")
    )


def options() -> dict[str, Any]:
    return {"opset": OPSET, "dynamo": True, "external_data": False, "input_name": INPUT_NAME}


def export(built: BuiltModel, out_dir: Path) -> tuple[Path, dict[str, Any]]:
    """Write `model.onnx` into `out_dir`; return its path and the parity record."""
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
    parity = compare(np.asarray(candidate), reference)
    parity["runtime"] = f"onnxruntime=={ort.__version__} CPUExecutionProvider"
    return path, parity
