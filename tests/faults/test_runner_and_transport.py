"""Faults during a run: the runner SIGKILLed while it iterates, a transfer that drops halfway.
Each leaves a status row and no samples, and the next run works."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from benchctl import config
from benchctl.errors import TransportError
from benchctl.harness import lifecycle
from benchctl.harness.retry import RetryingTransport, RetryPolicy, with_retries
from benchctl.harness.run import RunRequest, run_benchmark
from benchctl.harness.transports.base import Completed
from benchctl.harness.transports.local import LocalTransport
from benchctl.results.store import ResultStore
from benchctl.runner import contract


def _runner_children() -> list[int]:
    """Pids of benchctl runners whose parent is this test process."""
    me, found = os.getpid(), []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (proc / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked: not ours to kill anyway
        if ppid == me and b"benchctl.runner" in cmd:
            found.append(int(proc.name))
    return found


class KillRunnerWhileTiming:
    """RunHooks that SIGKILL the runner at its first timed-progress line."""

    def __init__(self) -> None:
        self.killed: list[int] = []
        self.done_at_kill = 0

    def stage(self, text: str) -> None:
        return None

    def progress(self, phase: str, done: int, total: int) -> None:
        if phase == "timed" and not self.killed:
            self.killed = _runner_children()
            self.done_at_kill = done
            for pid in self.killed:
                os.kill(pid, signal.SIGKILL)


def test_runner_killed_mid_run_is_a_status_row_without_samples(cached_home, figures):
    store = ResultStore.open()
    hooks = KillRunnerWhileTiming()
    req = RunRequest(model="test_mobileone", iterations=5_000_000, warmup=1)
    outcome = run_benchmark(req, store, hooks)
    assert len(hooks.killed) == 1 and 0 < hooks.done_at_kill < 5_000_000
    row = store.run(outcome.record.run_id)
    assert (row.status, row.error_code) == ("error", "RUNNER_NO_RESULT")
    assert "exited with code -9" in row.error_message
    assert row.sample_count == 0 and row.median_ns is None
    assert store.samples(row.run_id) == []
    nxt = run_benchmark(RunRequest(model="test_mobileone", iterations=20, warmup=1), store)
    assert nxt.record.status == "ok" and len(store.samples(nxt.record.run_id)) == 20
    assert len(store.runs()) == 2
    figures(fault="runner SIGKILL mid-run", injected=1, survived=1, rows=2, samples_lost=0)


class DroppingTransport(LocalTransport):
    """A local transport whose model push writes half the file, then the link drops."""

    def __init__(self, root: Path, drops: int) -> None:
        super().__init__(root)
        self.drops = drops
        self.dropped = 0

    def push(self, local: Path, remote: str, *, timeout: float) -> None:
        if Path(local).suffix == ".onnx" and self.dropped < self.drops:
            self.dropped += 1
            data = Path(local).read_bytes()
            dst = Path(remote)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.unlink(missing_ok=True)
            dst.write_bytes(data[: len(data) // 2])
            raise TransportError(f"connection reset after {len(data) // 2} of {len(data)} bytes")
        super().push(local, remote, timeout=timeout)


def _install(monkeypatch, drops: int) -> list[RetryingTransport]:
    """A dropping link under the production factory: `make_transport` must add the retries."""
    import benchctl.harness.retry as retry
    import benchctl.harness.transports as transports

    made: list[RetryingTransport] = []
    monkeypatch.setattr(retry, "RetryPolicy", lambda: RetryPolicy(attempts=3, backoff_s=0))
    monkeypatch.setattr(
        transports,
        "connect_transport",
        lambda device: DroppingTransport(config.home() / "work", drops),
    )

    def make(device):
        transport = transports.make_transport(device)
        assert isinstance(transport, RetryingTransport)
        made.append(transport)
        return transport

    monkeypatch.setattr(lifecycle, "make_transport", make)
    return made


def test_a_transfer_that_drops_is_retried_then_becomes_a_status_row(
    cached_home, monkeypatch, figures
):
    store = ResultStore.open()
    req = RunRequest(model="test_mobileone", iterations=20, warmup=1)

    made = _install(monkeypatch, drops=2)  # two drops, three attempts: the run succeeds
    ok = run_benchmark(req, store)
    assert ok.record.status == "ok" and made[0].retries == 2
    assert made[0].inner.dropped == 2

    shutil.rmtree(config.home() / "work" / "models")  # a fresh device: the model must travel
    made = _install(monkeypatch, drops=99)  # the link never holds: bounded, then a status row
    failed = run_benchmark(req, store)
    row = store.run(failed.record.run_id)
    assert (row.status, row.error_code) == ("error", "TRANSPORT_FAILED")
    assert "failed 3 times" in row.error_message and "connection reset" in row.error_message
    assert made[0].inner.dropped == 3 and store.samples(row.run_id) == []

    made = _install(monkeypatch, drops=0)  # the half-written model left on the device is
    again = run_benchmark(req, store)  # caught by its sha256 and pushed again
    assert again.record.status == "ok" and again.record.environment["host"]["model_pushed"]
    assert [r.status for r in store.runs()].count("ok") == 2
    figures(fault="transfer drops mid-push", injected=2 + 3, survived=5, retries_bounded_at=3)


def test_retry_policy_is_bounded_and_backs_off():
    slept: list[float] = []
    calls = []

    def flaky():
        calls.append(1)
        raise TransportError("link down")

    policy = RetryPolicy(attempts=4, backoff_s=0.5, max_backoff_s=1.0, sleep=slept.append)
    with pytest.raises(TransportError, match="failed 4 times; last: link down"):
        with_retries("push x", flaky, policy)
    assert len(calls) == 4 and slept == [0.5, 1.0, 1.0]
    with pytest.raises(ValueError):  # only transport failures are retried
        with_retries("push x", lambda: int("x"), policy)
    assert len(slept) == 3


class HostileRunnerTransport(LocalTransport):
    """Runs no runner: writes a hostile result document where the runner's result would be."""

    def __init__(self, root: Path, body: bytes) -> None:
        super().__init__(root)
        self.body = body

    def run(self, argv, *, timeout, on_line=None):
        if "benchctl.runner" not in argv:
            return super().run(argv, timeout=timeout, on_line=on_line)
        spec = json.loads(Path(argv[-1]).read_text())
        body = self.body.replace(b"RUN_ID", spec["run_id"].encode())
        body = body.replace(b"MODEL_SHA", spec["model"]["sha256"].encode())
        (Path(argv[-1]).parent / spec["output"]["result_path"]).write_bytes(body)
        return Completed(0, "", "")


def _hostile_bodies() -> dict[str, bytes]:
    golden = json.loads((contract.EXAMPLES / "result.json").read_text())
    golden["run_id"], golden["model_sha256"] = "RUN_ID", "MODEL_SHA"
    golden["timing_ns"]["samples"] = [1000] * 20
    ok = json.dumps(golden)
    return {
        "wrong run id": ok.replace("RUN_ID", "0" * 32).encode(),
        "NaN sample": ok.replace("[1000, ", "[NaN, ", 1).encode(),
        "load beyond 64 bits": ok.replace('"load": 20476076', f'"load": {2**64}').encode(),
        "truncated": ok.encode()[: len(ok) // 2],
        "negative sample": ok.replace("[1000, ", "[-1000, ", 1).encode(),
    }


@pytest.mark.parametrize("case", sorted(_hostile_bodies()))
def test_a_hostile_result_is_a_status_row_and_never_stored(cached_home, monkeypatch, case):
    body = _hostile_bodies()[case]
    monkeypatch.setattr(
        lifecycle, "make_transport", lambda d: HostileRunnerTransport(config.home() / "work", body)
    )
    store = ResultStore.open()
    outcome = run_benchmark(RunRequest(model="test_mobileone", iterations=20, warmup=1), store)
    row = store.run(outcome.record.run_id)
    assert (row.status, row.error_code) == ("error", "INVALID_RESULT")
    assert row.sample_count == 0 and store.samples(row.run_id) == [] and row.result is None
