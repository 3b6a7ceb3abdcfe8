"""`benchctl devices …`: the device inventory (add, list, show, remove) and `doctor`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text

from benchctl.cli._options import JsonOpt
from benchctl.cli._output import Table, emit_json, err, out, styled
from benchctl.errors import BenchError, ConfigError

app = typer.Typer(help="The devices benchctl can run on.", no_args_is_help=True)


@app.command("list")
def list_cmd(json_: JsonOpt = False) -> None:
    """List known devices (built in, the user's file, the project's file)."""
    from benchctl.harness.devices import inventory

    docs = [d.to_json() for d in inventory().values()]
    if json_:
        emit_json(docs)
        return
    table = Table("device", "transport", "address", "runtimes", "hardware")
    for d in docs:
        hw = d["hardware_class"]
        what = hw.get("model") or hw.get("board") or hw.get("cpu") or "not probed yet"
        extra = ", ".join(hw.get("accelerators") or [])
        table.add_row(
            d["name"],
            d["transport"] + (f" ({d['accelerator']})" if d["accelerator"] else ""),
            d["address"] or "",
            ", ".join(d["runtimes"]),
            what + (f" + {extra}" if extra else ""),
        )
    out.print(table)


@app.command("show")
def show_cmd(name: str, json_: JsonOpt = False) -> None:
    """Show one device: address, options, gates, hardware class and unit identity."""
    from benchctl.harness.devices import get_device

    doc = get_device(name).to_json()
    if json_:
        emit_json(doc)
        return
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in doc.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "—"
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        table.add_row(key, str(value) if value not in (None, "") else "—")
    out.print(table)


@app.command("add")
def add_cmd(
    name: Annotated[str, typer.Argument(help="A short name, e.g. pi5, pixel8, iphone12.")],
    ssh: Annotated[str | None, typer.Option("--ssh", help="user@host[:port]")] = None,
    adb: Annotated[str | None, typer.Option("--adb", help="adb serial, or host:port")] = None,
    ios: Annotated[str | None, typer.Option("--ios", help="the iPhone's UDID")] = None,
    local: Annotated[bool, typer.Option("--local", help="this machine")] = False,
    transport: Annotated[
        str | None,
        typer.Option("--transport", help="any transport kind, a plugin's too (with --address)"),
    ] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="the device's address for --transport")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", help="a transport option KEY=VALUE (repeat)"),
    ] = None,
    accelerator: Annotated[
        str | None, typer.Option("--accelerator", help="edgetpu or cuda (local/ssh)")
    ] = None,
    runtime: Annotated[
        list[str] | None,
        typer.Option("--runtime", help="Runtimes it runs (repeat); the first is the default."),
    ] = None,
    description: Annotated[str, typer.Option("--description")] = "",
    key: Annotated[str | None, typer.Option("--key", help="ssh/adb private key file")] = None,
    known_hosts: Annotated[
        str | None, typer.Option("--known-hosts", help="ssh known_hosts file")
    ] = None,
    python: Annotated[
        str | None, typer.Option("--python", help="the board's Python (default python3)")
    ] = None,
    runner: Annotated[
        str | None, typer.Option("--runner", help="push (default) or installed")
    ] = None,
    root: Annotated[
        str | None, typer.Option("--root", help="folder for benchctl's files on the device")
    ] = None,
    adb_mode: Annotated[
        str | None, typer.Option("--adb-mode", help="auto (default), server or direct")
    ] = None,
    ios_tool: Annotated[
        str | None, typer.Option("--ios-tool", help="pymobiledevice3 (default) or devicectl")
    ] = None,
    app_id: Annotated[
        str | None, typer.Option("--app", help="companion app package / bundle id")
    ] = None,
    max_temp_c: Annotated[
        float | None, typer.Option("--max-temp-c", help="wait until the hottest sensor is ≤ this")
    ] = None,
    max_thermal: Annotated[
        str | None, typer.Option("--max-thermal", help="highest thermal status to start at")
    ] = None,
    min_battery_pct: Annotated[
        float | None, typer.Option("--min-battery-pct", help="refuse below this (default 25)")
    ] = None,
    cooldown_timeout_s: Annotated[
        float | None, typer.Option("--cooldown-timeout-s", help="give up cooling after this")
    ] = None,
    project: Annotated[
        bool, typer.Option("--project", help="store in this project's .benchctl/devices.toml")
    ] = False,
    probe: Annotated[
        bool, typer.Option("--probe/--no-probe", help="read its hardware class now")
    ] = True,
    json_: JsonOpt = False,
) -> None:
    """Add a device; it is probed once to record its hardware class and unit identity."""
    from benchctl.harness.devices import kind, new_device, save_device, update_device

    chosen: list[tuple[str, str | None]] = [
        (t, a) for t, a in (("ssh", ssh), ("adb", adb), ("ios", ios)) if a is not None
    ]
    if local:
        chosen.append(("local", None))
    if transport is not None:
        chosen.append((transport, address))
    elif address is not None:
        raise ConfigError("--address goes with --transport KIND")
    if len(chosen) != 1:
        raise ConfigError(
            "give exactly one of --ssh USER@HOST, --adb SERIAL, --ios UDID, --local, "
            "--transport KIND --address ADDRESS"
        )
    transport, address = chosen[0]
    for flag, value, owner, option_key in (  # the allowed values are the kinds' own
        ("--runner", runner, "ssh", "runner"),
        ("--adb-mode", adb_mode, "adb", "mode"),
        ("--ios-tool", ios_tool, "ios", "tool"),
    ):
        allowed = kind(owner).choices[option_key]
        if value is not None and value not in allowed:
            raise ConfigError(f"{flag} {value!r}: use {' or '.join(allowed)}")
    options = {
        "key": key,
        "known_hosts": known_hosts,
        "python": python,
        "runner": runner,
        "root": root,
        "mode": adb_mode,
        "tool": ios_tool,
        "app": app_id,
        **_parse_options(transport, option or []),
    }
    gates = {
        "max_temp_c": max_temp_c,
        "max_thermal": max_thermal,
        "min_battery_pct": min_battery_pct,
        "cooldown_timeout_s": cooldown_timeout_s,
    }
    device = new_device(
        name,
        transport,
        address,
        accelerator=accelerator,
        runtimes=tuple(runtime or ()),
        description=description,
        options=options,
        gates=gates,
    )
    path = save_device(device, project=project)
    probed = None
    if probe:
        from benchctl.harness.devices import get_device
        from benchctl.harness.doctor import split_facts
        from benchctl.harness.transports import make_transport

        device = get_device(name)
        try:
            link = make_transport(device)
            try:
                facts = link.facts(timeout=60)
            finally:
                link.close()
            hardware, unit = split_facts(device.transport, facts)
            if kind(device.transport).on_host:  # its class is built in; add the accelerator
                hardware = {"accelerators": hardware["accelerators"]} if device.accelerator else {}
            device = update_device(device, hardware=hardware, unit=unit)
            probed = True
        except BenchError as exc:  # the entry stays; the warning says how to look closer
            probed = False
            err.print(
                f"[yellow]warning:[/] saved {name}, but could not probe it: {escape(str(exc))}; "
                f"run: benchctl devices doctor {name}",
                highlight=False,
            )
    doc = {**device.to_json(), "file": str(path), "probed": probed}
    if json_:
        emit_json(doc)
    else:
        out.print(f"added [bold]{name}[/] ({transport}) to {escape(str(path))}")


@app.command("remove")
def remove_cmd(name: str, json_: JsonOpt = False) -> None:
    """Remove a device from the inventory file that defines it."""
    from benchctl.harness.devices import remove_device

    path = remove_device(name)
    if json_:
        emit_json({"removed": name, "file": str(path)})
    else:
        out.print(f"removed [bold]{name}[/] from {escape(str(path))}")


@app.command("doctor")
def doctor_cmd(
    name: str,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="store the probed hardware class")
    ] = True,
    json_: JsonOpt = False,
) -> None:
    """Check everything a run on NAME needs; say how to fix what is missing (exit 1 if any)."""
    from benchctl.harness.devices import get_device, kind, update_device
    from benchctl.harness.doctor import diagnose

    device = get_device(name)
    report = diagnose(device)
    if save and report.hardware and not kind(device.transport).on_host:
        update_device(device, hardware=report.hardware, unit=report.unit)
    if json_:
        emit_json(report.to_json())
    else:
        table = Table("check", "", "found", "fix")
        for c in report.checks:
            mark = (
                styled("ok", "green")
                if c.ok
                else styled("tune", "yellow")
                if c.advisory
                else styled("FAIL", "red")
            )
            table.add_row(c.name, mark, c.detail, c.fix or "")
        out.print(table)
    if not report.ok:
        raise typer.Exit(1)


@app.command("check")
def check_cmd(
    name: str,
    bundle: Annotated[
        str | None,
        typer.Option(
            "--bundle", help="write a zip (stages, facts, logs, documents) for a bug report"
        ),
    ] = None,
    iterations: Annotated[
        int, typer.Option("--iterations", min=1, max=1000, help="timed iterations per runtime")
    ] = 20,
    json_: JsonOpt = False,
) -> None:
    """Walk the whole path a run takes on NAME, stage by stage (exit 1 if a stage fails)."""
    from pathlib import Path

    from benchctl.harness.check import run_check
    from benchctl.harness.devices import get_device

    device = get_device(name)
    marks = {
        "ok": "[green]ok[/]",
        "warn": "[yellow]warn[/]",
        "fail": "[red]FAIL[/]",
        "skip": "skip",
    }

    def show(r) -> None:
        if not json_:
            line = f"{marks[r.status]} {escape(r.name)}: {escape(r.detail)}"
            if r.fix and r.status in ("fail", "warn"):
                line += f"\n     fix: {escape(r.fix)}"
            err.print(line, highlight=False)

    report = run_check(device, on_stage=show, tiny_iterations=iterations)
    path = report.write_bundle(Path(bundle)) if bundle else None
    if json_:
        emit_json({**report.to_json(), "bundle": str(path) if path else None})
    else:
        table = Table("stage", "", "found", "fix", "s")
        for r in report.results:
            table.add_row(  # plain text cells (cli._output.Table): shown as written
                r.name,
                Text.from_markup(marks[r.status]),
                r.detail,
                r.fix or "",
                f"{r.seconds:.1f}",
            )
        out.print(table)
        if path:
            out.print(f"bundle: {escape(str(path))}")
    if not report.ok:
        raise typer.Exit(1)


def _parse_options(transport: str, items: list[str]) -> dict[str, object]:
    """`--option KEY=VALUE` for the kind's own options; a value is read as TOML when it parses
    (22 → an int, true → a bool) and kept as text otherwise."""
    import tomllib

    from benchctl.harness.devices import kind

    known = kind(transport).options
    options: dict[str, object] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--option {item!r}: write it as KEY=VALUE")
        if key not in known:
            raise ConfigError(
                f"--option {key}: transport {transport} takes {', '.join(known) or 'no options'}"
            )
        try:
            options[key] = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            options[key] = text
    return options
