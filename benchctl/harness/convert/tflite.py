"""PyTorch → LiteRT (.tflite) with litert-torch, then quantization with ai-edge-quantizer.

fp32 is litert-torch's own output. fp16 casts weights to fp16 (float casting); dynamic-range
int8 quantizes weights channel-wise with activations quantized at run time; full-integer int8
calibrates activations on a representative dataset (random, seeded, by default — or the user's
images) and has int8 inputs and outputs, as the Edge TPU compiler requires.
"""

from __future__ import annotations

import importlib.metadata
import warnings
from pathlib import Path
from typing import Any

from benchctl.errors import ConversionError, DependencyMissingError
from benchctl.harness.build import BuiltModel
from benchctl.harness.convert.base import Converted
from benchctl.harness.convert.targets import Target
from benchctl.harness.parity import compare

EXPORTER = "litert-torch + ai-edge-quantizer"
CALIBRATION_SAMPLES = 16
INSTALL_HINT = "install the LiteRT converter: pip install 'benchctl[litert]'"


def exporter_version() -> str:
    out = []
    for dist in ("litert-torch", "ai-edge-quantizer", "ai-edge-litert", "torch"):
        try:
            out.append(f"{dist}=={importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            out.append(f"{dist}==missing")
    return ";".join(out)


def options(target: Target) -> dict[str, Any]:
    return {**target.options, "calibration_samples": CALIBRATION_SAMPLES}


def _float_model(built: BuiltModel, path: Path) -> None:
    try:
        import litert_torch
    except ImportError as exc:
        raise DependencyMissingError(f"litert-torch is missing; {INSTALL_HINT}") from exc
    from litert_torch import _config

    _config.config.show_progress = False  # its progress lines are not ours to print
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            litert_torch.convert(built.module, (built.example,)).export(str(path))
    except Exception as exc:  # the converter raises many types; all mean this conversion failed
        raise ConversionError(
            f"litert-torch conversion failed: {type(exc).__name__}: {str(exc)[:500]}"
        ) from exc


def _recipe(kind: str):
    from ai_edge_quantizer import qtyping, recipe, recipe_manager
    from ai_edge_quantizer.algorithm_manager import AlgorithmName

    if kind == "dynamic-int8":
        return recipe.dynamic_wi8_afp32()
    if kind == "full-int8":
        return recipe.static_wi8_ai8()
    if kind == "fp16-weights":
        manager = recipe_manager.RecipeManager()
        manager.add_weight_only_config(
            regex=".*",
            operation_name=qtyping.TFLOperationName.ALL_SUPPORTED,
            num_bits=16,
            algorithm_key=AlgorithmName.FLOAT_CASTING,
        )
        return manager.get_quantization_recipe()
    raise ConversionError(f"unknown LiteRT quantization {kind!r}")


def calibration_batches(built: BuiltModel, count: int = CALIBRATION_SAMPLES) -> list[Any]:
    """Seeded random inputs of the model's shape (the default representative dataset)."""
    import numpy as np

    rng = np.random.default_rng(1234)
    return [rng.standard_normal(built.input_shape, dtype=np.float32) for _ in range(count)]


def _quantize(
    float_path: Path, out: Path, kind: str, built: BuiltModel, calibration: list[Any] | None
) -> None:
    from ai_edge_quantizer import quantizer

    try:
        q = quantizer.Quantizer(str(float_path), _recipe(kind))
        result = None
        if q.need_calibration:
            from ai_edge_litert.interpreter import Interpreter

            signatures = Interpreter(model_path=str(float_path)).get_signature_list()
            key = next(iter(signatures))
            (input_name,) = signatures[key]["inputs"]
            data = calibration if calibration is not None else calibration_batches(built)
            result = q.calibrate({key: [{input_name: x} for x in data]})
        q.quantize(result, enable_progress_report=False).export_model(str(out), overwrite=True)
    except ConversionError:
        raise
    except Exception as exc:
        raise ConversionError(
            f"ai-edge-quantizer ({kind}) failed: {type(exc).__name__}: {str(exc)[:500]}"
        ) from exc


def run_tflite(path: Path, x: Any) -> Any:
    """One inference on the LiteRT CPU interpreter, (de)quantizing int8 inputs and outputs."""
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(path), num_threads=1)
    it.allocate_tensors()
    (inp,), (outp,) = it.get_input_details(), it.get_output_details()
    it.set_tensor(inp["index"], quantize_input(inp, x))
    it.invoke()
    return dequantize_output(outp, it.get_tensor(outp["index"]))


def quantize_input(detail: dict[str, Any], x: Any) -> Any:
    """A float array as the interpreter's input tensor wants it (int8/uint8: scale, zero point)."""
    import numpy as np

    if detail["dtype"] == np.float32:
        return x
    scale, zero = detail["quantization"]
    info = np.iinfo(detail["dtype"])
    return np.clip(np.round(x / scale + zero), info.min, info.max).astype(detail["dtype"])


def dequantize_output(detail: dict[str, Any], y: Any) -> Any:
    """An output tensor as floats (int8/uint8 outputs dequantized with their scale, zero point)."""
    import numpy as np

    if detail["dtype"] == np.float32:
        return y
    scale, zero = detail["quantization"]
    return (y.astype(np.float32) - zero) * scale


def input_signature(path: Path) -> list[dict[str, Any]]:
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(path))
    return [
        {
            "name": d["name"],
            "shape": [int(s) for s in d["shape"]],
            "dtype": np.dtype(d["dtype"]).name,
        }
        for d in it.get_input_details()
    ]


def convert(
    built: BuiltModel, target: Target, out_dir: Path, calibration: list[Any] | None = None
) -> Converted:
    """Write `model.tflite` into `out_dir` and check it against PyTorch."""
    import torch

    kind = target.options.get("quantization")
    path = out_dir / "model.tflite"
    if kind is None:
        _float_model(built, path)
    else:
        float_path = out_dir / "float.tflite"
        _float_model(built, float_path)
        _quantize(float_path, path, kind, built, calibration)
        float_path.unlink()
    with torch.no_grad():
        reference = built.module(built.example).numpy()
    parity = compare(run_tflite(path, built.example.numpy()), reference, precision=target.precision)
    parity["runtime"] = "ai-edge-litert CPU interpreter"
    return Converted(path, parity, input_signature(path))
