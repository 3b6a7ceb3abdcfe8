"""The nightly report analysed by worker processes (`regress.workers`) is the report analysed in
this process; a worker's error reaches the caller; Ctrl-C stops the workers and the command."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from benchctl.results import synthetic
from benchctl.results.regress import RegressConfig, nightly
from benchctl.results.regress.workers import MIN_SERIES_PER_WORKER, chunks, default_workers
from benchctl.results.store import ResultStore
from benchctl.runner.contention import affinity

NIGHTLY = importlib.import_module("benchctl.results.regress.nightly")
SERIES, NIGHTS = 18, 40

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers are forked on Linux only"
)


@pytest.fixture(scope="module")
def history_db(tmp_path_factory):
    """18 series × 40 nights with the synthetic history's steps, drifts and failures."""
    db = tmp_path_factory.mktemp("workers") / "history.sqlite"
    store = ResultStore.open(str(db))
    store.ingest_many(synthetic.history(SERIES, NIGHTS, samples_per_run=120, seed=5))
    store.engine.dispose()
    return db


def _report(db, **kwargs) -> tuple[dict, list[tuple[int, int, str]]]:
    calls: list[tuple[int, int, str]] = []
    store = ResultStore.open(str(db), create=False)
    report = nightly(store, RegressConfig(), progress=lambda *a: calls.append(a), **kwargs)
    doc = report.to_dict()
    doc.pop("generated_at")
    return doc, calls


def test_the_report_from_workers_is_the_report_from_this_process(history_db):
    alone, alone_calls = _report(history_db, workers=0)
    labels = {s["screening"]["label"] for s in alone["series"]}
    assert len(alone["series"]) == SERIES and {"regression", "ok"} <= labels, labels
    for workers in (2, 3):
        shared, calls = _report(history_db, workers=workers)
        assert json.dumps(shared, sort_keys=True) == json.dumps(alone, sort_keys=True)
        # progress once per series, counting up, whichever worker finished it
        assert [c[:2] for c in calls] == [(i, SERIES) for i in range(SERIES)]
        assert sorted(c[2] for c in calls) == sorted(c[2] for c in alone_calls)


def test_an_error_in_a_worker_is_raised_to_the_caller(history_db, monkeypatch):
    real = NIGHTLY.analyze
    store = ResultStore.open(str(history_db), create=False)
    victim = sorted(k for k, _ in store.series_heads())[7]

    def analyze(series):  # inherited by the forked workers
        if series.key == victim:
            raise RuntimeError(f"analysis broke on {series.key}")
        return real(series)

    monkeypatch.setattr(NIGHTLY, "analyze", analyze)
    with pytest.raises(RuntimeError, match=f"analysis broke on {victim}"):
        nightly(store, RegressConfig(), workers=2)


def test_chunks_and_the_default_count():
    keys = [f"k{i}" for i in range(10)]
    parts = chunks(keys, 4)
    assert parts == [["k0", "k4", "k8"], ["k1", "k5", "k9"], ["k2", "k6"], ["k3", "k7"]]
    assert chunks(keys[:2], 4) == [["k0"], ["k1"]]  # never an empty chunk
    assert default_workers(2 * MIN_SERIES_PER_WORKER - 1) == 0  # one worker is no gain
    many = default_workers(1000 * MIN_SERIES_PER_WORKER)
    cpus = len(affinity())
    assert many == (cpus if cpus >= 2 else 0)


# Runs `benchctl report nightly` with each series' analysis slowed to 1.5 s and announced on
# stderr, so Ctrl-C arrives while the series are being analysed.
SLOW = """
import importlib, sys, time
nightly = importlib.import_module("benchctl.results.regress.nightly")
real = nightly.analyze
def analyze(series):
    print("analysing", series.key, file=sys.stderr, flush=True)
    time.sleep(1.5)
    return real(series)
nightly.analyze = analyze
from benchctl.cli.app import run
sys.argv = ["benchctl", *sys.argv[1:]]
run()
"""


def _children(pid: int) -> list[str]:
    return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()


@pytest.mark.parametrize("workers", [2, 0])
def test_ctrl_c_stops_the_workers_and_the_command(history_db, workers):
    """Exit 130 with one line (typer had made it a silent 130), whether workers run or not."""
    argv = ["report", "nightly", "--db", str(history_db), "--workers", str(workers), "-f", "json"]
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW, *argv],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    first = proc.stderr.readline()
    assert first.startswith("analysing"), first + proc.stderr.read()
    pool = _children(proc.pid)
    assert len(pool) == workers, pool  # the pool starts both workers at once
    time.sleep(0.3)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == 130, rest
    assert rest.strip().splitlines()[-1] == "error: interrupted; nothing half-done was stored"
    assert "Traceback" not in rest, rest  # the workers ignore SIGINT: no trace of theirs
    # each worker ends the series it is on (1.5 s) and no more: not the ~13 s left
    assert took < 6, took
    for pid in pool:  # reaped, not left running
        assert not os.path.exists(f"/proc/{pid}"), pid
