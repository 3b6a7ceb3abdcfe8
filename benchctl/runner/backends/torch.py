"""PyTorch inside the Python runner: the CPU reference, and a desktop-GPU runtime on CUDA.

The artifact is a `torch.export` program (.pt2). On CUDA the model and its input live on the
device before timing, and each sample comes from a pair of CUDA events around the call (host
clocks would time only the kernel launch); `cuda_graphs` mode captures the forward pass once and
replays it, removing launch overhead.
"""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Callable
from typing import Any

from benchctl.runner.backends.base import (
    BackendUnavailable,
    DelegateUnavailable,
    Description,
    TensorSpec,
)

MODES = ("eager", "cuda_graphs")


def _torch():
    try:
        import torch
    except ImportError as exc:
        raise BackendUnavailable("torch is not installed; run: pip install torch") from exc
    return torch


def cuda_event_timer(torch: Any, stream: Any = None) -> Callable[[Callable[[], object]], int]:
    """A timer that records events around one call on `stream` and returns nanoseconds."""
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)

    def timer(call: Callable[[], object]) -> int:
        start.record(stream)
        call()
        end.record(stream)
        end.synchronize()
        return max(1, round(start.elapsed_time(end) * 1e6))  # elapsed_time is in ms

    return timer


class TorchSession:
    def __init__(self, module: Any, device: str, mode: str, input_spec: TensorSpec | None) -> None:
        self._module = module
        self._device = device
        self._mode = mode
        self._input_spec = input_spec
        torch = _torch()
        self.clock_name = "cuda-events" if device == "cuda" else None
        self.timer = cuda_event_timer(torch) if device == "cuda" else None
        self.synchronize = torch.cuda.synchronize if device == "cuda" else None
        self.compile_ns: int | None = None  # CUDA-graph warm-up + capture, when captured

    def inputs(self) -> list[TensorSpec]:
        return [self._input_spec] if self._input_spec else []

    def bind(self, arrays: dict[str, Any]) -> Callable[[], object]:
        torch = _torch()
        (array,) = arrays.values()
        x = torch.from_numpy(array).to(self._device)
        module = self._module
        if self._mode == "eager":
            return lambda: module(x)
        # cuda_graphs: warm up on a side stream, capture once, replay in the timed loop.
        t0 = time.perf_counter_ns()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(3):
                module(x)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            module(x)
        torch.cuda.synchronize()
        self.compile_ns = time.perf_counter_ns() - t0
        return graph.replay

    def describe(self) -> Description:
        torch = _torch()
        plan: dict[str, Any] = {"mode": self._mode, "threads": torch.get_num_threads()}
        actual = "cpu"
        if self._device == "cuda":
            param = next(iter(self._module.parameters()), None)
            actual = "cuda" if param is None or param.is_cuda else "cpu"
            plan["gpu"] = torch.cuda.get_device_name()
            plan["capability"] = ".".join(map(str, torch.cuda.get_device_capability()))
        return Description(accelerator_actual=actual, plan_summary=plan)

    def close(self) -> None:
        self._module = None


class TorchBackend:
    name = "torch"
    formats = ("pt2",)
    accelerators = ("cpu", "cuda")

    def version(self) -> str:
        torch = _torch()
        try:
            return importlib.metadata.version("torch")
        except importlib.metadata.PackageNotFoundError:  # a source or vendor build (Jetson)
            return str(torch.__version__)

    def available_accelerators(self) -> list[str]:
        torch = _torch()
        return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]

    def load(self, model_path: str, accelerator: str, options: dict[str, Any]) -> TorchSession:
        torch = _torch()
        mode = options.get("mode", "eager")
        if accelerator not in self.accelerators or mode not in MODES:
            raise ValueError(
                f"torch runs on {self.accelerators} in modes {MODES}; got {accelerator}/{mode}"
            )
        if mode == "cuda_graphs" and accelerator != "cuda":
            raise ValueError("cuda_graphs mode needs accelerator cuda")
        if accelerator == "cuda" and not torch.cuda.is_available():
            raise DelegateUnavailable(
                "CUDA is not available to torch on this machine "
                f"(torch {torch.__version__}, cuda {torch.version.cuda})"
            )
        if options.get("num_threads"):
            torch.set_num_threads(int(options["num_threads"]))
        program = torch.export.load(model_path)
        spec = None
        placeholders = [n for n in program.graph.nodes if n.op == "placeholder"]
        user_inputs = program.graph_signature.user_inputs
        for node in placeholders:
            if node.name in user_inputs and "val" in node.meta:
                val = node.meta["val"]
                spec = TensorSpec(
                    "input", [int(d) for d in val.shape], str(val.dtype).removeprefix("torch.")
                )
        module = module_on(program, accelerator)
        return TorchSession(module, accelerator, mode, spec)


def module_on(program: Any, device: str) -> Any:
    """The exported program as a module on `device`.

    torch.export bakes `device=cpu` into the graph (arange, zeros, tensor-metadata asserts), so
    `.module().to(device)` moves only parameters and the graph then fails on its own constants;
    `move_to_device_pass` rewrites those nodes too. No parameter needs a gradient, so autograd
    records nothing (and no global state changes).
    """
    if device != "cpu":
        from torch.export.passes import move_to_device_pass

        program = move_to_device_pass(program, device)
    return program.module().requires_grad_(False)
