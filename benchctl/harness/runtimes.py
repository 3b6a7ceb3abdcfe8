"""What `--runtime` means: a name → (conversion target, runner backend, accelerator, options).

Names are what users type; the runner backend and requested accelerator go into the spec, and a
runtime that quietly runs on another accelerator fails the run (unless fallback is allowed).
benchctl's own are added by `register_builtin`, its `benchctl.runtimes` entry point; a plugin adds
its own the same way (`benchctl/plugins.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benchctl.harness.convert.targets import get_target
from benchctl.registry import Registry


@dataclass(frozen=True)
class Runtime:
    name: str  # what users type: onnxruntime, litert-int8, coreml-ane…
    target: str  # the conversion target it consumes (harness/convert/targets.py)
    backend: str  # the runner backend that executes it
    accelerator: str  # requested accelerator
    options: dict[str, Any] = field(default_factory=dict)  # backend options for the spec
    description: str = ""

    @property
    def artifact_format(self) -> str:
        return get_target(self.target).format

    @property
    def precision(self) -> str:
        """What the runtime computes in: its own option where it has one (TensorRT's, which
        must match its ONNX artifact's), else the artifact's precision."""
        return self.options.get("precision") or get_target(self.target).precision


def _check(runtime: Runtime) -> None:
    get_target(runtime.target)  # a runtime of a target nobody registered is refused when added


RUNTIMES: Registry[Runtime] = Registry(
    "runtime", group="benchctl.runtimes", entry_type=Runtime, check=_check
)


def register_builtin(registry: Registry[Runtime]) -> None:
    """benchctl's own runtimes (its `benchctl.runtimes` entry point)."""

    def _add(*args: Any, **kwargs: Any) -> None:
        runtime = Runtime(*args, **kwargs)
        registry.add(runtime.name, runtime)

    _add("onnxruntime", "onnx", "onnxruntime", "cpu", description="ONNX Runtime, CPU provider")
    _add(
        "onnxruntime-cuda", "onnx", "onnxruntime", "cuda", description="ONNX Runtime, CUDA provider"
    )
    _add(
        "onnxruntime-trt",
        "onnx",
        "onnxruntime",
        "tensorrt",
        description="ONNX Runtime, TensorRT provider",
    )
    _add(
        "litert",
        "tflite-fp32",
        "litert",
        "cpu",
        {"xnnpack": True},
        "LiteRT interpreter, fp32, XNNPACK",
    )
    _add(
        "litert-noxnnpack",
        "tflite-fp32",
        "litert",
        "cpu",
        {"xnnpack": False},
        "LiteRT interpreter, fp32, built-in kernels only",
    )
    _add(
        "litert-fp16",
        "tflite-fp16",
        "litert",
        "cpu",
        {"xnnpack": True},
        "LiteRT, fp16 weights, XNNPACK",
    )
    _add(
        "litert-int8",
        "tflite-int8",
        "litert",
        "cpu",
        {"xnnpack": True},
        "LiteRT, full-integer int8, XNNPACK",
    )
    _add(
        "litert-int8-dynamic",
        "tflite-int8-dynamic",
        "litert",
        "cpu",
        {"xnnpack": True},
        "LiteRT, dynamic-range int8, XNNPACK",
    )
    _add("litert-gpu", "tflite-fp32", "litert", "gpu", description="LiteRT GPU delegate")
    # The Android app's other delegates (android_app/…/LiteRtBackend.kt): NNAPI (legacy, Android
    # 8.1+, its CPU path off) and Qualcomm's QNN delegate on the Hexagon HTP (the app's `qnn`
    # flavor); "hexagon" is the name the mission card uses for the same unit.
    _add(
        "litert-nnapi",
        "tflite-fp32",
        "litert",
        "nnapi",
        description="LiteRT NNAPI delegate (Android)",
    )
    _add(
        "litert-qnn",
        "tflite-fp32",
        "litert",
        "qnn",
        description="LiteRT QNN delegate, Hexagon HTP fp16",
    )
    _add(
        "litert-qnn-int8",
        "tflite-int8",
        "litert",
        "qnn",
        description="LiteRT QNN delegate, Hexagon HTP, full-integer int8",
    )
    _add(
        "litert-hexagon",
        "tflite-fp32",
        "litert",
        "hexagon",
        description="LiteRT on the Hexagon NPU (the QNN delegate; = litert-qnn)",
    )
    _add("edgetpu", "edgetpu", "litert", "edgetpu", description="LiteRT + libedgetpu on a Coral")
    _add("torch", "pt2", "torch", "cpu", {"mode": "eager"}, "PyTorch reference, CPU")
    _add(
        "torch-cuda",
        "pt2",
        "torch",
        "cuda",
        {"mode": "eager"},
        "PyTorch on an NVIDIA GPU, eager, CUDA-event timing",
    )
    _add(
        "torch-cuda-graphs",
        "pt2",
        "torch",
        "cuda",
        {"mode": "cuda_graphs"},
        "PyTorch on an NVIDIA GPU, captured CUDA graph, CUDA-event timing",
    )
    _add(
        "tensorrt",
        "onnx",
        "tensorrt",
        "cuda",
        {"precision": "fp32"},
        "TensorRT engine built on the target from ONNX, fp32",
    )
    _add(
        "tensorrt-fp16",
        "onnx-fp16",
        "tensorrt",
        "cuda",
        {"precision": "fp16"},
        "TensorRT engine, strongly typed, from an fp16 ONNX (TensorRT 10 and 11)",
    )
    _add(
        "tensorrt-int8",
        "onnx-int8",
        "tensorrt",
        "cuda",
        {"precision": "int8"},
        "TensorRT engine, strongly typed, from a Q/DQ int8 ONNX (TensorRT 10 and 11)",
    )
    _add(
        "onnxruntime-int8",
        "onnx-int8",
        "onnxruntime",
        "cpu",
        description="ONNX Runtime, CPU provider, the Q/DQ int8 ONNX TensorRT takes",
    )
    _add(
        "onnxruntime-cuda-fp16",
        "onnx-fp16",
        "onnxruntime",
        "cuda",
        description="ONNX Runtime, CUDA provider, the fp16 ONNX TensorRT takes",
    )
    _add(
        "coreml",
        "coreml-fp16",
        "coreml",
        "all",
        {"compute_units": "all"},
        "Core ML, fp16, all compute units",
    )
    _add(
        "coreml-fp32",
        "coreml-fp32",
        "coreml",
        "all",
        {"compute_units": "all"},
        "Core ML, fp32, all compute units",
    )
    _add(
        "coreml-cpu",
        "coreml-fp16",
        "coreml",
        "cpu",
        {"compute_units": "cpuOnly"},
        "Core ML, CPU only",
    )
    _add(
        "coreml-gpu",
        "coreml-fp16",
        "coreml",
        "gpu",
        {"compute_units": "cpuAndGPU"},
        "Core ML, CPU and GPU",
    )
    _add(
        "coreml-ane",
        "coreml-fp16",
        "coreml",
        "ane",
        {"compute_units": "cpuAndNeuralEngine"},
        "Core ML, CPU and Neural Engine",
    )


def get_runtime(name: str) -> Runtime:
    return RUNTIMES.get(name)
