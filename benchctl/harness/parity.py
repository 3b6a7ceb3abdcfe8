"""Does an artifact compute the same function as the PyTorch model it came from?

Relative metrics only: absolute differences mean nothing when random-weight outputs vary in scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# fp32 artifacts: max |a - b| / max |b| within 1e-3 and cosine similarity above 0.9999.
FP32_MAX_REL = 1e-3
FP32_MIN_COSINE = 0.9999


def compare(
    candidate: np.ndarray,
    reference: np.ndarray,
    *,
    max_rel: float = FP32_MAX_REL,
    min_cosine: float = FP32_MIN_COSINE,
) -> dict[str, Any]:
    """Parity metrics of `candidate` against `reference`, with the verdict and its tolerances."""
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
        "tolerance": {"max_rel": max_rel, "min_cosine": min_cosine},
        "passed": finite and rel <= max_rel and cosine >= min_cosine,
    }
