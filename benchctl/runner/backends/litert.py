"""The LiteRT interpreter (ai-edge-litert) inside the Python runner.

Accelerators: `cpu` (XNNPACK by default, or the built-in kernels only with `xnnpack: false`),
`gpu` (the GPU delegate library, where the platform ships one) and `edgetpu` (libedgetpu, for
models compiled by edgetpu_compiler). A delegate that cannot load is reported as such — the run
never silently continues on the CPU.

With a `gpu` or `edgetpu` delegate the interpreter is built without LiteRT's default delegates:
XNNPACK's own partition is a DELEGATE node too, and would otherwise be counted as the
accelerator's. Delegate libraries are first loaded in a child process (`probe_delegate`):
libedgetpu is reported to crash TFLite runtimes newer than the one it was built with
(google-coral/edgetpu#812, google-coral/libedgetpu#53), and a crash there must cost that
delegate, not the capabilities document or the run's result.
"""

from __future__ import annotations

import ctypes
import os
import platform
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

from benchctl.runner.backends.base import (
    BackendUnavailable,
    DelegateUnavailable,
    Description,
    HostClockSession,
    TensorSpec,
)

INSTALL_HINT = "ai-edge-litert is not installed; run: pip install 'benchctl[litert]'"
EDGETPU_LIBRARY = {
    "Linux": "libedgetpu.so.1",
    "Darwin": "libedgetpu.1.dylib",
    "Windows": "edgetpu.dll",
}
GPU_LIBRARY = {"Linux": "libtensorflowlite_gpu_delegate.so", "Darwin": "libmetal_delegate.dylib"}
# A delegate library elsewhere (a libedgetpu built for a newer TFLite, a vendor GPU delegate).
LIBRARY_ENV = {"edgetpu": "BENCHCTL_EDGETPU_LIBRARY", "gpu": "BENCHCTL_GPU_DELEGATE_LIBRARY"}
PROBE_TIMEOUT_S = 60.0
_PROBE = (
    "import sys\nfrom ai_edge_litert import interpreter\ninterpreter.load_delegate(sys.argv[1])\n"
)


def _interpreter_module():
    try:
        from ai_edge_litert import interpreter
    except ImportError as exc:
        raise BackendUnavailable(INSTALL_HINT) from exc
    return interpreter


def delegate_library(accelerator: str) -> str | None:
    override = os.environ.get(LIBRARY_ENV.get(accelerator, ""), "")
    if override:
        return override
    table = {"edgetpu": EDGETPU_LIBRARY, "gpu": GPU_LIBRARY}.get(accelerator, {})
    return table.get(platform.system())


def probe_delegate(library: str, timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """Load the delegate in a child Python; None when it loads, else why not (a crash included)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, library],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"loading {library} did not finish within {timeout:.0f} s"
    if done.returncode == 0:
        return None
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        return (
            f"loading {library} crashed the process ({name}); libedgetpu builds are tied to the "
            "TFLite runtime they were built for: see docs/runtimes.md (Edge TPU)"
        )
    lines = (done.stderr or done.stdout).strip().splitlines()
    return f"could not load {library}: {lines[-1] if lines else f'exit {done.returncode}'}"


def library_loads(name: str) -> str | None:
    """None when the shared library can be opened, else the loader's reason."""
    try:
        ctypes.CDLL(name)
    except OSError as exc:
        return str(exc)
    return None


class LiteRtSession(HostClockSession):
    def __init__(self, interpreter: Any, accelerator: str, xnnpack: bool, delegated: bool) -> None:
        self._it = interpreter
        self._accelerator = accelerator
        self._xnnpack = xnnpack
        self._delegated = delegated

    def inputs(self) -> list[TensorSpec]:
        import numpy as np

        return [
            TensorSpec(d["name"], [int(s) for s in d["shape"]], np.dtype(d["dtype"]).name)
            for d in self._it.get_input_details()
        ]

    def bind(self, arrays: dict[str, Any]) -> Callable[[], object]:
        # Inputs are copied into the interpreter's own tensors once; each timed call is invoke().
        for detail in self._it.get_input_details():
            self._it.set_tensor(detail["index"], arrays[detail["name"]])
        return self._it.invoke

    def describe(self) -> Description:
        ops = Counter(op["op_name"] for op in self._it._get_ops_details())
        partitions = ops.pop("DELEGATE", 0)
        total = sum(ops.values())
        if self._accelerator == "cpu":
            actual = "cpu"
        elif self._delegated and partitions > 0:
            actual = self._accelerator
        else:
            actual = "cpu"
        return Description(
            accelerator_actual=actual,
            total_nodes=total,
            plan_summary={
                "delegate_partitions": partitions,
                "xnnpack": self._xnnpack,
                "ops": dict(sorted(ops.items())),
            },
        )

    def close(self) -> None:
        self._it = None


def interpreter_kwargs(
    interpreter: Any, model_path: str, accelerator: str, options: dict[str, Any]
) -> dict[str, Any]:
    """The Interpreter's arguments before any delegate is added.

    XNNPACK is a default delegate: it is off under another delegate, so its partition can never
    pass for the GPU's or the Edge TPU's.
    """
    kwargs: dict[str, Any] = {"model_path": model_path}
    if options.get("num_threads"):
        kwargs["num_threads"] = int(options["num_threads"])
    if accelerator != "cpu" or not options.get("xnnpack", True):
        kwargs["experimental_op_resolver_type"] = (
            interpreter.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        )
    return kwargs


class LiteRtBackend:
    name = "litert"
    formats = ("tflite",)
    accelerators = ("cpu", "gpu", "edgetpu", "nnapi", "qnn", "hexagon")  # the last 3: Android app

    def version(self) -> str:
        import importlib.metadata

        _interpreter_module()
        return importlib.metadata.version("ai-edge-litert")

    def available_accelerators(self) -> list[str]:
        _interpreter_module()
        out = ["cpu"]
        for acc in ("gpu", "edgetpu"):
            lib = delegate_library(acc)
            if lib is None or library_loads(lib) is not None:
                continue
            # In a child process: the library opens, but it may be no LiteRT delegate, find no
            # device, or crash the runtime (libedgetpu against a newer TFLite).
            if probe_delegate(lib) is None:
                out.append(acc)
        return out

    def load(self, model_path: str, accelerator: str, options: dict[str, Any]) -> LiteRtSession:
        interpreter = _interpreter_module()
        if accelerator not in self.accelerators:
            raise ValueError(
                f"LiteRT has no accelerator {accelerator!r}; known: {self.accelerators}"
            )
        kwargs = interpreter_kwargs(interpreter, model_path, accelerator, options)
        xnnpack = "experimental_op_resolver_type" not in kwargs
        delegated = False
        if accelerator != "cpu":
            lib = delegate_library(accelerator)
            if lib is None:
                raise DelegateUnavailable(
                    f"no LiteRT {accelerator} delegate exists for {platform.system()}"
                )
            try:
                reason = library_loads(lib) or probe_delegate(lib)
                if reason is not None:
                    raise OSError(reason)
                kwargs["experimental_delegates"] = [interpreter.load_delegate(lib)]
            except (ValueError, OSError, RuntimeError) as exc:
                hint = (
                    " — install libedgetpu (Coral's apt repository: libedgetpu1-std) and plug "
                    "in the Edge TPU"
                    if accelerator == "edgetpu"
                    else ""
                )
                raise DelegateUnavailable(f"could not load {lib}: {exc}{hint}") from exc
            delegated = True
        it = interpreter.Interpreter(**kwargs)
        it.allocate_tensors()
        return LiteRtSession(it, accelerator, xnnpack, delegated)
