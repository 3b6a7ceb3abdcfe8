"""`benchctl runtimes …`: what `--runtime` and `--to` accept, and what runs here."""

from __future__ import annotations

import typer

from benchctl.cli._options import JsonOpt
from benchctl.cli._output import Table, emit_json, out, styled

app = typer.Typer(help="Runtimes and conversion targets.", no_args_is_help=True)


@app.command("list")
def list_cmd(json_: JsonOpt = False) -> None:
    """Every runtime, the artifact it needs, and whether this machine can run it (and why not)."""
    from benchctl.harness.runtimes import RUNTIMES
    from benchctl.runner.run import capabilities

    caps = {r["backend"]: r for r in capabilities()["runtimes"]}
    docs = []
    for name in RUNTIMES.names():
        rt = RUNTIMES.get(name)
        cap = caps.get(rt.backend, {})
        here = bool(cap.get("available")) and rt.accelerator in cap.get("accelerators", [])
        reason = None
        if not here:
            reason = cap.get("reason_if_unavailable") or (
                f"{rt.backend} has no {rt.accelerator} accelerator on this machine"
            )
        docs.append(
            {
                "runtime": name,
                "target": rt.target,
                "backend": rt.backend,
                "accelerator": rt.accelerator,
                "precision": rt.precision,
                "available_here": here,
                "reason": reason,
                "description": rt.description,
            }
        )
    if json_:
        emit_json(docs)
        return
    table = Table("runtime", "target", "accelerator", "here", "description / why not")
    for d in docs:
        mark = styled("yes", "green") if d["available_here"] else styled("no", "dim")
        table.add_row(
            d["runtime"],
            d["target"],
            d["accelerator"],
            mark,
            d["description"] if d["available_here"] else d["reason"],
        )
    out.print(table)


@app.command("targets")
def targets_cmd(json_: JsonOpt = False) -> None:
    """Conversion targets for `benchctl convert --to`."""
    from benchctl.harness.convert.targets import TARGETS

    docs = [
        {
            "target": n,
            "format": TARGETS.get(n).format,
            "precision": TARGETS.get(n).precision,
            "description": TARGETS.get(n).description,
        }
        for n in TARGETS.names()
    ]
    if json_:
        emit_json(docs)
        return
    table = Table("target", "format", "precision", "description")
    for d in docs:
        table.add_row(d["target"], d["format"], d["precision"], d["description"])
    out.print(table)
