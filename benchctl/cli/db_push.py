"""`benchctl db push --to URL`: merge this project's results into a team database."""

from __future__ import annotations

from typing import Annotated

import typer

from benchctl.cli._options import DbOpt, JsonOpt
from benchctl.cli._output import emit_json, err, out


def push_cmd(
    to: Annotated[
        str,
        typer.Option(
            "--to", help="Team database URL (postgresql://user@host/db) or an SQLite path."
        ),
    ],
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size",
            help="Runs per transaction on the target (into a new database: one transaction).",
        ),
    ] = 5000,  # results.sync.BATCH_SIZE
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Copy every run the team database lacks (with samples and artifacts); safe to repeat."""
    from benchctl.results.sync import PushReport, push

    def on_batch(report: PushReport) -> None:
        if not json_:
            err.print(
                f"batch {report.batches}: {report.runs_copied} copied, "
                f"{report.runs_skipped} already there",
                highlight=False,
            )

    from benchctl.harness.limits import check_count

    check_count("--batch-size", batch_size)
    report = push(db, to, batch_size=batch_size, on_batch=on_batch)
    if json_:
        emit_json(report.to_json())
        return
    out.print(
        f"{report.source} → {report.target}: {report.runs_copied} runs copied "
        f"({report.samples_copied} with samples, {report.artifacts_copied} new artifacts), "
        f"{report.runs_skipped} already there; {report.accuracy_copied} measured accuracies "
        f"copied, {report.accuracy_skipped} already there",
        highlight=False,
    )
