"""TensorRT inside the Python runner: an engine built on the target from the ONNX artifact.

Engines are specific to the GPU model and the TensorRT version, so they are built where they run
and cached there, keyed by (ONNX sha256, GPU name, compute capability, TensorRT version, precision).
Inputs and outputs are CUDA tensors allocated once (through torch); each sample comes from CUDA
events around `execute_async_v3` on one stream.

Precision is carried by the ONNX file, and networks are strongly typed, on TensorRT 10 and 11
alike: TensorRT 11 removed `BuilderFlag.FP16`/`INT8` and the int8 calibrators, and is always
strongly typed (its STRONGLY_TYPED creation flag is deprecated and ignored); TensorRT 10 gets the
flag. So `tensorrt-fp16` builds from the `onnx-fp16` artifact and `tensorrt-int8` from the Q/DQ
`onnx-int8` one, and a run whose ONNX computes in another precision than asked is refused.
The version is `tensorrt.__version__`: `tensorrt-cu12` wheels and JetPack's apt packages install
no `tensorrt` distribution for importlib.metadata to find.

Not yet verified on hardware: TensorRT cannot be installed on the machines this was written on.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchctl.runner.backends.base import (
    BackendUnavailable,
    DelegateUnavailable,
    Description,
    TensorSpec,
)
from benchctl.runner.backends.torch import cuda_event_timer
from benchctl.runner.digest import content_sha256

PRECISIONS = ("fp32", "fp16", "int8")
INSTALL_HINT = (
    "TensorRT is not installed; on the GPU host: pip install 'benchctl[tensorrt]' (PyPI's "
    "tensorrt, or tensorrt-cu12 for CUDA 12) together with a CUDA build of torch"
)
WORKSPACE_BYTES = 1 << 30


def engine_cache_dir() -> Path:
    root = os.environ.get("BENCHCTL_TRT_CACHE") or Path.home() / ".cache" / "benchctl" / "tensorrt"
    return Path(root)


def engine_cache_key(
    onnx_sha256: str, gpu_name: str, capability: str, trt_version: str, precision: str
) -> str:
    """The engine's identity: everything that makes a serialized engine valid and the same."""
    if precision not in PRECISIONS:
        raise ValueError(f"TensorRT precision must be one of {PRECISIONS}, got {precision!r}")
    blob = json.dumps(
        {
            "onnx": onnx_sha256,
            "gpu": gpu_name,
            "sm": capability,
            "tensorrt": trt_version,
            "precision": precision,
            "workspace": WORKSPACE_BYTES,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _trt():
    try:
        import tensorrt
    except ImportError as exc:
        raise BackendUnavailable(INSTALL_HINT) from exc
    return tensorrt


def major_version(trt: Any) -> int:
    return int(str(trt.__version__).split(".")[0])


def network_flags(trt: Any) -> int:
    """Creation flags for a strongly typed network: the ONNX's own types decide each layer's."""
    if major_version(trt) >= 11:
        return 0  # always strongly typed; the flag is deprecated and ignored
    return 1 << int(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED)


def _enum_name(value: Any) -> str:
    return str(value).split(".")[-1]


def network_precision(network: Any) -> str:
    """What a parsed network computes in: int8 with Q/DQ layers, fp16 with half tensors."""
    half = False
    for i in range(network.num_layers):
        layer = network.get_layer(i)
        if _enum_name(layer.type) == "DEQUANTIZE":
            return "int8"
        for j in range(layer.num_outputs):
            half = half or _enum_name(layer.get_output(j).dtype) == "HALF"
    return "fp16" if half else "fp32"


def build_engine(onnx_path: str, precision: str, trt: Any) -> bytes:
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(network_flags(trt))
    parser = trt.OnnxParser(network, logger)
    with open(onnx_path, "rb") as f:
        if not parser.parse(f.read()):
            errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
            raise RuntimeError(f"TensorRT could not parse the ONNX model: {errors}")
    carried = network_precision(network)
    if carried != precision:
        target = {"fp32": "onnx", "fp16": "onnx-fp16", "int8": "onnx-int8"}[precision]
        raise ValueError(
            f"TensorRT {trt.__version__} takes the precision from the ONNX file (strongly typed), "
            f"and this one computes in {carried}, not {precision}: use the {target} artifact "
            f"(the tensorrt{'' if precision == 'fp32' else '-' + precision} runtime)"
        )
    config = builder.create_builder_config()
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, WORKSPACE_BYTES)
    serialized = builder.build_serialized_network(network, config)
    if serialized is None:
        raise RuntimeError("TensorRT failed to build the engine (see the logger output)")
    return bytes(serialized)


class TensorRtSession:
    clock_name = "cuda-events"
    compile_ns: int | None = None

    def __init__(self, engine: Any, torch: Any, trt: Any, info: dict[str, Any]) -> None:
        self._engine = engine
        self._torch = torch
        self._context = engine.create_execution_context()
        self._stream = torch.cuda.Stream()
        self._info = info
        self._tensors: dict[str, Any] = {}
        self._input_names = []
        for i in range(engine.num_io_tensors):
            name = engine.get_tensor_name(i)
            shape = tuple(engine.get_tensor_shape(name))
            dtype = _TORCH_DTYPES[str(engine.get_tensor_dtype(name)).split(".")[-1]](torch)
            self._tensors[name] = torch.empty(shape, dtype=dtype, device="cuda")
            self._context.set_tensor_address(name, int(self._tensors[name].data_ptr()))
            if engine.get_tensor_mode(name) == trt.TensorIOMode.INPUT:
                self._input_names.append(name)
        self.timer = cuda_event_timer(torch, self._stream)
        self.synchronize = self._stream.synchronize

    def inputs(self) -> list[TensorSpec]:
        return [
            TensorSpec(
                n, list(self._tensors[n].shape), str(self._tensors[n].dtype).removeprefix("torch.")
            )
            for n in self._input_names
        ]

    def bind(self, arrays: dict[str, Any]) -> Callable[[], object]:
        for name in self._input_names:
            self._tensors[name].copy_(self._torch.from_numpy(arrays[name]))
        self._torch.cuda.synchronize()
        execute, handle = self._context.execute_async_v3, self._stream.cuda_stream

        def call() -> None:
            if not execute(handle):  # a failed enqueue would otherwise time an empty stream
                raise RuntimeError("TensorRT execute_async_v3 failed to enqueue the inference")

        return call

    def describe(self) -> Description:
        return Description(accelerator_actual="cuda", plan_summary=self._info)

    def close(self) -> None:
        self._context = None
        self._engine = None


_TORCH_DTYPES: dict[str, Callable[[Any], Any]] = {
    "FLOAT": lambda t: t.float32,
    "HALF": lambda t: t.float16,
    "INT8": lambda t: t.int8,
    "INT32": lambda t: t.int32,
    "INT64": lambda t: t.int64,
    "BOOL": lambda t: t.bool,
}


class TensorRtBackend:
    name = "tensorrt"
    formats = ("onnx",)
    accelerators = ("cuda",)

    def version(self) -> str:
        return str(_trt().__version__)  # never package metadata: see the module docstring

    def available_accelerators(self) -> list[str]:
        _trt()
        import torch

        return ["cuda"] if torch.cuda.is_available() else []

    def load(self, model_path: str, accelerator: str, options: dict[str, Any]) -> TensorRtSession:
        trt = _trt()
        import torch

        if accelerator != "cuda" or not torch.cuda.is_available():
            raise DelegateUnavailable("TensorRT needs an NVIDIA GPU visible to CUDA")
        precision = options.get("precision") or "fp32"
        gpu = torch.cuda.get_device_name()
        sm = ".".join(map(str, torch.cuda.get_device_capability()))
        key = engine_cache_key(content_sha256(model_path), gpu, sm, trt.__version__, precision)
        path = engine_cache_dir() / f"{key}.engine"
        reused = path.is_file()
        compile_ns = None
        if not reused:
            path.parent.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter_ns()
            engine_bytes = build_engine(model_path, precision, trt)
            compile_ns = time.perf_counter_ns() - t0
            tmp = path.with_name(
                f"{path.name}.{os.getpid()}.tmp"
            )  # concurrent builds never collide
            tmp.write_bytes(engine_bytes)
            os.replace(tmp, path)
        runtime = trt.Runtime(trt.Logger(trt.Logger.WARNING))
        engine = runtime.deserialize_cuda_engine(path.read_bytes())
        if engine is None:
            raise RuntimeError(f"TensorRT could not load the cached engine {path}")
        info = {
            "tensorrt_major": major_version(trt),
            "strongly_typed": True,
            "engine_key": key,
            "engine_reused": reused,
            "gpu": gpu,
            "capability": sm,
            "precision": precision,
        }
        session = TensorRtSession(engine, torch, trt, info)
        session.compile_ns = compile_ns  # the engine build, reported apart from load
        return session
