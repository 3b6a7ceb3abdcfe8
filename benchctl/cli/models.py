"""`benchctl models …`: what the zoo holds, what the papers say about it, and whether we agree."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from benchctl.cli._options import JsonOpt
from benchctl.cli._output import Table, emit_json, err, out, styled

if TYPE_CHECKING:
    from benchctl.models import Check, ModelSpec, VerifyRow

app = typer.Typer(help="List, describe and verify the model zoo.", no_args_is_help=True)

_STATUS_STYLE = {
    "pass": "green",
    "fail": "bold red",
    "exception": "yellow",
    "no data": "dim",
    "error": "bold red",
}

FamilyOpt = Annotated[str | None, typer.Option("--family", help="Only this family (mobileone…).")]
PaperOpt = Annotated[
    str | None,
    typer.Option(
        "--paper",
        help="Only models a paper defines or tabulates: mobileone, mobilenetv4, mobilevit, "
        "emo, wiki, or any part of an architecture's citation.",
    ),
]


def _spec_dict(s: ModelSpec) -> dict[str, object]:
    primary = s.primary
    return {
        "name": s.name,
        "family": s.family,
        "variant": s.variant,
        "role": s.role,
        "input_size": list(s.input_size),
        "has_reparam": s.has_reparam,
        "source": s.source,
        "paper": s.paper,
        "notes": s.notes or None,
        "published": None if primary is None else primary.to_dict(),
    }


@app.command("list")
def list_cmd(
    pattern: Annotated[str, typer.Argument(help="Shell-style name filter.")] = "*",
    family: FamilyOpt = None,
    paper: PaperOpt = None,
    role: Annotated[
        str | None, typer.Option("--role", help="seed (the seed papers' own models) or comparator.")
    ] = None,
    include_test: Annotated[
        bool, typer.Option("--include-test", help="Show tiny test variants.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """List registered models with the facts their papers publish."""
    from benchctl.models import get_model_spec, list_models

    names = list_models(pattern, family=family, include_test=include_test, paper=paper, role=role)
    specs = [get_model_spec(n) for n in names]
    if json_:
        emit_json([_spec_dict(s) for s in specs])
        return
    table = Table(
        "model",
        "family",
        "variant",
        "input",
        "reparam",
        "role",
        "params (M)",
        "FLOPs/MACs",
        "top-1",
        "published in",
    )
    for s in specs:
        p = s.primary
        table.add_row(
            s.name,
            s.family,
            s.variant,
            "×".join(map(str, s.input_size)),
            "yes" if s.has_reparam else "",
            s.role,
            (p.params_text if p else "") or "—",
            (p.ops_display if p else "") or "—",
            (p.top1 if p else "") or "—",
            p.source if p else "—",
        )
    out.print(table)


def _fmt(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _diff(check: Check | None) -> str | Text:
    """Relative difference, coloured by status; † marks a pass within the printed precision only."""
    if check is None:
        return ""
    style = _STATUS_STYLE[check.status]
    return styled(f"{check.rel_diff * 100:+.1f}%{'†' if check.by_rounding else ''}", style)


_ROUNDING_NOTE = (
    "† outside the relative tolerance but within half a unit of the last printed "
    'digit (e.g. "0.2 G" covers 150-250 M).'
)


@app.command("show")
def show_cmd(
    name: Annotated[str, typer.Argument(help="Registered model name (see: benchctl models list).")],
    compute: Annotated[
        bool,
        typer.Option(
            "--compute/--no-compute", help="Count params and MACs (cached after the first time)."
        ),
    ] = True,
    json_: JsonOpt = False,
) -> None:
    """A model's definition and its published facts beside the computed ones."""
    from benchctl.models import get_model_spec, verify_model

    spec = get_model_spec(name)
    rows = verify_model(spec) if compute else []
    if json_:
        doc = _spec_dict(spec)
        doc["published"] = [f.to_dict() for f in spec.published]
        doc["verification"] = [r.to_dict() for r in rows]
        emit_json(doc)
        return
    about = Table(show_header=False, box=None, pad_edge=False)
    about.add_column(style="bold", no_wrap=True)
    about.add_column(overflow="fold")
    about.add_row("model", f"{spec.name}  ({spec.family} {spec.variant}, {spec.role})")
    about.add_row("input", "×".join(map(str, spec.input_size)))
    about.add_row("architecture", spec.paper or "—")
    about.add_row(
        "defined by",
        spec.source + ("  (reparameterized for inference)" if spec.has_reparam else ""),
    )
    if spec.notes:
        about.add_row("notes", spec.notes)
    errors = [r.error for r in rows if r.error]
    computed = next((r.computed for r in rows if r.computed is not None), None)
    if computed is not None:
        about.add_row(
            "computed",
            f"{computed.params_m:.3f} M params, {computed.macs_m:.1f} M MACs "
            f"at {computed.resolution}²  ({computed.counter})",
        )
    for e in errors:
        about.add_row("error", styled(e, "red"))
    out.print(about)
    if not spec.published:
        out.print("No seed paper publishes facts about this model.")
        return
    by_fact = {id(r.fact): r for r in rows if r.fact is not None}
    table = Table(
        "published in",
        "res",
        "params",
        "computed",
        "Δ",
        "FLOPs/MACs (as printed)",
        "computed MACs",
        "Δ",
        "top-1",
        "status",
        title="Published vs computed (M)",
    )
    notes: list[str] = []
    for fact in spec.published:
        r = by_fact.get(id(fact))
        res = str(fact.resolution or spec.input_size[1])
        status = r.status if r else ("—" if not compute else "no data")
        mark = ""
        for reason, metric in ((fact.params_exception, "params"), (fact.ops_exception, "MACs")):
            if reason:
                notes.append(f"[{len(notes) + 1}] {fact.source}, {metric}: {reason}")
                mark += f"[{len(notes)}]"
        table.add_row(
            fact.source,
            res,
            fact.params_text or "—",
            _fmt(r.params.computed if r and r.params else None, 3),
            _diff(r.params if r else None),
            fact.ops_display or "—",
            _fmt(r.macs.computed if r and r.macs else None, 1),
            _diff(r.macs if r else None),
            fact.top1 or "—",
            (
                Text.assemble(styled(status, _STATUS_STYLE[status]), f" {mark}" if mark else "")
                if status in _STATUS_STYLE
                else mark
            ),
        )
    out.print(table)
    if any(c is not None and c.by_rounding for r in rows for c in (r.params, r.macs)):
        out.print(_ROUNDING_NOTE, highlight=False)
    for n in notes:
        out.print(n, highlight=False)


def _verify_table(rows: list[VerifyRow]) -> tuple[Table, list[str]]:
    table = Table(
        "model",
        "published in",
        "res",
        "params",
        "computed",
        "Δ",
        "FLOPs/MACs",
        "computed MACs",
        "Δ",
        "status",
        title="Computed vs published (M)",
    )
    notes: list[str] = []
    reasons: dict[str, int] = {}
    for r in rows:
        marks = []
        for check in (r.params, r.macs):
            if (
                check is not None
                and check.reason
                and (check.status == "exception" or check.stale_exception)
            ):
                if check.reason not in reasons:
                    notes.append(check.reason)
                    reasons[check.reason] = len(notes)
                marks.append(f"[{reasons[check.reason]}]")
        status = r.status if not r.error else f"error: {r.error}"
        style = _STATUS_STYLE[r.status]
        table.add_row(
            r.model,
            r.fact.source if r.fact else "—",
            str(r.computed.resolution) if r.computed else "—",
            r.params.published_text if r.params else "—",
            _fmt(r.computed.params_m if r.computed else None, 3),
            _diff(r.params),
            r.macs.published_text if r.macs else "—",
            _fmt(r.computed.macs_m if r.computed else None, 1),
            _diff(r.macs),
            Text.assemble(styled(status, style), f" {''.join(marks)}" if marks else ""),
        )
    return table, notes


@app.command("verify")
def verify_cmd(
    pattern: Annotated[str, typer.Argument(help="Shell-style name filter.")] = "*",
    family: FamilyOpt = None,
    paper: PaperOpt = None,
    comparators: Annotated[
        bool,
        typer.Option("--comparators", help="Verify the models the seeds compare against instead."),
    ] = False,
    all_: Annotated[bool, typer.Option("--all", help="Seed models and comparators.")] = False,
    include_test: Annotated[
        bool, typer.Option("--include-test", help="Include tiny test variants.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Recount; ignore cached facts.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Build models and check computed params/MACs against every published number.

    Params pass within 2 %, MACs within 5 % (or half a printed digit, when coarser). A number a
    paper prints that is known not to reproduce is an "exception" with its reason, not a pass.
    Exits 1 when any row fails.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from benchctl.models import (
        MACS_TOLERANCE,
        PARAMS_TOLERANCE,
        list_models,
        status_counts,
        verify_models,
    )

    role = None if all_ else ("comparator" if comparators else "seed")
    names = list_models(pattern, family=family, paper=paper, role=role, include_test=include_test)
    if not names:
        err.print("no models match")
        raise typer.Exit(1)
    started = time.perf_counter()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=json_ or not err.is_terminal,
    )
    with progress:
        task = progress.add_task("verifying", total=len(names))

        def advance(name: str) -> None:
            progress.update(task, advance=1, description=f"verified {name}")

        rows = verify_models(names, use_cache=not no_cache, on_model=advance)
    wall = time.perf_counter() - started
    counts = status_counts(rows)
    failed = counts.get("fail", 0) + counts.get("error", 0)
    if json_:
        emit_json(
            {
                "models": len(names),
                "rows": [r.to_dict() for r in rows],
                "summary": counts,
                "tolerance": {"params": PARAMS_TOLERANCE, "macs": MACS_TOLERANCE},
                "wall_s": round(wall, 2),
            }
        )
    else:
        table, notes = _verify_table(rows)
        out.print(table)
        if any(c is not None and c.by_rounding for r in rows for c in (r.params, r.macs)):
            out.print(_ROUNDING_NOTE, highlight=False)
        if notes:
            out.print("Documented exceptions (published numbers known not to reproduce):")
            for i, n in enumerate(notes, 1):
                out.print(f"  [{i}] {n}", highlight=False)
        summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        out.print(
            f"{len(names)} models, {len(rows)} rows: {summary}; {wall:.1f} s. Tolerances: "
            f"params {PARAMS_TOLERANCE:.0%}, MACs {MACS_TOLERANCE:.0%} (or half a printed "
            "digit).",
            highlight=False,
        )
    if failed:
        raise typer.Exit(1)
