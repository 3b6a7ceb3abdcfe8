"""`devices check` stages for this machine (`host`) and its local GPU or Coral devices.

The runner is this benchctl, run as its own process (`check/runner.py`: runner version, the tiny
model per runtime, accelerators). Discovery here looks for both kinds of accelerator whatever the
device names, so `devices check host` also says what `devices add --local --accelerator` could use.
"""

from __future__ import annotations

from benchctl.harness.check import CheckContext, Stage, runner
from benchctl.harness.devices import Device


def stages(device: Device) -> list[Stage]:
    return [*runner.stages(device)[:-1], Stage("accelerators", accelerators)]


def accelerators(ctx: CheckContext) -> None:
    from benchctl.harness.discovery import local_corals, local_gpus

    if "gpus" not in ctx.facts:
        gpus, why = local_gpus()
        ctx.facts["gpus"] = [g.to_json() for g in gpus]
        if why and ctx.device.accelerator != "edgetpu":
            ctx.facts.setdefault("accelerator_problem", why)
    if "corals" not in ctx.facts:
        corals, why = local_corals()
        ctx.facts["corals"] = [c.to_json() for c in corals]
        if why and ctx.device.accelerator == "edgetpu":
            ctx.facts.setdefault("accelerator_problem", why)
    runner.accelerators(ctx)
