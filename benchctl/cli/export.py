"""`benchctl export …`: runs as files for plots and spreadsheets."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from benchctl.cli._options import DbOpt

app = typer.Typer(help="Export stored runs.", no_args_is_help=True)


@app.command("csv")
def csv_cmd(
    model: Annotated[str | None, typer.Option("--model", "-m", help="Only this model.")] = None,
    device: Annotated[str | None, typer.Option("--device", "-d", help="Only this device.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")
    ] = None,
    db: DbOpt = None,
) -> None:
    """One row per run (latencies in ms, with ns precision), oldest first."""
    from benchctl.results.export import run_to_dict, to_csv
    from benchctl.results.store import ResultStore

    store = ResultStore.open(db)
    rows = store.runs(model=model, device=device, status=status)
    parities = {}
    for r in rows:
        if r.artifact_sha256 and r.artifact_sha256 not in parities:
            art = store.artifact(r.artifact_sha256)
            parities[r.artifact_sha256] = art.parity if art else None
    text = to_csv(run_to_dict(r, parities.get(r.artifact_sha256 or "")) for r in reversed(rows))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)
