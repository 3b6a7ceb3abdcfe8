"""`benchctl devices …`: the device inventory."""

from __future__ import annotations

import typer
from rich.table import Table

from benchctl.cli._options import JsonOpt
from benchctl.cli._output import emit_json, out

app = typer.Typer(help="The devices benchctl can run on.", no_args_is_help=True)


@app.command("list")
def list_cmd(json_: JsonOpt = False) -> None:
    """List known devices."""
    from benchctl.harness.devices import DEVICES

    devices = [DEVICES.get(n) for n in DEVICES.names()]
    docs = [
        {
            "name": d.name,
            "transport": d.transport,
            "address": d.address,
            "description": d.description,
            "runtimes": list(d.runtimes),
            "default_runtime": d.default_runtime,
            "hardware_class": d.hardware_class(),
        }
        for d in devices
    ]
    if json_:
        emit_json(docs)
        return
    table = Table("device", "transport", "runtimes", "hardware")
    for d in docs:
        hw = d["hardware_class"]
        table.add_row(
            d["name"],
            d["transport"],
            ", ".join(d["runtimes"]),
            f"{hw.get('cpu', '?')} ({hw.get('cpu_count', '?')} cores, {hw.get('machine', '?')})",
        )
    out.print(table)
