"""benchctl: on-device neural-network latency benchmarking.

The import is deliberately light: heavy libraries (torch, onnxruntime, timm) are imported only
inside the functions that use them, so `benchctl --help` stays instant.
"""

from __future__ import annotations

import os

# onnxruntime >= 1.2x writes a telemetry device id under ~/.cache/Microsoft/DeveloperTools/ on
# its first session unless this is set (disable_telemetry_events() does not stop that file);
# every process benchctl starts on this machine inherits it. A user may still set it to 0.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__version__ = "0.1.0"

# Bump when the meaning of a timed sample changes (what the loop times, which clock, warm-up rule).
# Series with different protocol versions are never compared with each other.
MEASUREMENT_PROTOCOL_VERSION = 1

__all__ = ["MEASUREMENT_PROTOCOL_VERSION", "__version__"]
