"""Rich rendering of one run, shared by `benchctl run` and `benchctl results show`."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from benchctl.cli._output import Table, cell, people_ms, styled


def _ms(value: float | None) -> str:
    return people_ms(value)


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _stat_text(unit: str, value: float | int | None) -> str:
    """A statistic's value in the run table: ms for people, a ratio as a percentage."""
    if unit == "ratio" and value is not None:
        return f"{value * 100:.2f}"
    return _ms(value)


def statistic_rows(d: dict[str, Any]) -> list[tuple[str, str]]:
    """The run table's rows of declared statistics (`results.stats.Summary`: each one's `row`
    and `text`), in their order; none for a run without samples."""
    from benchctl.results.stats import STATISTICS

    values = {s.name: _stat_text(s.unit, d.get(s.key)) for s in STATISTICS}
    rows: dict[str, list[str]] = {}
    for s in STATISTICS:
        if s.row is not None and s.text is not None:
            rows.setdefault(s.row, []).append(s.text.format_map(values))
    if all(d.get(s.key) is None for s in STATISTICS if s.row is not None):
        return []
    return [(label, "  ".join(parts)) for label, parts in rows.items()]


def run_table(d: dict[str, Any], *, db_location: str, note: str | None = None) -> Table:
    """Key/value table of a flat run dict (see `results.export.run_to_dict`)."""
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    status = d["status"]
    colour = "green" if status == "ok" else "red"
    table.add_row(
        "status",
        Text.assemble(styled(status, colour), cell(f"  {d['error_code'] or ''}".rstrip())),
    )
    if d.get("error_message"):
        table.add_row("error", d["error_message"])  # device text is not markup (Table)
    if "valid" in d and status == "ok":
        table.add_row("validity", _validity(d))
    table.add_row("model", f"{d['model']}  ({d['input_shape']}, {d['format']} {d['precision']})")
    table.add_row("device", f"{d['device']}  ({d['device_cpu'] or '?'})")
    actual = d["accelerator_actual"] or "?"
    table.add_row(
        "runtime",
        f"{d['runtime']} {d['runtime_version'] or ''}  "
        f"accelerator {d['accelerator_requested']} → {actual}, threads "
        f"{d['threads'] or 'default'}" + (f", CPUs {d['cpus']}" if d.get("cpus") else ""),
    )
    table.add_row(
        "iterations",
        f"{d['iterations']} timed (of {d['iterations_requested']}), {d['warmup']} warm-up",
    )
    for label, text in statistic_rows(d):
        table.add_row(label, text)
    if d.get("others_cpu_share") is not None:
        stop = (
            f"; stopped by {d['stopped_by']}" if d.get("stopped_by") not in (None, "iters") else ""
        )
        table.add_row(
            "machine",
            f"others used {d['others_cpu_share'] * 100:.1f} % of the runner's CPUs{stop}",
        )
    table.add_row(
        "load / first inference", f"{_ms(d['load_ms'])} ms / {_ms(d['first_inference_ms'])} ms"
    )
    if d.get("peak_rss_mb") is not None or d.get("device_peak_mb") is not None:
        mem = (
            f"RSS after load {_mib(d.get('rss_after_load_mb'))}, peak {_mib(d.get('peak_rss_mb'))}"
        )
        if d.get("device_peak_mb") is not None:
            mem += f"; device peak {_mib(d['device_peak_mb'])}"
        table.add_row("memory (MiB)", mem)
    if d["artifact_sha256"]:
        parity = d.get("parity_passed")
        ptxt = Text()
        if parity is not None:
            verdict = Text("ok") if parity else styled("FAILED", "red")
            rel = d.get("parity_max_rel")
            detail = f" (max rel {rel:.1e})" if rel is not None else ""
            ptxt = Text.assemble("  parity ", verdict, detail)
        table.add_row("artifact", Text.assemble(cell(d["artifact_sha256"]), ptxt))
    for acc in d.get("accuracy") or []:  # measured by benchctl eval on this artifact
        table.add_row(
            "accuracy",
            f"top-1 {acc['top1']:.2f} %"
            + ("" if acc["top5"] is None else f", top-5 {acc['top5']:.2f} %")
            + f" ({acc['source']}, {acc['runtime']})",
        )
    if note:
        table.add_row("", note)
    table.add_row("run id", d["run_id"])
    table.add_row("database", db_location)
    return table


def _validity(d: dict[str, Any]) -> Text:
    if d["valid"]:
        return styled("valid", "green")
    return Text.assemble(styled("invalid", "yellow"), cell(f": {d['invalid_reasons']}"))


def validity_tag(d: dict[str, Any]) -> str | Text:
    """A short verdict for a table cell: valid, or invalid (drift, noisy, hot…)."""
    if "valid" not in d:
        return "—"
    if d["valid"]:
        return styled("valid", "green")
    if d["status"] != "ok":
        return "—"
    kinds = []
    for reason in d["invalid_reasons"].split("; "):
        kind = next((k for k, words in _KINDS if any(w in reason for w in words)), "other")
        if kind not in kinds:
            kinds.append(kind)
    return Text.assemble(styled("invalid", "yellow"), f" ({', '.join(kinds)})")


_KINDS = (
    ("noisy", ("noisy:",)),
    ("drift", ("drifted",)),
    ("hot", ("thermal", "°C", "hot")),
    ("threads", ("threads beyond",)),
    ("precision", ("precision target",)),
    ("fallback", ("ran on", "accelerator")),
    ("incomplete", ("incomplete",)),
)
