"""MobileNetV4's roofline model (Qin et al., Sec. 3, Eq. 1) over an exported ONNX graph.

    ModelTime = Σᵢ max(MACTimeᵢ, MemTimeᵢ),  MACTimeᵢ = LayerMACsᵢ / PeakMACs,
    MemTimeᵢ = (WeightBytesᵢ + ActivationBytesᵢ) / PeakMemBW,  RP = PeakMACs / PeakMemBW.

The paper gives no hardware constants. Latency *ranks* depend only on the ridge point RP, so with
PeakMACs normalised to 1, ModelTime(RP) ∝ Σᵢ max(MACsᵢ, RP · Bytesᵢ); the paper sweeps RP from 0
(MACs alone: the usual "MACs as a latency proxy", its footnote 2) to 500 MACs/byte.

Per-layer numbers come from `onnx_tool` (shape inference + its per-operator MAC counts, which
include bias adds and element-wise operators at one MAC per output element). Our choices where
the paper is silent: a layer's activation bytes are its non-constant inputs plus its outputs;
bytes per element are the graph's own dtypes (4 for fp32) unless `bytes_per_element` models a
deployed precision (1 for int8, 2 for fp16); operators that only relabel a tensor (Reshape,
Flatten, Squeeze, Unsqueeze, Identity, Shape, Constant) are left out, as runtimes elide them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchctl.errors import BenchError, ConfigError

PAPER = "MobileNetV4 (Qin et al., ECCV 2024), Sec. 3, Eq. 1"
RIDGE_MAX = 500.0  # MACs/byte, the top of the paper's sweep
NO_DATA_MOVEMENT = frozenset(
    {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Shape", "Constant"}
)


@dataclass(frozen=True)
class Layer:
    name: str
    op_type: str
    macs: float
    weight_bytes: float
    activation_bytes: float

    @property
    def bytes(self) -> float:
        return self.weight_bytes + self.activation_bytes

    @property
    def intensity(self) -> float:
        """Operational intensity, MACs per byte moved."""
        return self.macs / self.bytes if self.bytes else float("inf")

    def time(self, ridge_point: float) -> float:
        """Roofline time in units of one MAC at peak (PeakMACs = 1)."""
        return max(self.macs, ridge_point * self.bytes)


def graph_layers(onnx_path: Path, *, bytes_per_element: int | None = None) -> list[Layer]:
    """Per-layer MACs, weight bytes and activation bytes of an ONNX model."""
    import onnx_tool

    try:
        model = onnx_tool.Model(str(onnx_path))
        graph = model.graph
        graph.shape_infer()
        graph.profile()
    except Exception as exc:  # onnx_tool raises bare exceptions for operators it cannot profile
        raise BenchError(
            f"onnx_tool cannot profile {onnx_path.name}: {type(exc).__name__}: {exc}"
        ) from exc
    if not graph.valid_profile:
        raise BenchError(f"onnx_tool could not infer every tensor shape of {onnx_path.name}")
    initials = set(graph.initials)

    def size(name: str) -> float:
        tensor = graph.tensormap[name]
        if bytes_per_element is None:
            return float(tensor.get_memsize())
        return float(np.prod(tensor.get_shape(), dtype=np.float64)) * bytes_per_element

    layers = []
    for name in graph.nodemap:
        node = graph.nodemap[name]
        if node.op_type in NO_DATA_MOVEMENT:
            continue
        weights = sum(size(t) for t in node.input if t and t in initials)
        acts = sum(size(t) for t in node.input if t and t not in initials)
        acts += sum(size(t) for t in node.output if t)
        layers.append(Layer(name, node.op_type, float(node.macs[0]), weights, acts))
    return layers


def model_time(layers: Sequence[Layer], ridge_point: float) -> float:
    """Eq. 1 with PeakMACs = 1: Σᵢ max(MACsᵢ, RP · Bytesᵢ)."""
    return float(sum(layer.time(ridge_point) for layer in layers))


def ridge_points(step: float = 10.0, top: float = RIDGE_MAX) -> list[float]:
    if step <= 0:
        raise ConfigError(f"--step must be > 0 MACs/byte, got {step}")
    return [float(x) for x in np.arange(0.0, top + step / 2, step)]


@dataclass(frozen=True)
class SweepRow:
    ridge_point: float
    predicted: dict[str, float]  # model → Eq. 1 time (MAC-times at PeakMACs = 1)
    memory_bound: dict[str, float]  # model → fraction of layers limited by memory
    rho: float | None  # Spearman ρ of predicted vs measured latency
    p_value: float | None

    def ranks(self) -> list[str]:
        return sorted(self.predicted, key=lambda m: self.predicted[m])


def sweep(
    layers: Mapping[str, Sequence[Layer]],
    measured_ms: Mapping[str, float] | None = None,
    points: Iterable[float] | None = None,
) -> list[SweepRow]:
    """Eq. 1 for each model at each ridge point, and its rank agreement with measured latency."""
    from scipy.stats import spearmanr

    measured = {m: v for m, v in (measured_ms or {}).items() if m in layers}
    rows = []
    for rp in points if points is not None else ridge_points():
        predicted = {m: model_time(ls, rp) for m, ls in layers.items()}
        bound = {
            m: (sum(1 for x in ls if rp * x.bytes > x.macs) / len(ls) if ls else 0.0)
            for m, ls in layers.items()
        }
        rho = p = None
        if len(measured) >= 3:
            names = sorted(measured)
            res = spearmanr([predicted[m] for m in names], [measured[m] for m in names])
            rho, p = float(res.statistic), float(res.pvalue)
        rows.append(SweepRow(rp, predicted, bound, rho, p))
    return rows


def summary(layers: Sequence[Layer]) -> dict[str, Any]:
    macs = sum(x.macs for x in layers)
    weights = sum(x.weight_bytes for x in layers)
    acts = sum(x.activation_bytes for x in layers)
    return {
        "layers": len(layers),
        "macs_m": macs / 1e6,
        "weight_mb": weights / 1e6,
        "activation_mb": acts / 1e6,
        "intensity": macs / (weights + acts) if weights + acts else None,
    }
