"""The nightly report's per-series history plot as a small inline SVG, drawn without matplotlib.

Why not matplotlib here: a report of a team's year draws one plot per series (500 series at
100 k runs), and matplotlib's figure set-up and SVG writer cost 0.1–0.3 s per plot, so the plots
alone took minutes and several MB of page; this one is a few path elements per series, drawn in
well under a millisecond (`scripts/scale_bench.py`). The marks are those of `plot.series_figure`
and the page's legend (`plot.SPARKLINE_LEGEND`): valid medians (line and dots), invalid runs (×),
the baseline level with its ± threshold band, change points (dashed) and the newest run coloured
by its verdict; ticks on both axes, in ms and run numbers. The SVG has no ids, scripts or links,
so any number of them can sit on one page; its numbers are rounded to 0.1 px, so the same report
always gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from benchctl.results.plot import LABEL_COLOURS, SPARKLINE_LEGEND

if TYPE_CHECKING:
    from benchctl.results.regress.nightly import SeriesReport

WIDTH, HEIGHT = 360, 130
LEFT, RIGHT, TOP, BOTTOM = 46.0, 354.0, 6.0, 104.0  # the plot area, in px
_COLOUR = {text: colour for text, colour, _ in SPARKLINE_LEGEND}
FONT = 'font-family="system-ui, sans-serif" font-size="8" fill="#424242"'


def nice_ticks(lo: float, hi: float, target: int = 4, integer: bool = False) -> list[float]:
    """Round tick values covering [lo, hi], about `target` of them, steps 1, 2, 2.5 or 5 × 10^k
    (only whole steps with `integer`)."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / target
    mag = 10.0 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * mag for m in steps if m * mag >= raw * (1 - 1e-9))
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def _label(value: float, ticks: Sequence[float]) -> str:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else abs(value) or 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if abs(step / 10.0**-decimals - round(step / 10.0**-decimals)) > 1e-6:
        decimals += 1  # a step of 2.5 × 10^k needs one digit more
    return f"{value:.{decimals}f}"


def _f(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def history_svg(report: SeriesReport) -> str:
    """The series' history plot as one `<svg>` element (see the module doc)."""
    s = report.screening
    pts = report.points
    n = len(pts)
    good = [(i, p.value_ns / 1e6) for i, p in enumerate(pts) if p.usable and p.value_ns]
    bad = [(i, p.value_ns / 1e6) for i, p in enumerate(pts) if not p.usable and p.value_ns]
    ys = [y for _, y in good] + [y for _, y in bad]
    level = s.level_ns / 1e6 if s.level_ns is not None else None
    band = report.settings.rel_threshold
    if level is not None:
        ys += [level * (1 - band), level * (1 + band)]
    if not ys:
        ys = [0.0, 1.0]
    y_lo, y_hi = min(ys), max(ys)
    if not y_hi > y_lo:
        y_lo, y_hi = y_lo - 0.5 * (abs(y_lo) or 1.0), y_hi + 0.5 * (abs(y_hi) or 1.0)
    pad = 0.05 * (y_hi - y_lo)  # matplotlib's default margins: 5 % in y, 2 % in x (as set)
    y_lo, y_hi = y_lo - pad, y_hi + pad
    x_lo, x_hi = -0.02 * max(n - 1, 1), (n - 1) + 0.02 * max(n - 1, 1)

    def px(i: float) -> float:
        return LEFT + (i - x_lo) / (x_hi - x_lo) * (RIGHT - LEFT)

    def py(y: float) -> float:
        return BOTTOM - (y - y_lo) / (y_hi - y_lo) * (BOTTOM - TOP)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="median latency per run, '
        f'{len(good)} valid of {n}">'
    ]
    if level is not None:
        top, bottom = py(level * (1 + band)), py(level * (1 - band))
        parts.append(
            f'<rect x="{_f(LEFT)}" y="{_f(top)}" width="{_f(RIGHT - LEFT)}" '
            f'height="{_f(bottom - top)}" fill="#9e9e9e" fill-opacity="0.15"/>'
            f'<path d="M{_f(LEFT)} {_f(py(level))}H{_f(RIGHT)}" stroke="#9e9e9e" '
            'stroke-width="0.6"/>'
        )
    index = {p.run_id: i for i, p in enumerate(pts)}
    cuts = "".join(
        f"M{_f(px(index[c.run_id] - 0.5))} {_f(TOP)}V{_f(BOTTOM)}"
        for c in report.changes
        if c.run_id in index
    )
    if cuts:
        parts.append(
            f'<path d="{cuts}" stroke="{_COLOUR["change point"]}" stroke-width="0.8" '
            'stroke-dasharray="3 2"/>'
        )
    if good:
        at = [f"{_f(px(i))} {_f(py(y))}" for i, y in good]  # formatted once, drawn twice
        line = "M" + "L".join(at)
        dots = "".join(f"M{xy}h0" for xy in at)
        colour = _COLOUR["valid medians"]
        parts.append(
            f'<path d="{line}" fill="none" stroke="{colour}" stroke-width="0.8"/>'
            f'<path d="{dots}" stroke="{colour}" stroke-width="2.2" stroke-linecap="round"/>'
        )
    if bad:
        marks = "".join(f"M{_f(px(i) - 2)} {_f(py(y) - 2)}l4 4m0 -4l-4 4" for i, y in bad)
        parts.append(f'<path d="{marks}" stroke="{_COLOUR["invalid run"]}" stroke-width="0.9"/>')
    newest = pts[-1] if pts else None
    if newest is not None and newest.value_ns is not None:
        parts.append(
            f'<circle cx="{_f(px(n - 1))}" cy="{_f(py(newest.value_ns / 1e6))}" r="2.6" '
            f'fill="{LABEL_COLOURS.get(s.label, "#000000")}"/>'
        )
    parts.append(_axes(n, y_lo, y_hi, px, py))
    parts.append("</svg>")
    return "".join(parts)


def _axes(
    n: int, y_lo: float, y_hi: float, px: Callable[[float], float], py: Callable[[float], float]
) -> str:
    """The frame, ticks and tick labels, and both axis titles."""
    out = [
        f'<rect x="{_f(LEFT)}" y="{_f(TOP)}" width="{_f(RIGHT - LEFT)}" '
        f'height="{_f(BOTTOM - TOP)}" fill="none" stroke="#212121" stroke-width="0.6"/>'
    ]
    yt = nice_ticks(y_lo, y_hi)
    xt = [t for t in nice_ticks(0, max(n - 1, 0), target=5, integer=True) if t <= n - 1]
    ticks = "".join(f"M{_f(LEFT)} {_f(py(t))}h-3" for t in yt) + "".join(
        f"M{_f(px(t))} {_f(BOTTOM)}v3" for t in xt
    )
    out.append(f'<path d="{ticks}" stroke="#212121" stroke-width="0.6"/>')
    out += [
        f'<text x="{_f(LEFT - 5)}" y="{_f(py(t) + 2.8)}" text-anchor="end" {FONT}>'
        f"{_label(t, yt)}</text>"
        for t in yt
    ]
    out += [
        f'<text x="{_f(px(t))}" y="{_f(BOTTOM + 11)}" text-anchor="middle" {FONT}>{int(t)}</text>'
        for t in xt
    ]
    mid_y = (TOP + BOTTOM) / 2
    out.append(
        f'<text x="9" y="{_f(mid_y)}" transform="rotate(-90 9 {_f(mid_y)})" '
        f'text-anchor="middle" {FONT}>median ms</text>'
        f'<text x="{_f((LEFT + RIGHT) / 2)}" y="{HEIGHT - 4}" text-anchor="middle" {FONT}>'
        "run, oldest → newest</text>"
    )
    return "".join(out)
