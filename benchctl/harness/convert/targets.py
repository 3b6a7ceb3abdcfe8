"""Conversion targets: what `benchctl convert --to …` names, and what each produces.

A target is one (format, precision) a converter can make. Runtimes (`harness/runtimes.py`) say
which target they consume, so `--runtime litert-int8` and `--to tflite-int8` meet in one place.
benchctl's own are added by `register_builtin`, its `benchctl.targets` entry point; a plugin adds
its own the same way (`benchctl/plugins.py`), naming its converter module by its dotted path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benchctl.registry import Registry


@dataclass(frozen=True)
class Target:
    name: str  # what users type: onnx, tflite-fp16, coreml-fp16…
    format: str  # the spec's model.format: onnx, tflite, mlpackage, pt2
    precision: str  # fp32, fp16, int8, int8-dynamic, fp16-w8
    # The converter module (harness/convert/base.py: Converter): a dotted module path, or the
    # name of one of benchctl's own in benchctl.harness.convert. Imported only when converting.
    converter: str
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""


TARGETS: Registry[Target] = Registry(
    "conversion target", group="benchctl.targets", entry_type=Target
)


def register_builtin(registry: Registry[Target]) -> None:
    """benchctl's own conversion targets (its `benchctl.targets` entry point)."""

    def _add(*args: Any, **kwargs: Any) -> None:
        target = Target(*args, **kwargs)
        registry.add(target.name, target)

    _add("onnx", "onnx", "fp32", "onnx", description="ONNX (torch.onnx dynamo exporter, opset 18)")
    _add(
        "onnx-fp16",
        "onnx",
        "fp16",
        "onnx",
        description="ONNX computing in fp16 (fp32 inputs/outputs), for strongly typed TensorRT",
    )
    _add(
        "onnx-int8",
        "onnx",
        "int8",
        "onnx",
        description="ONNX with Q/DQ int8 (onnxruntime static quantizer, symmetric), for TensorRT",
    )
    _add(
        "tflite-fp32",
        "tflite",
        "fp32",
        "tflite",
        {"quantization": None},
        "LiteRT flatbuffer via litert-torch",
    )
    _add(
        "tflite-fp16",
        "tflite",
        "fp16",
        "tflite",
        {"quantization": "fp16-weights"},
        "LiteRT, weights stored as fp16 (ai-edge-quantizer float casting)",
    )
    _add(
        "tflite-int8-dynamic",
        "tflite",
        "int8-dynamic",
        "tflite",
        {"quantization": "dynamic-int8"},
        "LiteRT, dynamic-range int8 (int8 weights, activations quantized at run time)",
    )
    _add(
        "tflite-int8",
        "tflite",
        "int8",
        "tflite",
        {"quantization": "full-int8"},
        "LiteRT, full-integer int8 (weights and activations), calibrated on a representative set",
    )
    _add(
        "edgetpu",
        "tflite",
        "int8",
        "edgetpu",
        {"quantization": "full-int8"},
        "full-integer LiteRT compiled by edgetpu_compiler for the Coral Edge TPU",
    )
    _add(
        "coreml-fp32",
        "mlpackage",
        "fp32",
        "coreml",
        {"compute_precision": "fp32"},
        "Core ML ML program (.mlpackage), fp32 compute",
    )
    _add(
        "coreml-fp16",
        "mlpackage",
        "fp16",
        "coreml",
        {"compute_precision": "fp16"},
        "Core ML ML program (.mlpackage), fp16 compute",
    )
    _add(
        "coreml-fp16-w8",
        "mlpackage",
        "fp16-w8",
        "coreml",
        {"compute_precision": "fp16", "weights": "int8-linear"},
        "Core ML ML program, fp16 compute with 8-bit linearly quantized weights",
    )
    _add(
        "pt2",
        "pt2",
        "fp32",
        "pt2",
        description="torch.export program (.pt2), the PyTorch reference",
    )


def get_target(name: str) -> Target:
    return TARGETS.get(name)
