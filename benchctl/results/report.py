"""The nightly report as Markdown (a PR or issue comment), static HTML (one self-contained file:
inline CSS and inline SVG plots, no external assets) or JSON (`NightlyReport.to_dict`).

Both human formats lead with the counts (PyTorch HUD's report counters), then the alerts with
the numbers behind each verdict and what changed between the last good and the new result
(conbench benchalerts' comment; anchors_regression.md §3.5), then each series' change points,
then the quiet series.
"""

from __future__ import annotations

import html
import json
from typing import Any

from benchctl.results.regress.nightly import ChangeReport, NightlyReport, SeriesReport

FORMATS = ("md", "html", "json")

SECTIONS = (
    ("regression", "Regressions"),
    ("environment_shift", "Environment shifts (same artifact, runtime and harness)"),
    ("improvement", "Improvements"),
    ("failed", "Failed runs"),
    ("invalid", "Invalid results (shown, never used as a baseline)"),
)
COUNT_NAMES = {
    "regression": "regression",
    "improvement": "improvement",
    "environment_shift": "environment shift",
    "failed": "failed",
    "invalid": "invalid",
    "insufficient_data": "insufficient data",
    "ok": "ok",
    "change_points": "change point",
    "memory_regression": "memory regression",
}


def ms(ns: float | None) -> str:
    return "—" if ns is None else f"{ns / 1e6:.3f} ms"


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.1f} %"


def short(value: Any) -> str:
    text = "—" if value is None else str(value)
    if text.startswith("sha256:"):
        text = text[7:]
    return text[:12] if len(text) > 16 else text


def versions_text(changed: dict[str, list[Any]], sep: str = "; ") -> str:
    return sep.join(f"{k}: {short(a)} → {short(b)}" for k, (a, b) in changed.items()) or "—"


def count_texts(report: NightlyReport) -> dict[str, str]:
    """ "1 regression", "2 environment shifts", "0 failed" … per counter."""
    out = {}
    for key, n in report.counts().items():
        if key == "memory_regression" and not n:
            continue  # memory is named only when it moved (older runs measured none)
        name = COUNT_NAMES[key]
        uncountable = name.endswith(("data", "ok", "failed", "invalid"))
        out[key] = f"{n} {name if n == 1 or uncountable else name + 's'}"
    return out


def counts_line(report: NightlyReport) -> str:
    return ", ".join(count_texts(report).values())


def detector_line(report: NightlyReport) -> str:
    d = report.defaults
    return (
        f"median of each run vs up to {d['window']} valid earlier runs; change ≥ "
        f"{d['rel_threshold']:.0%} and robust |z| ≥ {d['z_threshold']:g} and ≥ "
        f"{d['abs_floor_ms']:g} ms; change points p ≤ {d['max_pvalue']:g}"
        + (f"; config {report.config_source}" if report.config_source else "")
    )


def _md_escape(text: str) -> str:
    """Text for a Markdown table cell: HTML shown as text (a name carrying `<img onerror=…>`
    stays text on GitHub), no link syntax, no line or cell break."""
    text = html.escape(str(text), quote=False)
    for char in "\\|[]`":
        text = text.replace(char, "\\" + char)
    return " ".join(text.splitlines())


def _md_code(text: str) -> str:
    """Text for a Markdown code span: nothing in it can close the span or break the line."""
    return " ".join(str(text).replace("`", "'").splitlines())


def _alert_rows(series: list[SeriesReport]) -> list[str]:
    rows = [
        "| series | baseline (n) | new | change | z | min Δ | in a row | what changed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in series:
        v = s.screening
        changed = (
            versions_text(v.changed_versions)
            if v.changed_versions
            else (
                "environment: " + versions_text(v.changed_environment)
                if v.changed_environment
                else "nothing recorded"
            )
        )
        rows.append(
            f"| {_md_escape(s.description)} | {ms(v.level_ns)} ±{ms(v.scale_ns)} ({v.n_baseline})"
            f", last good `{short(v.last_good)}` | {ms(v.value_ns)} `{short(v.run_id)}` "
            f"| **{pct(v.rel_change)}** | {v.z:+.1f} | {pct(v.min_rel_change)} | {v.persistent} "
            f"| {_md_escape(changed)} |"
        )
    return rows


def mib(n: float | None) -> str:
    return "—" if n is None else f"{n / 2**20:.1f} MiB"


def ops_text(top: list[dict[str, Any]] | None) -> str:
    """ "Conv +0.412 ms (+18.0 %), Gemm …" — the op types whose time moved most."""
    if not top:
        return "—"
    return ", ".join(
        f"{o['op_type']} {o['delta_ms']:+.3f} ms ({pct(o['rel_change'])})" for o in top
    )


def _top_ops_lines(series: list[SeriesReport]) -> list[str]:
    named = [s for s in series if s.top_ops]
    if not named:
        return []
    lines = ["", "Top moved operators (op types, last good → new; from the runs' profiles):", ""]
    lines += [f"- {_md_escape(s.description)}: {_md_escape(ops_text(s.top_ops))}" for s in named]
    return lines


def _memory_lines(report: NightlyReport) -> list[str]:
    moved = [
        (s, m) for s in report.series for m in s.memory if m.label in ("regression", "improvement")
    ]
    if not moved:
        return []
    lines = [
        "### Memory (peak of the runner process; accelerator allocator where measured)",
        "",
        "| series | metric | baseline (n) | new | change | verdict | what changed |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {_md_escape(s.description)} | {m.metric} | {mib(m.level_bytes)} ({m.n_baseline}) "
        f"| {mib(m.value_bytes)} `{short(m.run_id)}` | **{pct(m.rel_change)}** | {m.label} "
        f"| {_md_escape(versions_text(m.changed_versions))} |"
        for s, m in moved
    ]
    return [*lines, ""]


def _change_rows(report: NightlyReport) -> list[str]:
    rows = []
    for s in report.series:
        for c in s.changes:
            rows.append(
                f"| {_md_escape(s.description)} | `{short(c.run_id)}` | {c.created_at[:10]} "
                f"| {ms(c.before_ns)} → {ms(c.after_ns)} | {pct(c.rel_change)} "
                f"| {c.p_value:.1g} | {_md_escape(_attribution(c))} |"
            )
    return rows


def _attribution(c: ChangeReport) -> str:
    if c.changed_versions:
        return versions_text(c.changed_versions)
    return c.attribution


def to_markdown(report: NightlyReport) -> str:
    lines = [
        f"## benchctl nightly: {counts_line(report)}",
        "",
        f"{len(report.series)} series in `{_md_code(report.database)}`, "
        f"{report.generated_at:%Y-%m-%d %H:%M} UTC. Detector: {detector_line(report)}.",
        "",
    ]
    for label, title in SECTIONS:
        group = report.with_label(label)
        if not group:
            continue
        lines += [f"### {title}", ""]
        if label in ("failed", "invalid"):
            lines += ["| series | run | why |", "|---|---|---|"]
            lines += [
                f"| {_md_escape(s.description)} | `{short(s.screening.run_id)}` "
                f"| {_md_escape(s.screening.reason)} |"
                for s in group
            ]
        else:
            lines += _alert_rows(group)
            lines += _top_ops_lines(group)
        lines.append("")
    lines += _memory_lines(report)
    changes = _change_rows(report)
    if changes:
        lines += [
            "### Change points in the histories",
            "",
            "| series | first run at the new level | date | level | change | p | what changed |",
            "|---|---|---|---|---|---|---|",
            *changes,
            "",
        ]
    quiet = report.with_label("ok", "insufficient_data")
    if quiet:
        lines += [
            f"<details><summary>{len(quiet)} series without an alert</summary>",
            "",
            "| series | newest | vs baseline | verdict |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {_md_escape(s.description)} | {ms(s.screening.value_ns)} "
            f"| {pct(s.screening.rel_change)} | {s.screening.label}: "
            f"{_md_escape(s.screening.reason)} |"
            for s in quiet
        ]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def to_json(report: NightlyReport) -> str:
    """The report as JSON: the header indented, then one series per line. Each line is encoded
    by the json module's C encoder (`indent` would send every value of a year of history
    through its pure-Python one: seconds at 100 k runs); a series per line also greps well."""
    doc = report.to_dict()
    series = doc.pop("series")
    head = json.dumps(doc, indent=2, default=str)
    if not series:
        return head[:-2] + ',\n  "series": []\n}\n'
    lines = ",\n    ".join(json.dumps(s, default=str) for s in series)
    return head[:-2] + ',\n  "series": [\n    ' + lines + "\n  ]\n}\n"


def to_html(report: NightlyReport) -> str:
    """One self-contained HTML page (inline CSS, and one inline SVG history plot per series drawn
    by `sparkline.history_svg`, not matplotlib: a plot per series costs well under 1 ms so)."""
    import jinja2

    from benchctl.results.plot import LABEL_COLOURS, SPARKLINE_LEGEND
    from benchctl.results.sparkline import history_svg

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("benchctl.results", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(ms=ms, pct=pct, short=short, versions=versions_text, mib=mib, ops=ops_text)
    cards = []
    order = {label: i for i, (label, _) in enumerate(SECTIONS)}
    for s in sorted(report.series, key=lambda s: (order.get(s.screening.label, 99), s.description)):
        cards.append({"series": s, "svg": history_svg(s)})
    return env.get_template("nightly.html.j2").render(
        report=report,
        counts=report.counts(),
        count_texts=count_texts(report),
        headline=counts_line(report),
        detector=detector_line(report),
        cards=cards,
        colours=LABEL_COLOURS,
        legend=SPARKLINE_LEGEND,
        changes=[(s, c) for s in report.series for c in s.changes],
        attribution=_attribution,
    )


def render(report: NightlyReport, fmt: str) -> str:
    if fmt == "md":
        return to_markdown(report)
    if fmt == "html":
        return to_html(report)
    if fmt == "json":
        return to_json(report)
    raise ValueError(f"unknown report format {fmt!r}")
