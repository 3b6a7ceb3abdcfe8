"""MobileNetV4's Eq. 1 per layer beside a run's measured per-operator times: where is the roofline
wrong? (`benchctl analyze roofline --measured RUN`)

A runtime does not run the exported graph node for node: onnxruntime fuses (Conv+Relu becomes
one node named after the fused output tensor, `relu_12_nchwc`), and inserts nodes of its own
(`ReorderOutput`). So measured operators are matched to ONNX nodes by name — the node's own
name, or the name of a tensor it produces, after dropping a runtime's suffixes (`_nchwc`) and
torch's in-place spelling (`relu__3` → `relu_3`) — and every unmatched ONNX node joins the group
of the matched node its output flows into when all its consumers are in that one group (a fused
predecessor). Each group's prediction is the sum of Eq. 1 over its layers. Measured operators
that match no node (runtime-inserted) are listed, not scored.

Agreement is Spearman's ρ between predicted and measured group times, per ridge point; the
worst layers are those whose measured share of the model's time is furthest (in log ratio)
from their predicted share at the best ridge point.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchctl.analysis.roofline import Layer, ridge_points
from benchctl.errors import ConfigError

_SUFFIXES = re.compile(r"(_nchwc|_token_\d+|_kernel_time)$")


def candidates(name: str) -> list[str]:
    """Names an ONNX node or tensor may have for a measured operator called `name`."""
    out = [name]
    base = _SUFFIXES.sub("", name)
    out.append(base)
    inplace = re.sub(r"__(\d+)$", r"_\1", base).rstrip("_")  # torch: relu__3 → relu_3, relu_ → relu
    out.append(inplace)
    return list(dict.fromkeys(out))


@dataclass
class Group:
    """One measured operator and the ONNX layers it ran."""

    name: str
    op_type: str
    measured_ns: int
    layers: list[Layer] = field(default_factory=list)

    def predicted(self, ridge_point: float) -> float:
        return sum(layer.time(ridge_point) for layer in self.layers)


@dataclass
class Agreement:
    ridge_point: float
    rho: float | None
    p_value: float | None


@dataclass
class MeasuredRoofline:
    run_id: str
    model: str
    groups: list[Group]
    unmatched_ops: list[str]  # measured operators that are not in the ONNX graph
    unmatched_layers: list[str]  # ONNX layers no measured operator covers
    sweep: list[Agreement]

    @property
    def best(self) -> Agreement | None:
        scored = [a for a in self.sweep if a.rho is not None]
        return max(scored, key=lambda a: -math.inf if a.rho is None else a.rho, default=None)

    def worst(self, n: int = 5, ridge_point: float | None = None) -> list[dict[str, Any]]:
        """The `n` groups whose measured share is furthest from their predicted share."""
        rp = ridge_point if ridge_point is not None else (self.best.ridge_point if self.best else 0)
        scored = [g for g in self.groups if g.predicted(rp) > 0 and g.measured_ns > 0]
        total_p = sum(g.predicted(rp) for g in scored)
        total_m = sum(g.measured_ns for g in scored)
        rows: list[dict[str, Any]] = []
        for g in scored:
            share_p, share_m = g.predicted(rp) / total_p, g.measured_ns / total_m
            rows.append(
                {
                    "operator": g.name,
                    "op_type": g.op_type,
                    "layers": [x.name for x in g.layers],
                    "measured_ms": g.measured_ns / 1e6,
                    "measured_share": share_m,
                    "predicted_share": share_p,
                    "ratio": share_m / share_p,
                }
            )
        rows.sort(key=lambda r: -abs(math.log(r["ratio"])))
        return rows[:n]


def group_layers(
    layers: Sequence[Layer], onnx_path: Path, operators: Sequence[dict[str, Any]]
) -> tuple[list[Group], list[str], list[str]]:
    """Measured operators (name, op_type, time_ns) → groups of ONNX layers; plus what did not
    match on either side."""
    import onnx

    graph = onnx.load(str(onnx_path), load_external_data=False).graph
    by_name = {layer.name: layer for layer in layers}
    nodes = [n for n in graph.node if n.name in by_name]
    produces = {out: n.name for n in nodes for out in n.output if out}
    consumers: dict[str, list[str]] = {n.name: [] for n in nodes}
    for n in nodes:
        for tensor in n.input:
            if tensor in produces:
                consumers[produces[tensor]].append(n.name)
    owner: dict[str, int] = {}
    groups: list[Group] = []
    unmatched_ops = []
    for op in operators:
        if op.get("time_ns") is None:
            continue
        hit = next(
            (
                produces.get(c) or (c if c in by_name else None)
                for c in candidates(op["name"])
                if produces.get(c) or c in by_name
            ),
            None,
        )
        if hit is None or hit in owner:
            unmatched_ops.append(op["name"])
            continue
        owner[hit] = len(groups)
        groups.append(Group(op["name"], op["op_type"], int(op["time_ns"])))
    # Fused predecessors: walk back from the outputs, joining a node to its consumers' group.
    for n in reversed(nodes):
        if n.name in owner:
            continue
        found = {owner.get(c) for c in consumers[n.name]}
        if len(found) == 1:
            (group,) = found
            if group is not None:
                owner[n.name] = group
    for name, index in owner.items():
        groups[index].layers.append(by_name[name])
    unmatched_layers = [layer.name for layer in layers if layer.name not in owner]
    return groups, unmatched_ops, unmatched_layers


def agreement(groups: Sequence[Group], points: Sequence[float]) -> list[Agreement]:
    from scipy.stats import spearmanr

    scored = [g for g in groups if g.layers]
    out = []
    for rp in points:
        if len(scored) < 3:
            out.append(Agreement(rp, None, None))
            continue
        res = spearmanr([g.predicted(rp) for g in scored], [g.measured_ns for g in scored])
        rho = None if math.isnan(res.statistic) else float(res.statistic)
        p = None if math.isnan(res.pvalue) else float(res.pvalue)
        out.append(Agreement(rp, rho, p))
    return out


def measured_roofline(
    run_id: str,
    model: str,
    layers: Sequence[Layer],
    onnx_path: Path,
    operators: Sequence[dict[str, Any]],
    step: float = 10.0,
) -> MeasuredRoofline:
    groups, unmatched_ops, unmatched_layers = group_layers(layers, onnx_path, operators)
    if not any(g.layers for g in groups):
        raise ConfigError(
            f"none of run {run_id[:12]}'s operators match a layer of {model}'s ONNX graph; "
            "profile it with onnxruntime (or torch) to compare per layer"
        )
    return MeasuredRoofline(
        run_id,
        model,
        groups,
        unmatched_ops,
        unmatched_layers,
        agreement(groups, ridge_points(step)),
    )
