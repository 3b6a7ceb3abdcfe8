"""Does an artifact compute the same function as the PyTorch model it came from?

Relative metrics only: absolute differences mean nothing when random-weight outputs vary in scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Tolerances by artifact precision, fixed before any model was measured: (max |a-b| / max |b|,
# minimum cosine similarity). fp32 should match to rounding; fp16 to half precision; int8 formats
# are judged by direction (cosine) first, as quantization noise is expected in every element.
TOLERANCES: dict[str, tuple[float, float]] = {
    "fp32": (1e-3, 0.9999),
    "fp16": (1e-2, 0.999),
    "fp16-w8": (5e-2, 0.99),
    "int8-dynamic": (0.2, 0.98),
    "int8": (0.3, 0.95),
}


def compare(
    candidate: np.ndarray, reference: np.ndarray, *, precision: str = "fp32"
) -> dict[str, Any]:
    """Parity metrics of `candidate` against `reference`, with the verdict and its tolerances."""
    max_rel, min_cosine = TOLERANCES[precision]
    a = np.asarray(candidate, dtype=np.float64).ravel()
    b = np.asarray(reference, dtype=np.float64).ravel()
    if a.shape != b.shape:
        return {"passed": False, "reason": f"output shape {candidate.shape} != {reference.shape}"}
    scale = float(np.max(np.abs(b))) or 1.0
    max_abs = float(np.max(np.abs(a - b)))
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    cosine = float(a @ b / denom) if denom > 0 else float(np.array_equal(a, b))
    finite = bool(np.isfinite(a).all())
    rel = max_abs / scale
    return {
        "max_abs": max_abs,
        "max_rel": rel,
        "cosine": cosine,
        "reference_max_abs": scale,
        "precision": precision,
        "tolerance": {"max_rel": max_rel, "min_cosine": min_cosine},
        "passed": finite and rel <= max_rel and cosine >= min_cosine,
    }
