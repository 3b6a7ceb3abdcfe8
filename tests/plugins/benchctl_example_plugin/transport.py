"""The `tmpfs` transport kind: this machine, with run folders and the model cache in a folder the
user names, typically RAM-backed (`/dev/shm/benchctl`), so a model is loaded from memory and its
load time is not the disk's. The device's address is that folder.

Everything benchctl needs to know about the kind is the `KIND` below; adding it touched this
module only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from benchctl.errors import ConfigError
from benchctl.harness.transports.base import TransportKind
from benchctl.harness.transports.local import LocalTransport


class TmpfsTransport(LocalTransport):
    name = "tmpfs"

    def facts(self, *, timeout: float) -> dict[str, Any]:
        return {**super().facts(timeout=timeout), "files_root": str(self.root)}


def _check_address(address: str | None) -> None:
    if not (address and os.path.isabs(address) and os.path.isdir(address)):
        raise ConfigError(f"tmpfs {address!r}: give the absolute path of an existing folder")


def _connect(device: Any) -> TmpfsTransport:
    return TmpfsTransport(Path(str(device.address)), accelerator=device.accelerator)


KIND = TransportKind(
    name="tmpfs",
    connect=_connect,
    description="this machine, run folders in a RAM-backed folder (example plugin)",
    check_address=_check_address,
    on_host=True,  # the runner is this installation, started as a child process
    unit_keys=("hostname", "files_root"),
    connect_hint=lambda device: f"check that {device.address} exists and is writable",
    lock_key=lambda device: "host",  # the same machine as every local device
)
