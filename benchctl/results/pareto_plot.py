"""The accuracy-vs-latency figure (MobileOne and MobileNetV4 Fig. 1), readable with the whole zoo
on it and honest about its numbers.

- Where each accuracy comes from is on the figure: the marker says measured (`benchctl eval` on
  the very artifact), the paper's top-1 (the architecture's published ImageNet number, not the
  weights benchmarked) or the user's file; the legend names them.
- Nothing disappears silently: models dropped for having no valid run or no accuracy, and runs
  flagged as outliers, are listed under the figure with the reason.
- An absurd run (a 2 s median among 20 ms ones, from an oversubscribed machine) is flagged and
  kept off the axes instead of squashing every other point: either its median is `SERIES_FACTOR`×
  the median of its own series' valid runs, or it sits alone above a `GAP_FACTOR`× gap at the
  slow end of its runtime's points.
- The latency axis is logarithmic when the points span `LOG_SPAN`× or more (1 to 200 ms is not
  readable on a linear axis); labels are placed by adjustText (a well-kept library for exactly
  this), on a figure that grows with the number of points, so they do not overlap.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from benchctl.errors import ConfigError
from benchctl.results.plot import _figure, pareto_front, point_labels

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

LOG_SPAN = 10.0  # max/min latency from which the axis is logarithmic
SERIES_FACTOR = 5.0  # a run this many times its series' median is an outlier
SERIES_MIN_RUNS = 3  # …when the series has at least this many valid runs
GAP_FACTOR = 10.0  # a point above a gap this wide at its runtime's slow end is an outlier…
GAP_MAX_ABOVE = 2  # …when at most this many points are above the gap…
GAP_MIN_BELOW = 5  # …and at least this many below it

# accuracy_kind → (marker, filled, legend text)
KINDS: dict[str, tuple[str, bool, str]] = {
    "measured": ("o", True, "measured top-1 (benchctl eval, this artifact)"),
    "file": ("s", True, "top-1 from your --accuracy file"),
    "paper": ("^", False, "paper's ImageNet top-1 (not these weights)"),
    "unknown": ("D", False, "top-1 of unstated source"),
}


def latency_outliers(df: pd.DataFrame, col: str) -> dict[Any, str]:
    """Index → why, for the rows whose latency is absurd beside their series or their peers."""
    out: dict[Any, str] = {}
    if "series_median_ms" in df.columns and "valid_runs" in df.columns:
        for idx, r in df.iterrows():
            series, runs = r["series_median_ms"], r["valid_runs"]
            if _number(series) and _number(runs) and runs >= SERIES_MIN_RUNS:
                if r[col] >= SERIES_FACTOR * series:
                    out[idx] = (
                        f"{r[col]:.4g} ms, {r[col] / series:.0f}× the median of its "
                        f"{int(runs)} valid runs ({series:.4g} ms)"
                    )
    rest = df.drop(index=list(out))
    # Peers are the same runtime's points: runtimes differ by 20× for one model legitimately.
    groups = rest.groupby("runtime") if "runtime" in rest.columns else [(None, rest)]
    for _runtime, group in groups:
        ordered = group[col].sort_values()
        values = ordered.tolist()
        for k in range(max(GAP_MIN_BELOW, len(values) - GAP_MAX_ABOVE), len(values)):
            if values[k] >= GAP_FACTOR * values[k - 1]:
                for idx in ordered.index[k:]:
                    ms = group.loc[idx, col]
                    out[idx] = (
                        f"{ms:.4g} ms, {ms / values[k - 1]:.0f}× the next slowest point "
                        "of its runtime"
                    )
                break
    return out


def _number(value: Any) -> bool:
    return value is not None and isinstance(value, int | float) and math.isfinite(value)


def _kind(value: Any) -> str:
    return value if isinstance(value, str) and value in KINDS else "unknown"


def pareto_figure(
    df: pd.DataFrame,
    *,
    stat: str = "median",
    title: str = "",
    dropped: Sequence[tuple[str, str]] = (),
) -> Figure:
    """Top-1 vs latency, one colour per runtime (its Pareto front joined), one marker per
    accuracy source; `dropped` (model, reason) pairs are listed under the figure with the models
    that have no accuracy and the flagged outliers."""
    col = f"latency_{stat}_ms"
    has_latency = df.dropna(subset=[col])
    data = has_latency.dropna(subset=["accuracy_top1"])
    if data.empty:
        raise ConfigError(
            "no result has both a latency and an accuracy; measure it (benchctl eval) or pass "
            "--accuracy FILE for models without published top-1 (see: benchctl export csv "
            "--rows models)"
        )
    notes: dict[str, list[str]] = {"no valid run": [], "no accuracy": [], "flagged outlier": []}
    for m, reason in dropped:
        notes["no valid run"].append(f"{m} ({reason})" if reason else str(m))
    notes["no accuracy"] += [str(m) for m in has_latency.drop(index=data.index)["model"]]
    flagged = latency_outliers(data, col)
    labels = dict(zip(data.index, point_labels(data), strict=True))
    notes["flagged outlier"] += [f"{labels[i]} ({why})" for i, why in flagged.items()]
    data = data.drop(index=list(flagged))

    n = len(data)
    width, height = (7.0, 4.8) if n <= 16 else (min(16.0, 7.0 + 0.16 * n), min(11.0, 4.8 + 0.1 * n))
    fig = _figure(width, height)
    ax = fig.add_subplot()
    lat_all = data[col].tolist()
    log = min(lat_all) > 0 and max(lat_all) / min(lat_all) >= LOG_SPAN
    if log:
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    points: list[tuple[float, float, str, bool]] = []  # x, y, label, on the front
    runtime_handles = []
    for k, (runtime, group) in enumerate(data.groupby("runtime", sort=True)):
        colour = f"C{k}"
        lat, acc = group[col].tolist(), group["accuracy_top1"].tolist()
        front = pareto_front(lat, acc)
        (line,) = ax.plot(
            [lat[i] for i in front],
            [acc[i] for i in front],
            "-",
            color=colour,
            linewidth=1.2,
            label=f"{runtime} (Pareto front)",
        )
        runtime_handles.append(line)
        kinds = [_kind(v) for v in group.get("accuracy_kind", [None] * len(group))]
        for i, (x, y, kind) in enumerate(zip(lat, acc, kinds, strict=True)):
            marker, filled, _ = KINDS[kind]
            ax.scatter(
                [x],
                [y],
                marker=marker,
                s=42 if i in front else 26,
                facecolors=colour if filled else "none",
                edgecolors=colour,
                linewidths=1.2,
                alpha=1.0 if i in front else 0.6,
                zorder=3,
            )
        valid = group["valid"].tolist() if "valid" in group.columns else [True] * len(group)
        for i, name in enumerate(point_labels(group)):
            name += "" if valid[i] is not False else " [invalid]"
            points.append((lat[i], acc[i], name, i in front))
    from matplotlib.lines import Line2D

    used = sorted({_kind(v) for v in data.get("accuracy_kind", [None] * n)}, key=list(KINDS).index)
    kind_handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=KINDS[k][0],
            markerfacecolor="#555555" if KINDS[k][1] else "none",
            markeredgecolor="#555555",
            label=KINDS[k][2],
        )
        for k in used
    ]
    ax.legend(handles=[*runtime_handles, *kind_handles], fontsize=7, loc="lower right")
    ax.margins(x=0.08, y=0.08)
    ax.set_xlabel(f"{stat} latency (ms{', log scale' if log else ''})")
    ax.set_ylabel("top-1 accuracy (%)")
    ax.grid(True, alpha=0.3, which="both" if log else "major")
    ax.set_title(title or "accuracy vs latency", fontsize=10)
    parts = [f"{what}: {', '.join(items)}" for what, items in notes.items() if items]
    if parts:
        text = "not plotted — " + "; ".join(parts)
        wrap = int(width * 17)
        fig.supxlabel("\n".join(textwrap.wrap(text, wrap)), fontsize=7, x=0.01, ha="left")
    _place_labels(fig, ax, points)
    return fig


def _place_labels(fig: Figure, ax: Any, points: list[tuple[float, float, str, bool]]) -> None:
    """Names beside their points without overlaps: the layout is fixed first (labels inside the
    axes must not move it afterwards), then adjustText pushes the labels apart."""
    from adjustText import adjust_text
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.draw_without_rendering()  # constrained layout settles with everything but the labels
    fig.set_layout_engine("none")
    texts = [
        ax.text(x, y, name, fontsize=6.5, weight="bold" if front else "normal", zorder=4)
        for x, y, name, front in points
    ]
    if len(texts) > 1:
        adjust_text(
            texts,
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            ax=ax,
            expand=(1.15, 1.4),
            arrowprops={"arrowstyle": "-", "color": "#888888", "lw": 0.5},
            time_lim=10,
        )
