"""The stages every transport kind shares: connect, facts, and a 1 MiB round trip by sha256.

They use only the transport interface (`harness/transports/base.py`), so a kind's own module
adds only what is particular to it (the app, the runner, accelerators, placement).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from benchctl.errors import DependencyMissingError, TransportError
from benchctl.harness.check import STEP_TIMEOUT_S, CheckContext, Stage
from benchctl.harness.devices import Device

ROUND_TRIP_BYTES = 1 << 20


def stages(device: Device) -> list[Stage]:
    return [
        Stage("connect", connect, required=True),
        Stage("facts", facts, required=True),
        Stage("round trip", round_trip, required=True),
    ]


def connect(ctx: CheckContext) -> None:
    from benchctl.harness.doctor import _connect_hint, _install_hint
    from benchctl.harness.transports import make_transport

    try:
        ctx.transport = make_transport(ctx.device)
    except DependencyMissingError as exc:
        ctx.fail(str(exc), _install_hint(ctx.device))
    except TransportError as exc:
        ctx.fail(str(exc), _connect_hint(ctx.device))
    ctx.ok(f"{ctx.device.transport} transport to {ctx.device.address or 'this machine'}")


def facts(ctx: CheckContext) -> None:
    from benchctl.harness.doctor import _connect_hint, split_facts

    try:
        ctx.facts = ctx.transport.facts(timeout=STEP_TIMEOUT_S)
    except TransportError as exc:
        ctx.fail(str(exc), _connect_hint(ctx.device))
    ctx.attach("facts.json", ctx.facts)
    hardware, unit = split_facts(ctx.device.transport, ctx.facts)
    what = hardware.get("model") or hardware.get("board") or hardware.get("cpu") or "unknown"
    ctx.ok(str(what), hardware=hardware, unit=unit)


def round_trip(ctx: CheckContext) -> None:
    """Push 1 MiB of random bytes, pull them back, compare sha256 (and the device's own hash)."""
    payload = os.urandom(ROUND_TRIP_BYTES)
    want = "sha256:" + hashlib.sha256(payload).hexdigest()
    remote_dir = ctx.transport.workdir("devices-check")
    remote = remote_dir.rstrip("/") + "/roundtrip.bin"
    with tempfile.TemporaryDirectory(prefix="benchctl-check-") as tmp:
        src, back = Path(tmp) / "roundtrip.bin", Path(tmp) / "back.bin"
        src.write_bytes(payload)
        try:
            ctx.transport.push(src, remote, timeout=STEP_TIMEOUT_S)
            on_device = ctx.transport.sha256(remote, timeout=STEP_TIMEOUT_S)
            ctx.transport.pull(remote, back, timeout=STEP_TIMEOUT_S)
        except TransportError as exc:
            ctx.fail(f"1 MiB push/pull to {remote}: {exc}", "see the message; then check again")
        finally:
            try:
                ctx.transport.cleanup(remote_dir)
            except TransportError as exc:
                ctx.attach("round_trip_cleanup.txt", str(exc))
        got = "sha256:" + hashlib.sha256(back.read_bytes()).hexdigest()
    if got != want:
        ctx.fail(f"pulled bytes differ: sent {want[:19]}…, got {got[:19]}…", "report this bundle")
    if on_device is not None and on_device != want:
        ctx.fail(f"the device hashes the file as {on_device[:19]}…", "report this bundle")
    ctx.ok(f"1 MiB pushed and pulled back, sha256 equal{'' if on_device else ' (pulled copy)'}")
