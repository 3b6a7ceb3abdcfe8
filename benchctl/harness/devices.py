"""The device inventory: friendly names → how to reach the device and what hardware it is.

The hardware class (manufacturer, model, SoC/CPU, accelerators) is what makes results comparable
across units; the unit identity (hostname, serial) is recorded separately. `host` — this machine,
through the `local` transport — is built in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from benchctl.registry import Registry


@dataclass(frozen=True)
class Device:
    name: str
    transport: str  # local, ssh, adb, ios
    address: str | None = None
    description: str = ""
    runtimes: tuple[str, ...] = ("onnxruntime",)
    default_runtime: str = "onnxruntime"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def hardware_class(self) -> dict[str, Any]:
        if self.transport == "local":
            return host_hardware_class()
        return dict(self.extra.get("hardware_class", {}))


@cache
def host_hardware_class() -> dict[str, Any]:
    from benchctl.harness.runner.facts import device_facts

    facts = device_facts()
    return {
        "platform": facts["platform"],
        "machine": facts["machine"],
        "cpu": facts["cpu"],
        "cpu_count": facts["cpu_count"],
        "accelerators": [],
    }


DEVICES: Registry[Device] = Registry("device")
DEVICES.add("host", Device("host", "local", description="this machine's CPU"))


def get_device(name: str) -> Device:
    return DEVICES.get(name)
