"""`benchctl plot pareto` as a report (`analysis.report`): which models are plotted, which are on
each runtime's Pareto front, and which are left off and why (no valid run, no accuracy, an
outlier latency). The command collects the models frame and shows the report; the figure is
`results/pareto_plot.py`'s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchctl.analysis.report import Block, Note, TextTable
from benchctl.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class ParetoReport:
    """Top-1 vs one latency statistic on one device, the front marked per runtime."""

    stat: str
    points: Sequence[dict[str, Any]]  # plotted: model, runtime, latency_ms, accuracy, pareto…
    no_accuracy: Sequence[str]  # models with a run but no accuracy (not plotted)
    no_valid_run: Sequence[tuple[str, str]]  # (model, why) whose every run failed the gate
    outliers: Sequence[dict[str, Any]]  # model, runtime, why (kept off the axes)
    out: Path
    title: str = ""
    frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def figure(self) -> Figure:
        from benchctl.results.plot import pareto_figure

        if self.frame is None:
            raise ValueError("a ParetoReport draws only from the frame pareto_report built it from")
        return pareto_figure(
            self.frame, stat=self.stat, title=self.title, dropped=list(self.no_valid_run)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "stat": self.stat,
            "points": list(self.points),
            "no_accuracy": list(self.no_accuracy),
            "no_valid_run": [{"model": m, "why": why} for m, why in self.no_valid_run],
            "outliers": list(self.outliers),
        }

    def blocks(self) -> list[Block]:
        rows = [
            (
                r["model"],
                r["runtime"],
                f"{r['latency_ms']:.3f}",
                f"{r['accuracy_top1']:.1f}",
                str(r["accuracy_source"]),
                "●" if r["pareto"] else "",
            )
            for r in sorted(self.points, key=lambda r: r["latency_ms"])
        ]
        columns = ("model", "runtime", f"{self.stat} ms", "top-1 %", "source", "front")
        out: list[Block] = [TextTable(columns, rows)]
        if self.no_accuracy:
            out.append(Note(f"no accuracy (not plotted): {', '.join(self.no_accuracy)}", "dim"))
        for m, why in self.no_valid_run:
            out.append(Note(f"no valid run (not plotted): {m}: {why}", "dim"))
        for o in self.outliers:
            out.append(Note(f"outlier (not plotted): {o['model']}: {o['why']}", "yellow"))
        out.append(Note(f"wrote {self.out}"))
        return out


def pareto_report(
    everything: pd.DataFrame, *, device: str, stat: str, include_invalid: bool, out: Path
) -> ParetoReport:
    """The report over `models_frame(..., include_invalid=True)` of one device: invalid
    combinations plotted (marked) only with `include_invalid`, else listed with their reason."""
    from benchctl.results.pareto_plot import latency_outliers
    from benchctl.results.plot import pareto_front

    invalid = everything[~everything["valid"].astype(bool)]
    df = everything if include_invalid else everything[everything["valid"].astype(bool)]
    plotted_pairs = set(zip(df["model"], df["runtime"], strict=True))
    dropped = [  # a model × runtime whose every run failed the validity gate
        (r["model"], f"{r['runtime']}: {r['invalid_reasons'] or 'invalid'}")
        for r in invalid.to_dict("records")
        if (r["model"], r["runtime"]) not in plotted_pairs
    ]
    if df.empty:
        raise ConfigError(
            f"no valid results for device {device!r}; every run failed the validity gate: "
            + "; ".join(f"{m} ({why})" for m, why in dropped[:5])
        )
    col = f"latency_{stat}_ms"
    title = f"top-1 vs {stat} latency on {device}"
    if include_invalid and len(invalid):
        title += f" ({len(invalid)} marked 'invalid': every run failed the validity gate)"
    plotted = df.dropna(subset=[col, "accuracy_top1"])
    flagged = latency_outliers(plotted, col)
    outliers = [
        {"model": plotted.loc[i, "model"], "runtime": plotted.loc[i, "runtime"], "why": why}
        for i, why in flagged.items()
    ]
    points = []
    for rt, group in plotted.drop(index=list(flagged)).groupby("runtime", sort=True):
        front = set(pareto_front(group[col].tolist(), group["accuracy_top1"].tolist()))
        for i, r in enumerate(group.to_dict("records")):
            points.append(
                {
                    "model": r["model"],
                    "runtime": rt,
                    "latency_ms": r[col],
                    "accuracy_top1": r["accuracy_top1"],
                    "accuracy_source": r["accuracy_source"],
                    "accuracy_kind": r["accuracy_kind"],
                    "pareto": i in front,
                    "run_id": r["run_id"],
                }
            )
    missing = sorted(set(df.drop(index=plotted.index)["model"]))
    return ParetoReport(stat, points, missing, dropped, outliers, out, title, df)
