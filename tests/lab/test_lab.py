"""The device lab end to end: a real Redis, real Celery workers (`benchctl lab worker`
subprocesses), results in a real PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from benchctl.errors import ConfigError
from benchctl.lab import LabError, health
from benchctl.lab.client import lab_status, submit_and_wait
from benchctl.results.store import ResultStore

pytest.importorskip("celery", reason="pip install 'benchctl[lab]'")

BROKEN_BOARD = """
[devices.brokenboard]
transport = "ssh"
address = "pi@127.0.0.1:{port}"
runtimes = ["onnxruntime"]
[devices.brokenboard.options]
connect_timeout = 3
"""


class Worker:
    """`benchctl lab worker` in its own process group, stopped (SIGTERM, then SIGKILL) after."""

    def __init__(self, home: Path, device: str, broker: str, db: str, *extra: str) -> None:
        self.home = home
        env = {
            **os.environ,
            "BENCHCTL_HOME": str(home),
            "BENCHCTL_CONFIG_DIR": str(home / "config"),
        }
        argv = [sys.executable, "-m", "benchctl", "lab", "worker", "--device", device,
                "--broker", broker, "--db", db, "--heartbeat", "0.5", "--loglevel", "WARNING",
                *extra]  # fmt: skip
        self.log = open(home / f"worker-{device}-{time.monotonic_ns()}.log", "w+")
        self.proc = subprocess.Popen(
            argv, cwd=home.parent, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.device, self.broker = device, broker

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()

    def wait_ready(self, timeout: float = 60) -> Worker:
        r = health.connect(self.broker)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited {self.proc.returncode}: {self.output()}")
            beat = r.get(health.key(self.device, "heartbeat"))
            if beat and json.loads(beat)["pid"] == self.proc.pid:
                return self
            time.sleep(0.1)
        raise AssertionError(f"worker not ready in {timeout} s: {self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def _home(root: Path, shared_home: Path, board_port: int | None = None) -> Path:
    home = root / ".benchctl"
    shutil.copytree(shared_home / "artifacts", home / "artifacts")
    if board_port is not None:
        (home / "devices.toml").write_text(BROKEN_BOARD.format(port=board_port))
    return home


@pytest.fixture(scope="module")
def host_lab(tmp_path_factory, tiny_artifact, shared_home, redis_server, postgres_server):
    """One worker for `host`, its results in a PostgreSQL database of the module's own."""
    postgres_server.admin("create database lab_host")
    db = postgres_server.url("lab_host")
    broker = redis_server.url(1)
    home = _home(tmp_path_factory.mktemp("labhost"), shared_home)
    worker = Worker(home, "host", broker, db)
    try:
        worker.wait_ready()
        yield worker, broker, db
    finally:
        worker.stop()
        postgres_server.admin("drop database lab_host with (force)")


def test_a_job_streams_progress_and_lands_in_the_shared_database(host_lab):
    worker, broker, db = host_lab
    events: list[dict] = []
    job = {"model": "test_mobileone", "device": "host", "iterations": 100_000, "warmup": 5}
    outcome = submit_and_wait(job, broker, db, events.append, timeout=120, poll_s=0.05)
    assert outcome.status == "ok", outcome.row
    stages = [e["stage"] for e in events]
    assert "running on host" in stages and "storing the run" in stages
    timed = [e for e in events if e.get("phase") == "timed"]
    assert timed and all(e["total"] == 100_000 for e in timed)
    assert [e["done"] for e in timed] == sorted(e["done"] for e in timed)
    store = ResultStore.open(db)
    row = store.run(outcome.run_id)
    assert row.device_name == "host" and row.sample_count == 100_000
    assert len(store.samples(outcome.run_id)) == 100_000
    assert outcome.row["run_id"] == outcome.run_id and outcome.database.startswith("postgresql")
    (state,) = lab_status(broker, "host")
    assert state["state"] == "up" and state["job"] is None
    assert state["consecutive_failures"] == 0 and state["worker"]["pid"] == worker.proc.pid


def test_one_job_at_a_time_per_device(host_lab):
    _, broker, db = host_lab
    job = {"model": "test_mobileone", "device": "host", "iterations": 4000, "warmup": 5}
    outcomes: list = []
    threads = [
        threading.Thread(target=lambda: outcomes.append(submit_and_wait(job, broker, db)))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert len(outcomes) == 3 and {o.status for o in outcomes} == {"ok"}
    store = ResultStore.open(db)
    spans = sorted((r.started_at, r.finished_at) for r in (store.run(o.run_id) for o in outcomes))
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert end <= start, f"runs overlapped on one device: {spans}"


def test_a_second_worker_for_the_same_device_is_refused(host_lab, tmp_path):
    worker, broker, db = host_lab
    home = tmp_path / ".benchctl"
    home.mkdir()
    second = Worker(home, "host", broker, db)
    try:
        assert second.proc.wait(timeout=60) == 2
        assert f"already has a worker (host {os.uname().nodename}, pid {worker.proc.pid})" in (
            second.output()
        )
    finally:
        second.stop()


def test_a_failing_device_goes_offline_and_a_new_worker_brings_it_back(
    tmp_path, shared_home, tiny_artifact, broker_url, pg_url
):
    from conftest_services import free_port

    home = _home(tmp_path / "labhost", shared_home, board_port=free_port())
    worker = Worker(home, "brokenboard", broker_url, pg_url, "--offline-after", "2")
    try:
        worker.wait_ready()
        job = {"model": "test_mobileone", "device": "brokenboard", "iterations": 20}
        first = submit_and_wait(job, broker_url, pg_url, timeout=120)
        assert (first.status, first.row["error_code"]) == ("error", "TRANSPORT_FAILED")
        assert lab_status(broker_url, "brokenboard")[0]["consecutive_failures"] == 1
        second = submit_and_wait(job, broker_url, pg_url, timeout=120)
        assert second.status == "error"
        (state,) = lab_status(broker_url, "brokenboard")
        assert state["state"] == "offline" and state["offline"]["failures"] == 2
        assert "TRANSPORT_FAILED" in state["offline"]["last_error"]
        with pytest.raises(LabError, match="offline after 2 consecutive failures"):
            submit_and_wait(job, broker_url, pg_url)
        assert len(ResultStore.open(pg_url).runs()) == 2  # the refused job ran nothing
        cli = subprocess.run(
            [sys.executable, "-m", "benchctl", "lab", "status", "--broker", broker_url, "--json"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert cli.returncode == 0, cli.stderr
        assert json.loads(cli.stdout)["devices"][0]["state"] == "offline"
    finally:
        worker.stop()
    assert lab_status(broker_url, "brokenboard")[0]["state"] == "offline"  # survives the stop
    again = Worker(home, "brokenboard", broker_url, pg_url).wait_ready()
    try:
        (state,) = lab_status(broker_url, "brokenboard")
        assert state["state"] == "up" and state["consecutive_failures"] == 0
    finally:
        again.stop()
    assert lab_status(broker_url, "brokenboard")[0]["state"] == "no worker"


def test_a_worker_that_dies_mid_job_is_noticed(tmp_path, shared_home, tiny_artifact,
                                               broker_url, pg_url):  # fmt: skip
    home = _home(tmp_path / "labhost", shared_home)
    worker = Worker(home, "host", broker_url, pg_url).wait_ready()
    job = {"model": "test_mobileone", "device": "host", "iterations": 5_000_000, "warmup": 1}

    def kill_when_timing(event: dict) -> None:
        if event.get("phase") == "timed":
            os.killpg(worker.proc.pid, signal.SIGKILL)

    start = time.monotonic()
    try:
        with pytest.raises(LabError, match="stopped \\(no heartbeat\\)"):
            submit_and_wait(job, broker_url, pg_url, kill_when_timing, timeout=120, poll_s=0.05)
    finally:
        worker.stop()
        _kill_runners(home)
    assert time.monotonic() - start < 60
    assert ResultStore.open(pg_url).runs() == []  # the killed job stored nothing


def _kill_runners(home: Path) -> None:
    """The runner started by a SIGKILLed worker lives in its own session: end it by its pid."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"benchctl.runner" in cmd and any(str(home).encode() in c for c in cmd):
            os.kill(int(proc.name), signal.SIGKILL)


def test_clear_errors_before_anything_is_queued(broker_url, redis_server):
    from conftest_services import free_port

    job = {"model": "test_mobileone", "device": "pixel8"}
    with pytest.raises(LabError, match="no lab worker serves device 'pixel8'.*lab worker"):
        submit_and_wait(job, broker_url)
    with pytest.raises(LabError, match="cannot reach the broker"):
        submit_and_wait(job, f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(ConfigError, match="needs a Redis URL"):
        submit_and_wait(job, "amqp://guest@localhost//")
    with pytest.raises(ConfigError, match="unknown fields \\['rm -rf'\\]"):
        submit_and_wait({**job, "rm -rf": 1}, broker_url)
    with pytest.raises(ConfigError, match="'iterations' has type str"):
        submit_and_wait({**job, "iterations": "1000; reboot"}, broker_url)
    assert health.connect(broker_url).keys("benchctl.device.*") == []  # nothing was queued


def test_run_on_lab_prints_the_stored_row_as_json(host_lab, capsys):
    from benchctl.cli.lab import run_on_lab
    from benchctl.harness.run import RunRequest

    _, broker, db = host_lab
    run_on_lab(RunRequest(model="test_mobileone", iterations=50, warmup=1), broker, db, True)
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "ok" and doc["lab_job"] and doc["database"].startswith("postgresql")
    assert ResultStore.open(db).run(doc["run_id"]).sample_count == 50
