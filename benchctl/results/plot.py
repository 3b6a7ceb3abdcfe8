"""Figures with matplotlib: accuracy-vs-latency Pareto plots (MobileOne and MobileNetV4 Fig. 1),
MACs/params-vs-latency scatter plots with Spearman's ρ (MobileOne Table 1), and the small
per-series history plots of the nightly report.

Figures are built with `matplotlib.figure.Figure` directly (no pyplot, no global backend state),
so they render the same in a CLI, a test or a server. `save` writes PNG or SVG by the suffix.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from benchctl.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from benchctl.results.regress.nightly import SeriesReport

FORMATS = (".png", ".svg")
LABEL_COLOURS = {
    "regression": "#c62828",
    "improvement": "#2e7d32",
    "environment_shift": "#ef6c00",
    "failed": "#6a1b9a",
    "invalid": "#ad1457",  # not failed's: a run that measured but is not trusted (probe 30)
    "insufficient_data": "#757575",
    "ok": "#1565c0",
    "change_points": "#00838f",  # not environment_shift's orange (probe 30)
    "memory_regression": "#4e342e",
}
SPARKLINE_LEGEND = (  # what each mark of a series plot means, printed under the plots
    ("valid medians", "#455a64", "line"),
    ("invalid run", LABEL_COLOURS["invalid"], "×"),
    ("baseline ± threshold", "#9e9e9e", "band"),
    ("change point", LABEL_COLOURS["change_points"], "dashed"),
    ("newest run, by verdict", "#000000", "dot"),
)


def _figure(
    width: float, height: float, layout: Literal["constrained"] | None = "constrained"
) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout=layout)


def save(fig: Figure, path: Path) -> Path:
    """Write `fig` as PNG or SVG, chosen by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"cannot write {path.name}: use a .png or .svg file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=suffix[1:], dpi=150 if suffix == ".png" else None)
    return path


def inline_svg(fig: Figure, salt: str = "benchctl") -> str:
    """The figure as an `<svg>` element for embedding in HTML (text kept as text). `salt` makes
    its internal ids (clip paths) unique on a page with several figures, and reproducible."""
    from matplotlib import rc_context

    buf = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(
            buf, format="svg", metadata=dict.fromkeys(("Creator", "Date", "Format", "Type"))
        )
    text = buf.getvalue()
    return text[text.index("<svg") :]


def pareto_front(latency: Sequence[float], accuracy: Sequence[float]) -> list[int]:
    """Indices of the points no other point beats on both axes (faster and more accurate)."""
    order = sorted(range(len(latency)), key=lambda i: (latency[i], -accuracy[i]))
    front, best = [], float("-inf")
    for i in order:
        if accuracy[i] > best:
            front.append(i)
            best = accuracy[i]
    return front


def point_labels(df: pd.DataFrame) -> list[str]:
    """Model names; where a model appears more than once, with what tells its rows apart
    (thread count, else input shape)."""
    records = df.to_dict("records")
    out = []
    for r in records:
        twins = [t for t in records if t["model"] == r["model"]]
        name = r["model"]
        if len(twins) > 1:
            threads = r.get("threads")
            unset = threads is None or threads != threads  # None, or NaN in a float column
            if len({str(t.get("threads")) for t in twins}) > 1:
                name += " (default threads)" if unset else f" ({threads:g} threads)"
            else:
                name += f" ({r.get('input_shape')})"
        out.append(name)
    return out


def pareto_figure(df: pd.DataFrame, **options: Any) -> Figure:
    """Top-1 accuracy vs latency (results/pareto_plot.py: sources, outliers, label placement)."""
    from benchctl.results.pareto_plot import pareto_figure as figure

    return figure(df, **options)


@dataclass(frozen=True)
class Correlation:
    """Spearman's rank correlation of a model property with latency (MobileOne Table 1)."""

    x: str
    y: str
    rho: float
    p_value: float
    n: int
    models: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "x": self.x,
            "y": self.y,
            "rho": self.rho,
            "p_value": self.p_value,
            "n": self.n,
            "models": list(self.models),
        }


def spearman(df: pd.DataFrame, x_col: str, y_col: str) -> Correlation:
    from scipy.stats import spearmanr

    data = df.dropna(subset=[x_col, y_col])
    if len(data) < 3:
        raise ConfigError(
            f"Spearman's ρ needs at least 3 models with both {x_col} and {y_col}; "
            f"have {len(data)} (run more models on this device)"
        )
    res = spearmanr(data[x_col], data[y_col])
    return Correlation(
        x_col, y_col, float(res.statistic), float(res.pvalue), len(data), tuple(data["model"])
    )


def scatter_figure(
    df: pd.DataFrame,
    x_col: str,
    y_col: str,
    corr: Correlation,
    *,
    x_label: str,
    y_label: str,
    title: str = "",
) -> Figure:
    data = df.dropna(subset=[x_col, y_col])
    fig = _figure(7.0, 4.8)
    ax = fig.add_subplot()
    ax.scatter(data[x_col], data[y_col], color="C0")
    for name, x, y in zip(point_labels(data), data[x_col], data[y_col], strict=True):
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, 3), fontsize=7)
    ax.margins(x=0.12, y=0.08)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.grid(True, alpha=0.3)
    ax.set_title(
        (title + "\n" if title else "")
        + f"Spearman ρ = {corr.rho:.2f}, p = {corr.p_value:.2g}, n = {corr.n}",
        fontsize=10,
    )
    return fig


def series_figure(report: SeriesReport) -> Figure:
    """A small history plot: valid medians (line), invalid ones (×), the newest result coloured
    by its verdict, the baseline level with its ± threshold band, and the change points."""
    s = report.screening
    pts = report.points
    # Fixed margins, not constrained layout: that draws the figure twice, half the cost of an
    # HTML report with one plot per series (scripts/scale_bench.py).
    fig = _figure(3.6, 1.3, layout=None)
    fig.subplots_adjust(left=0.15, right=0.98, top=0.95, bottom=0.24)
    ax = fig.add_subplot()
    xs = list(range(len(pts)))
    good = [(i, p.value_ns / 1e6) for i, p in enumerate(pts) if p.usable and p.value_ns is not None]
    bad = [(i, p.value_ns / 1e6) for i, p in enumerate(pts) if not p.usable and p.value_ns]
    if good:
        ax.plot(*zip(*good, strict=True), "-o", color="#455a64", markersize=2, linewidth=0.8)
    if bad:
        ax.plot(*zip(*bad, strict=True), "x", color=LABEL_COLOURS["invalid"], markersize=4)
    if s.level_ns is not None:
        level = s.level_ns / 1e6
        ax.axhline(level, color="#9e9e9e", linewidth=0.6)
        band = report.settings.rel_threshold
        ax.axhspan(level * (1 - band), level * (1 + band), color="#9e9e9e", alpha=0.15, lw=0)
    index = {p.run_id: i for i, p in enumerate(pts)}
    for change in report.changes:
        ax.axvline(
            index[change.run_id] - 0.5,
            color=LABEL_COLOURS["change_points"],
            linestyle="--",
            linewidth=0.8,
        )
    newest = pts[-1]
    if newest.value_ns is not None:
        ax.plot(
            [xs[-1]],
            [newest.value_ns / 1e6],
            "o",
            markersize=5,
            color=LABEL_COLOURS.get(s.label, "#000000"),
        )
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=6)
    ax.set_ylabel("median ms", fontsize=6)
    ax.set_xlabel("run, oldest → newest", fontsize=6, labelpad=1)
    ax.margins(x=0.02)
    return fig


def roofline_figure(rows: Sequence[Any], *, title: str = "") -> Figure:
    """MobileNetV4 Eq. 1 swept over the ridge point: each model's predicted time (top) and, when
    measured latencies exist, Spearman's ρ between predicted and measured ranks (bottom)."""
    has_rho = any(r.rho is not None for r in rows)
    fig = _figure(7.0, 5.6 if has_rho else 3.8)
    axes = fig.subplots(2 if has_rho else 1, 1, sharex=True, squeeze=False)[:, 0]
    rps = [r.ridge_point for r in rows]
    for model in sorted(rows[0].predicted):
        axes[0].plot(rps, [r.predicted[model] / 1e6 for r in rows], label=model, linewidth=1.2)
    axes[0].set_yscale("log")
    axes[0].set_ylabel("Eq. 1 time (M MAC-times)")
    axes[0].grid(True, alpha=0.3, which="both")
    axes[0].legend(fontsize=7, ncol=2)
    axes[0].set_title(title or "roofline model over the ridge point", fontsize=10)
    if has_rho:
        axes[1].plot(rps, [r.rho for r in rows], color="C3")
        axes[1].axhline(0, color="#9e9e9e", linewidth=0.6)
        axes[1].set_ylim(-1.05, 1.05)
        axes[1].set_ylabel("Spearman ρ vs measured")
        axes[1].grid(True, alpha=0.3)
    axes[-1].set_xlabel("ridge point (MACs/byte)")
    return fig


def measured_roofline_figure(results: Sequence[Any], *, title: str = "") -> Figure:
    """Per layer, Eq. 1's predicted share of the model's time (at each run's best ridge point)
    against the measured share (left, log-log: on the diagonal the roofline is right; the worst
    layers are labelled), and Spearman's ρ over the ridge point per run (right)."""
    fig = _figure(11.0, 4.8)
    scatter, sweep = fig.subplots(1, 2, width_ratios=[1.3, 1.0])
    lo, hi = 1.0, 0.0
    for i, r in enumerate(results):
        best = r.best
        rp = best.ridge_point if best else 0.0
        rows = r.worst(len(r.groups), rp)
        xs = [row["predicted_share"] for row in rows]
        ys = [row["measured_share"] for row in rows]
        lo, hi = min(lo, *xs, *ys), max(hi, *xs, *ys)
        label = f"{r.model} {r.run_id[:8]} (RP {rp:g}, ρ {best.rho:+.2f})" if best else r.model
        scatter.scatter(xs, ys, s=16, alpha=0.75, color=f"C{i}", label=label)
        for row in rows[:4]:
            scatter.annotate(
                f"{row['operator']} ({row['op_type']})",
                (row["predicted_share"], row["measured_share"]),
                fontsize=6.5,
                xytext=(4, 3),
                textcoords="offset points",
                color=f"C{i}",
            )
        sweep.plot(
            [a.ridge_point for a in r.sweep],
            [float("nan") if a.rho is None else a.rho for a in r.sweep],
            color=f"C{i}",
            label=f"{r.model} {r.run_id[:8]}",
        )
    scatter.plot([lo, hi], [lo, hi], color="#9e9e9e", linewidth=0.8, linestyle="--")
    scatter.set_xscale("log")
    scatter.set_yscale("log")
    scatter.set_xlabel("Eq. 1 predicted share of model time")
    scatter.set_ylabel("measured share of model time")
    scatter.grid(True, alpha=0.3, which="both")
    scatter.legend(fontsize=7)
    scatter.set_title(title or "roofline per layer: predicted vs measured", fontsize=10)
    sweep.axhline(0, color="#9e9e9e", linewidth=0.6)
    sweep.set_ylim(-1.05, 1.05)
    sweep.set_xlabel("ridge point (MACs/byte)")
    sweep.set_ylabel("Spearman ρ, layers: predicted vs measured")
    sweep.grid(True, alpha=0.3)
    sweep.legend(fontsize=7)
    return fig
