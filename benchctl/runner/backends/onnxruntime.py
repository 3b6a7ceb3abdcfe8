"""onnxruntime inside the Python runner (CPU; the CUDA/TensorRT providers when installed).

The requested accelerator maps to one execution provider. Without `allow_fallback` that provider
is the only one named and `session.disable_cpu_ep_fallback` is set (naming the CPU provider as
well is a configuration conflict onnxruntime refuses), so a node the provider rejects fails the
load. With fallback the CPU provider follows it. After loading, where each node was placed is
read back (`get_provider_graph_assignment_info`, where this onnxruntime has it), so a partial
or total fallback is reported.

On a GPU provider inputs and outputs live on the device (IOBinding): each sample is the
inference, not host↔device copies, like the TensorRT and torch-cuda paths.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from benchctl.runner.backends.base import (
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
    onnxruntime.disable_telemetry_events()  # benchctl never asks for onnxruntime's telemetry
    return onnxruntime


# Where the IOBinding keeps inputs and outputs; None: plain `sess.run` on numpy (CPU).
IO_DEVICE = {"cpu": None, "cuda": "cuda", "tensorrt": "cuda"}
ASSIGNMENT_KEY = "session.record_ep_graph_assignment_info"


def provider_config(accelerator: str, allow_fallback: bool) -> tuple[list[str], dict[str, str]]:
    """(providers, session config entries) for a request; never the CPU-EP/no-fallback conflict."""
    if accelerator == "cpu":
        return [PROVIDERS["cpu"]], {}
    if allow_fallback:
        return [PROVIDERS[accelerator], PROVIDERS["cpu"]], {}
    # Naming CPUExecutionProvider too would make onnxruntime refuse the session outright.
    return [PROVIDERS[accelerator]], {"session.disable_cpu_ep_fallback": "1"}


class OrtSession(HostClockSession):
    def __init__(self, session: Any, accelerator: str, io_device: str | None = None) -> None:
        self._session = session
        self._accelerator = accelerator
        self._io_device = io_device

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
        if self._io_device is None:
            # partial() is a C-level call: the loop adds nothing a bare `sess.run` lacks.
            return functools.partial(self._session.run, None, dict(arrays))
        ort = _ort()
        binding = self._session.io_binding()
        self._device_inputs = {  # kept alive: the binding holds only their addresses
            name: ort.OrtValue.ortvalue_from_numpy(array, self._io_device, 0)
            for name, array in arrays.items()
        }
        for name, value in self._device_inputs.items():
            binding.bind_ortvalue_input(name, value)
        for out in self._session.get_outputs():
            binding.bind_output(out.name, self._io_device, 0)
        self._binding = binding
        return functools.partial(self._session.run_with_iobinding, binding)

    def placement(self) -> dict[str, int] | None:
        """Nodes per execution provider as onnxruntime assigned them (None: too old to say)."""
        read = getattr(self._session, "get_provider_graph_assignment_info", None)
        if read is None:
            return None
        counts: dict[str, int] = {}
        for subgraph in read():
            counts[subgraph.ep_name] = counts.get(subgraph.ep_name, 0) + len(subgraph.get_nodes())
        return counts

    def describe(self) -> Description:
        providers = self._session.get_providers()
        placed = self.placement()
        summary = {
            "providers": providers,
            "nodes_by_provider": placed,
            "io_binding": self._io_device,
        }
        if placed is None:  # an older onnxruntime: only the provider list, the best it can say
            first = providers[0] if providers else None
            actual: str | None = next((k for k, v in PROVIDERS.items() if v == first), first)
            return Description(accelerator_actual=actual, plan_summary=summary)
        wanted = PROVIDERS[self._accelerator]
        on_wanted, total = placed.get(wanted, 0), sum(placed.values())
        if total == 0 or on_wanted > 0:  # partial placements show in delegated/total nodes
            actual = self._accelerator
        else:
            first = max(placed, key=placed.__getitem__)
            actual = next((k for k, v in PROVIDERS.items() if v == first), first)
        return Description(
            accelerator_actual=actual,
            delegated_nodes=on_wanted,
            total_nodes=total,
            plan_summary=summary,
        )

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
        if options.get("profile_file_prefix"):  # the profiled pass (backends/profile_ort.py)
            so.enable_profiling = True
            so.profile_file_prefix = str(options["profile_file_prefix"])
        if PROVIDERS[accelerator] not in ort.get_available_providers():
            raise DelegateUnavailable(
                f"{PROVIDERS[accelerator]} is not in this onnxruntime {ort.__version__} (it has "
                f"{', '.join(ort.get_available_providers())}); install onnxruntime-gpu on a "
                "machine with an NVIDIA GPU"
            )
        providers, entries = provider_config(accelerator, bool(options.get("allow_fallback")))
        for key, value in {**entries, ASSIGNMENT_KEY: "1"}.items():
            so.add_session_config_entry(key, value)
        try:
            session = ort.InferenceSession(model_path, sess_options=so, providers=providers)
        except Exception as exc:
            if "fallback to CPU EP has been explicitly disabled" in str(exc):
                raise DelegateUnavailable(
                    f"{PROVIDERS[accelerator]} does not take every node of this model "
                    "(onnxruntime assigns some to the CPU); pass --allow-fallback to run them "
                    "there, reported as a partial placement"
                ) from None
            raise
        return OrtSession(session, accelerator, IO_DEVICE[accelerator])
