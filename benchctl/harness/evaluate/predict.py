"""Logits from an artifact, computed by the runtime that runs its format on this host:
onnxruntime (ONNX), the LiteRT interpreter (TFLite, int8 inputs and outputs (de)quantized with the
tensor's own scale and zero point), torch (a `torch.export` program) and Core ML (macOS only).

Artifacts are exported at a fixed batch (the run's `--batch`), so a batch of images is fed in
chunks of that size, the last one padded by repeating its final image (the padding's outputs are
dropped): the artifact evaluated is byte for byte the one whose latency is measured.
"""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from benchctl.harness.convert.cache import Artifact

Forward = Callable[["np.ndarray"], "np.ndarray"]


class PredictorUnavailable(Exception):
    """This host cannot run the artifact's format (the message says where it can run)."""


@dataclass
class Predictor:
    runtime: str  # onnxruntime, litert, torch, coreml
    version: str
    batch: int  # the artifact's fixed batch
    forward: Forward  # (batch, C, H, W) float32 → (batch, classes)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Logits for any number of images, fed in chunks of the artifact's batch."""
        import numpy as np

        outs = []
        for start in range(0, len(x), self.batch):
            chunk = x[start : start + self.batch]
            real = len(chunk)
            if real < self.batch:
                pad = np.repeat(chunk[-1:], self.batch - real, axis=0)
                chunk = np.concatenate([chunk, pad])
            y = np.asarray(self.forward(np.ascontiguousarray(chunk, dtype=np.float32)))
            outs.append(y.reshape(self.batch, -1)[:real])
        return np.concatenate(outs)


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def _onnx(art: Artifact, batch: int) -> Predictor:
    import onnxruntime as ort

    session = ort.InferenceSession(str(art.path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return Predictor(
        "onnxruntime",
        ort.__version__,
        batch,
        lambda x: session.run(None, {name: x})[0],
    )


def _tflite(art: Artifact, batch: int) -> Predictor:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:
        raise PredictorUnavailable(
            "ai-edge-litert is not installed; pip install 'benchctl[litert]'"
        ) from exc
    it = Interpreter(model_path=str(art.path))
    it.allocate_tensors()
    (inp,), (outp,) = it.get_input_details(), it.get_output_details()

    from benchctl.harness.convert.tflite import dequantize_output, quantize_input

    def forward(x: Any) -> Any:
        it.set_tensor(inp["index"], quantize_input(inp, x))
        it.invoke()
        return dequantize_output(outp, it.get_tensor(outp["index"]))

    return Predictor("litert", _version("ai-edge-litert"), batch, forward)


def _pt2(art: Artifact, batch: int) -> Predictor:
    import torch

    module = torch.export.load(str(art.path)).module()

    def forward(x: Any) -> Any:
        with torch.no_grad():
            return module(torch.from_numpy(x)).numpy()

    return Predictor("torch", torch.__version__, batch, forward)


def _coreml(art: Artifact, batch: int) -> Predictor:
    # Written against coremltools' documented MLModel API; not yet verified on a Mac.
    if platform.system() != "Darwin":
        raise PredictorUnavailable(
            "Core ML prediction needs macOS (coremltools predicts only there); evaluate this "
            "artifact on a Mac"
        )
    import coremltools as ct

    from benchctl.harness.convert.coreml import INPUT_NAME, OUTPUT_NAME

    model = ct.models.MLModel(str(art.path), compute_units=ct.ComputeUnit.ALL)
    return Predictor(
        "coreml",
        _version("coremltools"),
        batch,
        lambda x: model.predict({INPUT_NAME: x})[OUTPUT_NAME],
    )


_BY_FORMAT: dict[str, Callable[[Artifact, int], Predictor]] = {
    "onnx": _onnx,
    "tflite": _tflite,
    "pt2": _pt2,
    "mlpackage": _coreml,
}


def open_predictor(art: Artifact) -> Predictor:
    """The host runtime for the artifact's format, loaded once."""
    if art.options.get("target") == "edgetpu":
        raise PredictorUnavailable(
            "an Edge TPU model runs only on the Edge TPU; evaluate tflite-int8 (the same "
            "quantized model) on the host instead"
        )
    make = _BY_FORMAT.get(art.format)
    if make is None:
        raise PredictorUnavailable(f"no host runtime evaluates the {art.format} format")
    batch = int(art.inputs[0]["shape"][0]) if art.inputs and art.inputs[0]["shape"] else 1
    return make(art, batch)
