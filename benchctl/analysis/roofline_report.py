"""`benchctl analyze roofline` as reports (`analysis.report`): Eq. 1 over each model's ONNX graph
swept over the ridge point against measured latencies (`RooflineReport`), and Eq. 1 per layer
against a profiled run's per-operator times (`MeasuredRooflineReport`). The command reads its
options and shows progress; what is measured, computed, written as JSON and tabulated is here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchctl.analysis.measured import MeasuredRoofline, measured_roofline
from benchctl.analysis.report import Block, Note, TextTable
from benchctl.analysis.roofline import PAPER, Layer, SweepRow, graph_layers, summary, sweep
from benchctl.errors import ConfigError

if TYPE_CHECKING:
    from benchctl.harness.convert.cache import ArtifactCache
    from benchctl.results.store import ResultStore

Progress = Callable[[str], None]


def _quiet(_text: str) -> None:
    return None


def measured_latencies(
    store: ResultStore, device: str, runtime: str | None, threads: str | None
) -> dict[str, float]:
    """Median ms of the newest valid run of each model on the device (one runtime)."""
    from benchctl.results.frame import model_dicts

    rows = model_dicts(store, device=device, runtime=runtime, compute_facts=False)
    if threads is not None:
        if threads != "default" and not threads.isdigit():
            raise ConfigError(f"--threads {threads!r}: a number or 'default'")
        wanted = None if threads == "default" else int(threads)
        rows = [r for r in rows if r["threads"] == wanted]
    runtimes = sorted({r["runtime"] for r in rows})
    if len(runtimes) > 1:
        raise ConfigError(
            f"{device} has results from several runtimes ({', '.join(runtimes)}); "
            "pick one with --runtime"
        )
    out: dict[str, float] = {}
    for r in rows:
        if r["model"] in out:
            raise ConfigError(
                f"several results for {r['model']} on {device} (other thread counts or input "
                "sizes); pick with --threads"
            )
        out[r["model"]] = r["latency_median_ms"]
    return out


def onnx_graphs(
    names: Sequence[str],
    cache: ArtifactCache,
    *,
    bytes_per_element: int | None = None,
    describe: Progress = _quiet,
    step: Progress = _quiet,
) -> dict[str, list[Layer]]:
    """Each model's ONNX artifact (converted once, cached) as Eq. 1 layers; `describe` says what
    goes on, `step` ends one model."""
    from benchctl.harness.convert import get_artifact

    per_model = {}
    for name in names:
        describe(f"artifact for {name}")
        artifact = get_artifact(name, "onnx", cache, on_stage=describe)
        step(f"profiling {name}")
        per_model[name] = graph_layers(artifact.path, bytes_per_element=bytes_per_element)
    return per_model


@dataclass(frozen=True)
class RooflineReport:
    """Eq. 1 for each model at each ridge point, ranked against the measured latencies."""

    device: str
    bytes_per_element: int | None
    per_model: Mapping[str, Sequence[Layer]]
    measured: Mapping[str, float]
    rows: Sequence[SweepRow]
    layers: int = 0  # layers shown per model (most MACs first)
    out: Path | None = None  # where the plot was written

    @classmethod
    def of(
        cls,
        per_model: Mapping[str, Sequence[Layer]],
        measured: Mapping[str, float],
        points: Sequence[float],
        **options: Any,
    ) -> RooflineReport:
        rows = sweep(per_model, measured, points)
        return cls(per_model=per_model, measured=measured, rows=rows, **options)

    @property
    def best(self) -> SweepRow | None:
        scored = [r for r in self.rows if r.rho is not None]
        return max(scored, key=lambda r: r.rho or 0.0) if scored else None

    def figure(self) -> Any:
        from benchctl.results.plot import roofline_figure

        return roofline_figure(list(self.rows), title=f"Eq. 1 vs measured latency on {self.device}")

    def to_dict(self) -> dict[str, Any]:
        best = self.best
        return {
            "method": PAPER,
            "device": self.device,
            "bytes_per_element": self.bytes_per_element,
            "models": {
                m: {
                    **summary(ls),
                    "measured_median_ms": self.measured.get(m),
                    "layers": [
                        {
                            "name": x.name,
                            "op": x.op_type,
                            "macs": x.macs,
                            "weight_bytes": x.weight_bytes,
                            "activation_bytes": x.activation_bytes,
                            "intensity": x.intensity,
                        }
                        for x in ls
                    ],
                }
                for m, ls in self.per_model.items()
            },
            "sweep": [
                {
                    "ridge_point": r.ridge_point,
                    "predicted": r.predicted,
                    "memory_bound_fraction": r.memory_bound,
                    "rank": r.ranks(),
                    "rho": r.rho,
                    "p_value": r.p_value,
                }
                for r in self.rows
            ],
            "best_ridge_point": None if best is None else best.ridge_point,
            "out": None if self.out is None else str(self.out),
        }

    def blocks(self) -> list[Block]:
        best = self.best
        models = []
        for m, ls in self.per_model.items():
            s = summary(ls)
            ms = self.measured.get(m)
            models.append(
                (
                    m,
                    str(s["layers"]),
                    f"{s['macs_m']:.2f}",
                    f"{s['weight_mb']:.3f}",
                    f"{s['activation_mb']:.3f}",
                    f"{s['intensity']:.1f}",
                    "—" if ms is None else f"{ms:.3f}",
                )
            )
        columns = ("model", "layers", "MACs (M)", "weights (MB)", "activations (MB)", "MACs/byte")
        out: list[Block] = [TextTable((*columns, f"measured ms ({self.device})"), models)]
        shown = [r for r in self.rows if r.ridge_point % 50 == 0 or r is best]
        out.append(
            TextTable(
                ("ridge point", "predicted order (fastest first)", "ρ vs measured", "p"),
                [
                    (
                        f"{r.ridge_point:g}" + (" ★" if r is best else ""),
                        " < ".join(r.ranks()),
                        "—" if r.rho is None else f"{r.rho:+.2f}",
                        "—" if r.p_value is None else f"{r.p_value:.2g}",
                    )
                    for r in shown
                ],
            )
        )
        if best is None or best.rho is None:
            out.append(
                Note("ranks need measured latencies for ≥ 3 of these models on this device", "dim")
            )
        else:
            out.append(
                Note(f"best agreement at RP = {best.ridge_point:g} MACs/byte (ρ = {best.rho:+.2f})")
            )
        for m, ls in self.per_model.items():
            if not self.layers:
                break
            out.append(
                TextTable(
                    (
                        "layer",
                        "op",
                        "MACs",
                        "weights (B)",
                        "activations (B)",
                        "memory-bound above RP",
                    ),
                    [
                        (
                            x.name,
                            x.op_type,
                            f"{x.macs:,.0f}",
                            f"{x.weight_bytes:,.0f}",
                            f"{x.activation_bytes:,.0f}",
                            f"{x.intensity:.1f}",
                        )
                        for x in sorted(ls, key=lambda x: -x.macs)[: self.layers]
                    ],
                    title=f"{m}: {self.layers} layers with most MACs",
                )
            )
        if self.out is not None:
            out.append(Note(f"wrote {self.out}"))
        return out


def measured_runs(
    store: ResultStore,
    run_ids: Sequence[str],
    cache: ArtifactCache,
    *,
    bytes_per_element: int | None = None,
    step: float = 10.0,
    describe: Progress = _quiet,
    done: Progress = _quiet,
) -> list[MeasuredRoofline]:
    """Each profiled run's operators against Eq. 1 on its model's ONNX graph (its own artifact
    when the run was on ONNX, else the model converted to ONNX); `done` ends one run."""
    from benchctl.harness.convert import get_artifact
    from benchctl.results import profiles

    results = []
    for run_id in run_ids:
        row = store.run(run_id)
        prof = profiles.load(store, row.run_id)
        assert prof is not None  # required: a run without a profile raised ConfigError
        if not prof.timed:
            raise ConfigError(
                f"run {row.run_id[:12]}'s profile ({prof.profiler}) has placement only; "
                "profile it on onnxruntime or torch to compare per layer"
            )
        describe(f"ONNX graph of {row.model_name}")
        sha256 = row.artifact_sha256 if row.artifact_format == "onnx" else None
        art = cache.find(sha256) if sha256 else None
        if art is None:
            art = get_artifact(row.model_name, "onnx", cache, on_stage=describe)
        graph = graph_layers(art.path, bytes_per_element=bytes_per_element)
        results.append(
            measured_roofline(row.run_id, row.model_name, graph, art.path, prof.operators, step)
        )
        done(f"compared {row.model_name}")
    return results


@dataclass(frozen=True)
class MeasuredRooflineReport:
    """Eq. 1 per layer beside each profiled run's per-operator times (Spearman ρ over layers)."""

    results: Sequence[MeasuredRoofline]
    bytes_per_element: int | None
    worst: int = 5  # layers shown per run, most wrong first
    out: Path | None = None

    def figure(self) -> Any:
        from benchctl.results.plot import measured_roofline_figure

        return measured_roofline_figure(list(self.results))

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": PAPER,
            "bytes_per_element": self.bytes_per_element,
            "runs": [
                {
                    "run_id": r.run_id,
                    "model": r.model,
                    "operators_matched": sum(1 for g in r.groups if g.layers),
                    "unmatched_operators": r.unmatched_ops,
                    "unmatched_layers": r.unmatched_layers,
                    "best_ridge_point": r.best.ridge_point if r.best else None,
                    "best_rho": r.best.rho if r.best else None,
                    "rho_macs_only": r.sweep[0].rho,
                    "sweep": [
                        {"ridge_point": a.ridge_point, "rho": a.rho, "p_value": a.p_value}
                        for a in r.sweep
                    ],
                    "worst_layers": r.worst(self.worst),
                }
                for r in self.results
            ],
            "out": None if self.out is None else str(self.out),
        }

    def blocks(self) -> list[Block]:
        rows = []
        for r in self.results:
            best = r.best
            rows.append(
                (
                    r.run_id[:12],
                    r.model,
                    f"{sum(1 for g in r.groups if g.layers)} "
                    f"(+{len(r.unmatched_ops)} not in the graph)",
                    "—" if r.sweep[0].rho is None else f"{r.sweep[0].rho:+.2f}",
                    "—" if best is None else f"{best.ridge_point:g}",
                    "—" if best is None or best.rho is None else f"{best.rho:+.2f}",
                    "—" if best is None or best.p_value is None else f"{best.p_value:.2g}",
                )
            )
        out: list[Block] = [
            TextTable(
                ("run", "model", "operators matched", "ρ (MACs only)", "best RP", "ρ at best RP")
                + ("p",),
                rows,
                title="Eq. 1 per layer vs measured per-operator time (Spearman ρ over layers)",
            )
        ]
        for r in self.results:
            out.append(
                TextTable(
                    ("operator", "op type", "layers", "measured ms", "measured %", "predicted %")
                    + ("measured / predicted",),
                    [
                        (
                            w["operator"],
                            w["op_type"],
                            ", ".join(w["layers"]),
                            f"{w['measured_ms']:.3f}",
                            f"{w['measured_share'] * 100:.2f}",
                            f"{w['predicted_share'] * 100:.2f}",
                            f"{w['ratio']:.2f}×",
                        )
                        for w in r.worst(self.worst)
                    ],
                    title=f"{r.model} {r.run_id[:12]}: where the roofline is most wrong "
                    f"(RP {r.best.ridge_point if r.best else 0:g})",
                )
            )
            if r.unmatched_ops:
                out.append(Note(f"not in the ONNX graph: {', '.join(r.unmatched_ops)}", "dim"))
        if self.out is not None:
            out.append(Note(f"wrote {self.out}"))
        return out
