"""TensorRT inside the Python runner: an engine built on the target from the ONNX artifact.

Engines are specific to the GPU model and the TensorRT version, so they are built where they run
and cached there, keyed by (ONNX sha256, GPU name, compute capability, TensorRT version, precision).
Inputs and outputs are CUDA tensors allocated once (through torch); each sample comes from CUDA
events around `execute_async_v3` on one stream.

Not yet verified on hardware: TensorRT cannot be installed on the machines this was written on.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchctl.harness.backends.base import (
    BackendUnavailable,
    DelegateUnavailable,
    Description,
    TensorSpec,
)
from benchctl.harness.backends.torch import cuda_event_timer
from benchctl.harness.digest import content_sha256

PRECISIONS = ("fp32", "fp16", "int8")
INSTALL_HINT = (
    "TensorRT is not installed; on the GPU host install NVIDIA's wheels "
    "(pip install tensorrt) together with a CUDA build of torch"
)
WORKSPACE_BYTES = 1 << 30
INT8_CALIBRATION_BATCHES = 8


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


class _RandomCalibrator:
    """Seeded random batches for int8 calibration (a latency benchmark, not an accuracy one)."""

    def __new__(cls, trt: Any, torch: Any, shape: list[int]) -> Any:
        class Calibrator(trt.IInt8EntropyCalibrator2):
            def __init__(self) -> None:
                super().__init__()
                gen = torch.Generator(device="cpu").manual_seed(0)
                self.batches = [
                    torch.randn(*shape, generator=gen).cuda()
                    for _ in range(INT8_CALIBRATION_BATCHES)
                ]

            def get_batch_size(self) -> int:
                return shape[0]

            def get_batch(self, names: list[str]) -> list[int] | None:
                if not self.batches:
                    return None
                self.current = self.batches.pop()  # TensorRT reads it later: keep it alive
                return [int(self.current.data_ptr())]

            def read_calibration_cache(self) -> None:
                return None

            def write_calibration_cache(self, cache: bytes) -> None:
                return None

        return Calibrator()


def build_engine(onnx_path: str, precision: str, trt: Any, torch: Any) -> bytes:
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    parser = trt.OnnxParser(network, logger)
    with open(onnx_path, "rb") as f:
        if not parser.parse(f.read()):
            errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
            raise RuntimeError(f"TensorRT could not parse the ONNX model: {errors}")
    config = builder.create_builder_config()
    config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, WORKSPACE_BYTES)
    if precision in ("fp16", "int8"):
        config.set_flag(trt.BuilderFlag.FP16)
    if precision == "int8":
        config.set_flag(trt.BuilderFlag.INT8)
        shape = list(network.get_input(0).shape)
        config.int8_calibrator = _RandomCalibrator(trt, torch, shape)
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
        _trt()
        return importlib.metadata.version("tensorrt")

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
            engine_bytes = build_engine(model_path, precision, trt, torch)
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
            "engine_key": key,
            "engine_reused": reused,
            "gpu": gpu,
            "capability": sm,
            "precision": precision,
        }
        session = TensorRtSession(engine, torch, trt, info)
        session.compile_ns = compile_ns  # the engine build, reported apart from load
        return session
