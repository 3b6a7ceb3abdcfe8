"""PyTorch → ONNX with `torch.onnx.export` (the dynamo exporter, weights inside one file),
followed by a parity check on onnxruntime CPU against the PyTorch output on a fixed input.

Lower precisions are carried by the ONNX file itself, as TensorRT 11's strongly typed networks
require (it removed the fp16/int8 builder flags and calibrators): `onnx-fp16` is the fp32 export
cast to fp16 by onnxruntime's converter with fp32 inputs and outputs kept; `onnx-int8` is a
Q/DQ model from onnxruntime's static quantizer, symmetric int8 activations and per-channel
weights (what TensorRT's explicit quantization takes), calibrated on the same representative
set as LiteRT int8. Both also run on onnxruntime, which checks their parity here.
"""

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
# Other modules whose code shapes the artifact: onnx-int8 calibrates as tflite does.
CODE_DEPENDS = ("benchctl.harness.convert.tflite",)
OPSET = 18
INPUT_NAME = "input"
OUTPUT_NAME = "logits"


def exporter_version() -> str:
    return ";".join(
        f"{d}=={importlib.metadata.version(d)}" for d in ("torch", "onnx", "onnxscript")
    )


def options(target: Target) -> dict[str, Any]:
    base = {"opset": OPSET, "dynamo": True, "external_data": False, "input_name": INPUT_NAME}
    if target.precision == "fp16":
        return {**base, "fp16": "onnxruntime.transformers.float16", "keep_io_types": True}
    if target.precision == "int8":
        return {**base, **INT8_QDQ, "calibration_samples": CALIBRATION_SAMPLES}
    return base


# onnxruntime's recommendation for GPU/TensorRT: QDQ, symmetric QInt8 activations and weights.
INT8_QDQ = {"quant_format": "QDQ", "symmetric": True, "per_channel": True}
CALIBRATION_SAMPLES = 16


def to_fp16(fp32: Path, out: Path) -> None:
    """fp32 ONNX → fp16 compute, inputs and outputs kept fp32 (Casts at the edges)."""
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    model = convert_float_to_float16(onnx.load(str(fp32)), keep_io_types=True)
    onnx.save(model, str(out))


def to_qdq_int8(fp32: Path, out: Path, batches: list[Any]) -> None:
    """fp32 ONNX → Q/DQ int8 by onnxruntime's static quantizer (min-max calibration)."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._it = iter(batches)

        def get_next(self) -> dict[str, Any] | None:
            x = next(self._it, None)
            return None if x is None else {INPUT_NAME: x}

    quantize_static(
        str(fp32),
        str(out),
        Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=INT8_QDQ["per_channel"],
        activation_type=QuantType.QInt8,
        weight_type=QuantType.QInt8,
        extra_options={"ActivationSymmetric": True, "WeightSymmetric": True},
    )


def input_signature(path: Path) -> list[dict[str, Any]]:
    import onnxruntime as ort

    ort.disable_telemetry_events()  # no telemetry from benchctl's processes

    from benchctl.runner.backends.onnxruntime import ORT_DTYPES

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

    ort.disable_telemetry_events()  # no telemetry from benchctl's processes
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
    if target.precision in ("fp16", "int8"):
        fp32, path = path, out_dir / f"model-{target.precision}.onnx"
        try:
            if target.precision == "fp16":
                to_fp16(fp32, path)
            else:
                from benchctl.harness.convert.tflite import calibration_batches

                batches = calibration or calibration_batches(built, CALIBRATION_SAMPLES)
                to_qdq_int8(fp32, path, batches)
        except Exception as exc:  # the converters raise many types; all mean "this failed"
            raise ConversionError(
                f"ONNX {target.precision} conversion failed: {type(exc).__name__}: {str(exc)[:500]}"
            ) from exc
        fp32.unlink()
    with torch.no_grad():
        reference = built.module(built.example).numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (candidate,) = session.run([OUTPUT_NAME], {INPUT_NAME: built.example.numpy()})
    parity = compare(np.asarray(candidate), reference, precision=target.precision)
    parity["runtime"] = f"onnxruntime=={ort.__version__} CPUExecutionProvider"
    return Converted(path, parity, input_signature(path))
