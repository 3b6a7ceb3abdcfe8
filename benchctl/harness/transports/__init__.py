"""Host ↔ device transports: one interface (push, pull, run) for local, ssh, adb and ios."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchctl import config
from benchctl.errors import ConfigError
from benchctl.harness.transports.base import Completed, Transport
from benchctl.harness.transports.local import LocalTransport

if TYPE_CHECKING:
    from benchctl.harness.devices import Device


def make_transport(device: Device) -> Transport:
    """The transport that reaches `device`."""
    if device.transport == "local":
        return LocalTransport(config.home() / "work")
    raise ConfigError(
        f"device {device.name!r} uses transport {device.transport!r}, "
        "which this benchctl does not have yet"
    )


__all__ = ["Completed", "LocalTransport", "Transport", "make_transport"]
