"""What `--runtime` means: a name → (artifact format, runner backend, accelerator, precision)."""

from __future__ import annotations

from dataclasses import dataclass

from benchctl.registry import Registry


@dataclass(frozen=True)
class Runtime:
    name: str  # what users type: onnxruntime, litert, coreml…
    artifact_format: str  # what the converter must produce
    backend: str  # the runner backend that executes it
    accelerator: str  # requested accelerator; a different actual one fails the run
    precision: str  # fp32, fp16, int8
    description: str = ""


RUNTIMES: Registry[Runtime] = Registry("runtime")

RUNTIMES.add(
    "onnxruntime",
    Runtime(
        "onnxruntime",
        "onnx",
        "onnxruntime",
        "cpu",
        "fp32",
        "ONNX Runtime, CPU execution provider",
    ),
)


def get_runtime(name: str) -> Runtime:
    return RUNTIMES.get(name)
