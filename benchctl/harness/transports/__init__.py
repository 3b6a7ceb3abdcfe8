"""Host ↔ device transports: one interface (push, pull, run, launch app, facts, logs) for local,
ssh, adb, ios and any a plugin adds. Each kind is one module declaring its `TransportKind`
(`base.py`), registered in `KINDS` through the `benchctl.transports` entry points
(`benchctl/plugins.py`); it imports its client library only when a transport is built."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchctl.errors import ConfigError
from benchctl.harness.transports.base import (
    AppDefaults,
    AppTarget,
    Completed,
    Transport,
    TransportCapabilities,
    TransportKind,
)
from benchctl.harness.transports.local import LocalTransport
from benchctl.registry import Registry

if TYPE_CHECKING:
    from benchctl.harness.devices import Device

KINDS: Registry[TransportKind] = Registry(
    "transport", group="benchctl.transports", entry_type=TransportKind
)


def get_kind(name: str) -> TransportKind:
    """The kind named by an inventory's `transport = …`; unknown names raise (exit 2)."""
    return KINDS.get(name)


def make_transport(device: Device) -> Transport:
    """The transport that reaches `device`, its transfers retried (bounded) when they drop."""
    from benchctl.harness.retry import RetryingTransport

    return RetryingTransport(connect_transport(device))


def connect_transport(device: Device) -> Transport:
    """The bare transport for `device` (its client library is imported here)."""
    kind = KINDS.get_or_none(device.transport)
    if kind is None:
        raise ConfigError(
            f"device {device.name!r} uses transport {device.transport!r}; "
            f"benchctl has: {', '.join(KINDS.names())}"
        )
    return kind.connect(device)


__all__ = [
    "KINDS",
    "AppDefaults",
    "AppTarget",
    "Completed",
    "LocalTransport",
    "Transport",
    "TransportCapabilities",
    "TransportKind",
    "connect_transport",
    "get_kind",
    "make_transport",
]
