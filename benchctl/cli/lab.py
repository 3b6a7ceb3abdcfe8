"""`benchctl lab …`: serve a device from a lab host, and see the lab's devices."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from benchctl.cli._options import DbOpt, JsonOpt
from benchctl.cli._output import Table, emit_json, out, styled

if TYPE_CHECKING:
    from benchctl.harness.request import RunRequest

app = typer.Typer(help="Device lab: Celery workers, one queue per device.", no_args_is_help=True)

BrokerOpt = Annotated[
    str, typer.Option("--broker", help="The lab's Redis URL, e.g. redis://lab-host:6379/0.")
]


@app.command("worker")
def worker_cmd(
    device: Annotated[str, typer.Option("--device", "-d", help="Device this worker serves.")],
    broker: BrokerOpt,
    db: DbOpt = None,
    offline_after: Annotated[
        int, typer.Option("--offline-after", help="Mark the device offline after N failures.")
    ] = 3,
    heartbeat: Annotated[
        float, typer.Option("--heartbeat", help="Seconds between heartbeats (TTL: 3×).")
    ] = 5.0,
    loglevel: Annotated[str, typer.Option("--loglevel", help="Celery log level.")] = "INFO",
) -> None:
    """Run NAME's jobs one at a time and store them in --db (the lab's shared database)."""
    from benchctl import config
    from benchctl.lab.worker import serve

    serve(
        device,
        broker,
        db or config.db_url(None),
        offline_after=offline_after,
        heartbeat_s=heartbeat,
        loglevel=loglevel,
    )


@app.command("status")
def status_cmd(
    broker: BrokerOpt,
    device: Annotated[str | None, typer.Option("--device", "-d", help="Only this device.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Each device's worker, heartbeat, running job, queue length and failure count."""
    from benchctl.lab.client import lab_status

    rows = lab_status(broker, device)
    if json_:
        emit_json({"broker": broker, "devices": rows})
        return
    table = Table("device", "state", "worker", "beat", "job", "queued", "failures",
                  title=f"lab at {broker}")  # fmt: skip
    now = time.time()
    for row in rows:
        worker = row["worker"] or {}
        beat = f"{now - worker['beat_at']:.0f} s ago" if worker else "—"
        job = row["job"]["model"] if row["job"] else "—"
        colour = {"up": "green", "offline": "red"}.get(row["state"], "yellow")
        table.add_row(
            row["device"],
            styled(row["state"], colour),
            f"{worker['host']} pid {worker['pid']}" if worker else "—",
            beat,
            job,
            str(row["queued"]),
            str(row["consecutive_failures"]),
        )
    out.print(table)


def run_on_lab(request: RunRequest, broker: str, db: str | None, json_: bool) -> None:
    """`benchctl run --lab URL`: enqueue `request` (a RunRequest), stream progress, show the row.

    Exit code 1 when the stored run is not `ok`, as a local `benchctl run`.
    """
    from benchctl.cli._output import err
    from benchctl.cli.render import run_table
    from benchctl.lab.client import submit_and_wait
    from benchctl.lab.jobs import request_to_dict

    def show(event: dict) -> None:
        if json_:
            return
        done = f" {event['done']}/{event['total']}" if "done" in event else ""
        err.print(f"{event.get('stage', '')}{done}", highlight=False)

    outcome = submit_and_wait(request_to_dict(request), broker, db, on_progress=show)
    doc = {**outcome.row, "database": outcome.database, "lab_job": outcome.task_id}
    if json_:
        emit_json(doc)
    else:
        out.print(run_table(doc, db_location=outcome.database))
    if outcome.status != "ok":
        raise typer.Exit(1)
