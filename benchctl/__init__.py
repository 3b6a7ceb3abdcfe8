"""benchctl: on-device neural-network latency benchmarking.

The import is deliberately light: heavy libraries (torch, onnxruntime, timm) are imported only
inside the functions that use them, so `benchctl --help` stays instant.
"""

from __future__ import annotations

__version__ = "0.1.0"

# Bump when the meaning of a timed sample changes (what the loop times, which clock, warm-up rule).
# Series with different protocol versions are never compared with each other.
MEASUREMENT_PROTOCOL_VERSION = 1

__all__ = ["MEASUREMENT_PROTOCOL_VERSION", "__version__"]
