"""Rich tables of a stored profile (`results show RUN --ops`, `compare A B --ops`)."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.markup import escape

from benchctl.cli._output import Table, printable


def _safe(value: object) -> str:
    """Markup for a name in a line of text: shown literally, control characters escaped."""
    return escape(printable(value))


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}"


def profile_tables(p: dict[str, Any], *, top: int = 25) -> Group:
    """Header line, op types, and the `top` operators by time (all, in order, when untimed)."""
    parts: list[Any] = []
    units = ", ".join(f"{u} {n}" for u, n in sorted(p["units"].items()))
    head = (
        f"[bold]profile[/] {_safe(p['profiler'])}: {len(p['operators'])} operators ({units}); "
        f"{p['iterations'] or '?'} profiled iterations"
    )
    if p["timed"]:
        head += (
            f", operator sum {_ms(p['operator_total_ms'])} ms, "
            f"profiled wall median {_ms(p['wall_median_ms'])} ms"
        )
    parts.append(head)
    if p["note"]:
        parts.append(f"[dim]{_safe(p['note'])}[/]")
    if p["error"]:
        parts.append(f"[red]profile failed:[/] {_safe(p['error'])}")
    types = Table("op type", "count", "units", "time ms", "share %", title="by op type")
    for r in p["by_type"]:
        types.add_row(
            r["op_type"],
            str(r["count"]),
            ", ".join(f"{u} {n}" for u, n in sorted(r["units"].items())),
            _ms(r["time_ms"]),
            _pct(r["share"]),
        )
    parts.append(types)
    ops = p["operators"]
    if p["timed"]:
        shown = sorted(ops, key=lambda o: -(o["time_ns"] or 0))[:top]
        title = f"top {len(shown)} of {len(ops)} operators by time"
    else:
        shown = ops[:top] if top else ops
        title = f"operators in order ({len(shown)} of {len(ops)}; placement only)"
    table = Table("#", "operator", "op type", "unit", "time ms", "share %", title=title)
    for o in shown:
        table.add_row(
            str(o["position"]),
            o["name"],
            o["op_type"],
            o["unit"] or "?",
            _ms(o["time_ms"]),
            _pct(o["share"]),
        )
    parts.append(table)
    for part in p.get("partitions") or []:
        names = part["operators"]
        more = "…" if len(names) > 8 else ""
        parts.append(
            f"partition on {_safe(part['unit'])}: {len(names)} operators "
            f"({_safe(', '.join(names[:8]))}{more})"
        )
    return Group(*parts)


def compare_table(changes: list[dict[str, Any]], *, top: int = 15) -> Table:
    table = Table(
        "op type",
        "n A",
        "n B",
        "A ms",
        "B ms",
        "Δ ms",
        "Δ %",
        "share A %",
        "share B %",
        title="op types, largest time change first",
    )
    for c in changes[:top]:
        rel = "—" if c["rel_change"] is None else f"{c['rel_change'] * 100:+.1f}"
        table.add_row(
            c["op_type"],
            str(c["count_a"]),
            str(c["count_b"]),
            _ms(c["time_a_ms"]),
            _ms(c["time_b_ms"]),
            f"{c['delta_ms']:+.3f}",
            rel,
            _pct(c["share_a"]),
            _pct(c["share_b"]),
        )
    return table
