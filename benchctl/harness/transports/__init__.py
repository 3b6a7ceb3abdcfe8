"""Host ↔ device transports: one interface (push, pull, run, launch app, facts, logs) for local,
ssh, adb and ios. Each transport imports its client library only when it is built."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchctl import config
from benchctl.errors import ConfigError
from benchctl.harness.transports.base import (
    AppTarget,
    Completed,
    Transport,
    TransportCapabilities,
)
from benchctl.harness.transports.local import LocalTransport

if TYPE_CHECKING:
    from benchctl.harness.devices import Device

_SSH_OPTIONS = ("port", "key", "known_hosts", "python", "runner", "root", "connect_timeout")
_ADB_OPTIONS = ("mode", "key", "server_host", "server_port", "root", "app", "auth_timeout")
_IOS_OPTIONS = ("tool", "executable", "app", "tunneld")


def make_transport(device: Device) -> Transport:
    """The transport that reaches `device`, its transfers retried (bounded) when they drop."""
    from benchctl.harness.retry import RetryingTransport

    return RetryingTransport(connect_transport(device))  # type: ignore[return-value]


def connect_transport(device: Device) -> Transport:
    """The bare transport for `device` (its client library is imported here)."""
    opts = device.options
    if device.transport == "local":
        return LocalTransport(config.home() / "work", accelerator=device.accelerator)
    if device.transport == "ssh":
        from benchctl.harness.transports.ssh import SshTransport

        return SshTransport(
            str(device.address),
            accelerator=device.accelerator,
            **{k: opts[k] for k in _SSH_OPTIONS if k in opts},
        )
    if device.transport == "adb":
        from benchctl.harness.transports.adb import AdbTransport

        return AdbTransport(str(device.address), **{k: opts[k] for k in _ADB_OPTIONS if k in opts})
    if device.transport == "ios":
        from benchctl.harness.transports.ios import IosTransport

        return IosTransport(str(device.address), **{k: opts[k] for k in _IOS_OPTIONS if k in opts})
    raise ConfigError(
        f"device {device.name!r} uses transport {device.transport!r}; "
        "benchctl has: local, ssh, adb, ios"
    )


__all__ = [
    "AppTarget",
    "Completed",
    "LocalTransport",
    "Transport",
    "TransportCapabilities",
    "connect_transport",
    "make_transport",
]
