"""Host ↔ device transports: one interface (push, pull, run) for local, ssh, adb and ios."""

from benchctl.harness.transports.base import Completed, Transport
from benchctl.harness.transports.local import LocalTransport

__all__ = ["Completed", "LocalTransport", "Transport"]
