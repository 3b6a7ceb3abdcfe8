"""`benchctl lab worker`: serve one device's queue until stopped (Ctrl-C / SIGTERM: warm stop)."""

from __future__ import annotations

import signal
import sys
from types import FrameType

from benchctl.errors import ConfigError

DEFAULT_OFFLINE_AFTER = 3
DEFAULT_HEARTBEAT_S = 5.0


def serve(
    device: str,
    broker: str,
    db: str,
    *,
    offline_after: int = DEFAULT_OFFLINE_AFTER,
    heartbeat_s: float = DEFAULT_HEARTBEAT_S,
    loglevel: str = "INFO",
) -> None:
    """Check everything first (device, database, broker, no other worker), then consume."""
    from benchctl.harness.devices import get_device
    from benchctl.lab import health
    from benchctl.lab.celery_app import make_app
    from benchctl.lab.jobs import queue_name
    from benchctl.results.sync import open_store

    if offline_after < 1:
        raise ConfigError(f"--offline-after must be ≥ 1, got {offline_after}")
    get_device(device)  # an unknown name fails here, with close matches
    store = open_store(db, create=True, role="--db")
    r = health.connect(broker)
    app = make_app(broker, worker={"device": device, "db_url": db, "offline_after": offline_after})
    beat = health.Heartbeat(
        r, device, interval=heartbeat_s, info={"db": store.location, "queue": queue_name(device)}
    )
    # Until Celery installs its own handlers, SIGTERM must still run the `finally` below, or the
    # device would look served for one more heartbeat TTL.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    beat.claim()
    health.reset(r, device)
    try:
        app.worker_main(
            [
                "worker",
                "--queues",
                queue_name(device),
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "--hostname",
                f"{device}@%h",
                "--without-mingle",
                "--without-gossip",
                f"--loglevel={loglevel}",
            ]
        )
    finally:
        beat.release()


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    sys.exit(128 + signum)
