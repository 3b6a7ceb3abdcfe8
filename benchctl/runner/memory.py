"""The runner process's own memory: resident set after load and its high-water mark over the run.

Linux (hosts and boards) reads `/proc/self/status` (VmRSS now, VmHWM the peak); elsewhere
`resource.getrusage` gives the peak only (ru_maxrss: KiB on Linux, bytes on macOS). On GPUs the
CUDA allocator's peak comes from torch when the backend already imported it (never imported
here: this module is standard library only, because it runs on devices too).

The peak is read right after the timed loop, before any profiled pass, so a profiler's own
buffers never inflate the stored figure.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

PROC_STATUS = Path("/proc/self/status")


def _status_kib(field: str, text: str) -> int | None:
    for line in text.splitlines():
        if line.startswith(field + ":"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1]) * 1024
    return None


def _proc_status() -> str | None:
    try:
        return PROC_STATUS.read_text()
    except OSError:
        return None


def source() -> str:
    return "linux:/proc/self/status" if _proc_status() is not None else "getrusage"


def rss_bytes() -> int | None:
    """Resident memory now (Linux only; None elsewhere)."""
    text = _proc_status()
    return None if text is None else _status_kib("VmRSS", text)


def peak_rss_bytes() -> int | None:
    """The process's resident high-water mark so far."""
    text = _proc_status()
    if text is not None:
        peak = _status_kib("VmHWM", text)
        if peak is not None:
            return peak
    try:
        import resource
    except ImportError:  # Windows
        return None
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(maxrss) if sys.platform == "darwin" else int(maxrss) * 1024


def cuda_peak_bytes() -> int | None:
    """torch's CUDA allocator peak, when this process already uses CUDA through torch."""
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    try:
        if not torch.cuda.is_initialized():
            return None
        return int(torch.cuda.max_memory_allocated())
    except Exception:  # a broken CUDA context: no figure rather than a failed run
        return None


def engine_device_bytes(session: Any) -> int | None:
    """Device memory a TensorRT engine reserves for its activations (`device_memory_size_v2`,
    TensorRT ≥ 10; `device_memory_size` before), when the session holds an engine."""
    engine = getattr(session, "_engine", None)
    for attr in ("device_memory_size_v2", "device_memory_size"):
        value = getattr(engine, attr, None) if engine is not None else None
        if isinstance(value, int):
            return value
    return None


def snapshot(before_load: int | None, after_load: int | None, session: Any) -> dict[str, Any]:
    """The `memory` entry of a result: read at the end of the timed loop."""
    return {
        "source": source(),
        "rss_before_load_bytes": before_load,
        "rss_after_load_bytes": after_load,
        "peak_rss_bytes": peak_rss_bytes(),
        "device_peak_bytes": cuda_peak_bytes(),
        "device_engine_bytes": engine_device_bytes(session),
    }
