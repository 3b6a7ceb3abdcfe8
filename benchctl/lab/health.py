"""Worker heartbeats, consecutive-failure counts and the offline mark, as Redis keys.

Why a Redis key and not Celery's own heartbeat: `inspect().ping()` broadcasts and waits for
replies, and says nothing per device; a key with a TTL is one GET for `lab status` and for a
client polling its job, and it also makes "one worker per device" enforceable (SET NX).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from benchctl.errors import ConfigError, DependencyMissingError
from benchctl.lab import LabError
from benchctl.runner.contract import codes

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)

PREFIX = "benchctl:lab"
DEVICES_KEY = f"{PREFIX}:devices"
# Failures of the device, its transport or its runner (`x-device-fault` in the contract's
# vocabulary); a bad request (unknown model, a runtime the device lacks, a conversion that fails
# on the host) is not the device's fault.
DEVICE_FAULTS = codes.device_faults()


def key(device: str, what: str) -> str:
    return f"{PREFIX}:device:{device}:{what}"


def check_broker_url(broker: str) -> str:
    if not broker.startswith(("redis://", "rediss://")):
        raise ConfigError(
            f"--broker {broker!r}: the lab needs a Redis URL (redis://host:6379/0); "
            "its heartbeats and offline marks are Redis keys"
        )
    return broker


def connect(broker: str) -> Redis:
    """A Redis client for the broker URL, checked with a PING (one clear line if it fails)."""
    check_broker_url(broker)
    try:
        import redis
    except ModuleNotFoundError:
        raise DependencyMissingError("the lab needs redis: pip install 'benchctl[lab]'") from None
    client = redis.Redis.from_url(broker, socket_connect_timeout=5, socket_timeout=10)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise LabError(
            f"cannot reach the broker at {broker}: {str(exc).rstrip('.')}; "
            "start Redis there or fix --broker"
        ) from None
    return client


def _get_json(r: Redis, name: str) -> dict[str, Any] | None:
    raw = r.get(name)
    return json.loads(raw) if raw else None


def device_state(r: Redis, device: str) -> dict[str, Any]:
    """What `lab status` shows for one device."""
    beat = _get_json(r, key(device, "heartbeat"))
    offline = _get_json(r, key(device, "offline"))
    return {
        "device": device,
        "worker": beat,
        "alive": beat is not None,
        "job": _get_json(r, key(device, "job")),
        "consecutive_failures": int(r.get(key(device, "failures")) or 0),
        "offline": offline,
        "state": "offline" if offline else ("up" if beat else "no worker"),
    }


def known_devices(r: Redis) -> list[str]:
    return sorted(m.decode() if isinstance(m, bytes) else m for m in r.smembers(DEVICES_KEY))


def record_outcome(
    r: Redis, device: str, *, fault: str | None, message: str, offline_after: int
) -> int:
    """Count a device fault (or clear the count after a good run); mark the device offline at
    `offline_after` consecutive faults. Returns the count."""
    if fault is None:
        r.delete(key(device, "failures"))
        return 0
    count = int(r.incr(key(device, "failures")))
    if count >= offline_after and not r.exists(key(device, "offline")):
        mark = {"since": time.time(), "failures": count, "last_error": f"{fault}: {message}"[:500]}
        r.set(key(device, "offline"), json.dumps(mark))
    return count


def reset(r: Redis, device: str) -> None:
    """Forget failures and the offline mark (a worker starting says the device is back)."""
    r.delete(key(device, "failures"), key(device, "offline"))


class Heartbeat:
    """Claims a device for this worker (SET NX) and refreshes the claim every `interval` s."""

    def __init__(self, r: Redis, device: str, *, interval: float, info: dict[str, Any]) -> None:
        if interval <= 0:
            raise ConfigError(f"--heartbeat must be > 0 seconds, got {interval}")
        self.r, self.device, self.interval = r, device, interval
        self.ttl_ms = int(interval * 3000)
        self.token = uuid.uuid4().hex
        self.info = {
            **info,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "token": self.token,
            "since": time.time(),
        }
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="benchctl-heartbeat", daemon=True)

    def _doc(self) -> str:
        return json.dumps({**self.info, "beat_at": time.time()})

    def claim(self) -> None:
        name = key(self.device, "heartbeat")
        if not self.r.set(name, self._doc(), nx=True, px=self.ttl_ms):
            other = _get_json(self.r, name) or {}
            raise LabError(
                f"device {self.device!r} already has a worker (host {other.get('host')}, "
                f"pid {other.get('pid')}); stop it first — one worker per device"
            )
        self.r.sadd(DEVICES_KEY, self.device)
        self._thread.start()

    def _loop(self) -> None:
        from redis import RedisError

        name = key(self.device, "heartbeat")
        while not self._stop.wait(self.interval):
            try:
                current = _get_json(self.r, name)
                if current is not None and current.get("token") != self.token:
                    log.error("another worker took device %s over; heartbeat stops", self.device)
                    return
                self.r.set(name, self._doc(), px=self.ttl_ms)
            except RedisError as exc:  # the broker is back soon, or the key expires and says so
                log.warning("heartbeat for %s failed: %s; retrying", self.device, exc)

    def release(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + 1)
        name = key(self.device, "heartbeat")
        current = _get_json(self.r, name)
        if current is not None and current.get("token") == self.token:
            self.r.delete(name)
