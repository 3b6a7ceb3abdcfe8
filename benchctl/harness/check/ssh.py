"""`devices check` stages for ssh boards (Raspberry Pi, Jetson, a Linux box with a GPU or Coral).

After the common connect/facts/round trip: which host key the connection was verified against
(never unverified: asyncssh checks known_hosts), then the Python runner's stages
(`check/runner.py`: runner version, the tiny model per runtime, GPU/Coral discovery).
"""

from __future__ import annotations

from benchctl.harness.check import CheckContext, Stage, runner
from benchctl.harness.devices import Device


def stages(device: Device) -> list[Stage]:
    return [Stage("host key", host_key, required=True), *runner.stages(device)]


def host_key(ctx: CheckContext) -> None:
    fingerprint, source = ctx.transport.host_key()
    if fingerprint is None:
        ctx.fail(
            "the server presented no host key to verify",
            f"connect once with `ssh -p {ctx.transport.port} {ctx.transport.host}` to check it",
        )
    ctx.ok(f"{fingerprint}, verified against {source}", fingerprint=fingerprint, source=source)
