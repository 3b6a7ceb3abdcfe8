"""Bounded retries for transfers that drop (a USB cable, Wi-Fi adb, an SSH link to a board).

Only *idempotent* steps are retried: pushing a file (it is written again from the start), pulling
one, hashing one. Starting the runner or an app is never retried here: a second launch could
measure twice; a failed launch is a status row. After the last attempt the `TransportError`
propagates and `harness/lifecycle.py` turns it into a `TRANSPORT_FAILED` status row whose message
says how many attempts were made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from benchctl.errors import TransportError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # in all, the first included
    backoff_s: float = 0.5  # before the 2nd attempt; doubled each time, capped at max_backoff_s
    max_backoff_s: float = 8.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def delays(self) -> list[float]:
        return [min(self.backoff_s * 2**i, self.max_backoff_s) for i in range(self.attempts - 1)]


def with_retries(
    what: str,
    fn: Callable[[], T],
    policy: RetryPolicy | None = None,
    on_retry: Callable[[int, TransportError], None] | None = None,
) -> T:
    """Call `fn` until it succeeds or `policy.attempts` calls raised TransportError."""
    policy = policy or RetryPolicy()
    delays = policy.delays()
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn()
        except TransportError as exc:
            if attempt == policy.attempts:
                raise TransportError(f"{what} failed {attempt} times; last: {exc}") from exc
            if on_retry is not None:
                on_retry(attempt, exc)
            policy.sleep(delays[attempt - 1])
    raise AssertionError("unreachable: the loop returns or raises")


class RetryingTransport:
    """Any transport, with push/pull/sha256 retried under `policy`; everything else passes."""

    def __init__(
        self,
        inner: Any,
        policy: RetryPolicy | None = None,
        on_retry: Callable[[str, int, TransportError], None] | None = None,
    ) -> None:
        self.inner, self.policy, self._on_retry = inner, policy or RetryPolicy(), on_retry
        self.retries = 0  # transfers that were tried again, in all

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _retry(self, what: str, fn: Callable[[], T]) -> T:
        def note(attempt: int, exc: TransportError) -> None:
            self.retries += 1
            if self._on_retry is not None:
                self._on_retry(what, attempt, exc)

        return with_retries(what, fn, self.policy, note)

    def push(self, local: Path, remote: str, *, timeout: float) -> None:
        name = Path(local).name
        self._retry(f"push {name}", lambda: self.inner.push(local, remote, timeout=timeout))

    def pull(self, remote: str, local: Path, *, timeout: float) -> None:
        self._retry(f"pull {remote}", lambda: self.inner.pull(remote, local, timeout=timeout))

    def sha256(self, remote: str, *, timeout: float) -> str | None:
        return self._retry(f"hash {remote}", lambda: self.inner.sha256(remote, timeout=timeout))
