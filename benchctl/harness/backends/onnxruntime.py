"""onnxruntime inside the Python runner (CPU; the CUDA/TensorRT providers when installed).

The requested accelerator maps to one execution provider; after loading, the provider the
session actually uses is read back, so a silent fallback to CPU is reported, not hidden.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from benchctl.harness.backends.base import (
    BackendUnavailable,
    DelegateUnavailable,
    Description,
    HostClockSession,
    TensorSpec,
)

PROVIDERS = {
    "cpu": "CPUExecutionProvider",
    "cuda": "CUDAExecutionProvider",
    "tensorrt": "TensorrtExecutionProvider",
}
ORT_DTYPES = {
    "tensor(float)": "float32",
    "tensor(float16)": "float16",
    "tensor(int8)": "int8",
    "tensor(uint8)": "uint8",
    "tensor(int32)": "int32",
    "tensor(int64)": "int64",
}


def _ort():
    try:
        import onnxruntime
    except ImportError as exc:
        raise BackendUnavailable(
            "onnxruntime is not installed; run: pip install onnxruntime"
        ) from exc
    return onnxruntime


class OrtSession(HostClockSession):
    def __init__(self, session: Any, accelerator: str) -> None:
        self._session = session
        self._accelerator = accelerator

    def inputs(self) -> list[TensorSpec]:
        return [
            TensorSpec(
                i.name,
                [d if isinstance(d, int) else -1 for d in i.shape],
                ORT_DTYPES.get(i.type, i.type),
            )
            for i in self._session.get_inputs()
        ]

    def bind(self, arrays: dict[str, Any]) -> Callable[[], object]:
        # partial() is a C-level call: the loop adds nothing a bare `sess.run(None, feeds)` lacks.
        return functools.partial(self._session.run, None, dict(arrays))

    def describe(self) -> Description:
        used = self._session.get_providers()
        first = used[0] if used else None
        actual = next((k for k, v in PROVIDERS.items() if v == first), first)
        return Description(accelerator_actual=actual, plan_summary={"providers": used})

    def close(self) -> None:
        self._session = None


class OnnxRuntimeBackend:
    name = "onnxruntime"
    formats = ("onnx",)
    accelerators = tuple(PROVIDERS)

    def version(self) -> str:
        return _ort().__version__

    def available_accelerators(self) -> list[str]:
        have = set(_ort().get_available_providers())
        return [acc for acc, prov in PROVIDERS.items() if prov in have]

    def load(self, model_path: str, accelerator: str, options: dict[str, Any]) -> OrtSession:
        ort = _ort()
        if accelerator not in PROVIDERS:
            raise ValueError(
                f"onnxruntime has no accelerator {accelerator!r}; known: {sorted(PROVIDERS)}"
            )
        so = ort.SessionOptions()
        threads = options.get("num_threads")
        if threads:
            so.intra_op_num_threads = int(threads)
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.log_severity_level = 3
        if options.get("profile_file_prefix"):  # the profiled pass (backends/_profile_ort.py)
            so.enable_profiling = True
            so.profile_file_prefix = str(options["profile_file_prefix"])
        if PROVIDERS[accelerator] not in ort.get_available_providers():
            raise DelegateUnavailable(
                f"{PROVIDERS[accelerator]} is not in this onnxruntime {ort.__version__} (it has "
                f"{', '.join(ort.get_available_providers())}); install onnxruntime-gpu on a "
                "machine with an NVIDIA GPU"
            )
        if accelerator != "cpu" and not options.get("allow_fallback"):
            # Otherwise ORT quietly runs the nodes its accelerator provider rejects on the CPU.
            so.add_session_config_entry("session.disable_cpu_ep_fallback", "1")
        providers = [PROVIDERS[accelerator]]
        if accelerator != "cpu":
            providers.append(PROVIDERS["cpu"])  # ORT needs it for unsupported nodes; reported below
        session = ort.InferenceSession(model_path, sess_options=so, providers=providers)
        return OrtSession(session, accelerator)
