"""Ctrl-C (SIGINT) to a real `benchctl sweep` process while a runner is timing, then
`benchctl sweep --resume ID`: the database stays consistent and every combination is stored
exactly once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchctl.results.store import ResultStore

RUNTIMES = ["tensorrt", "onnxruntime"]  # a quick status row, then a run to interrupt


def _runner_of(pid: int) -> int | None:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (proc / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # ended while we looked
        if ppid == pid and b"benchctl.runner" in cmd and b"--capabilities" not in cmd:
            return int(proc.name)
    return None


def _sweep(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "benchctl", "sweep", *args, "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw,
    )  # fmt: skip


def test_sigint_during_a_sweep_then_resume(cached_home, figures):
    proc = _sweep("--models", "test_mobileone", "--runtimes", ",".join(RUNTIMES),
                  "-n", "100000", "--warmup", "1")  # fmt: skip
    sweeps = cached_home / "sweeps"
    deadline = time.monotonic() + 120
    runner = None
    while time.monotonic() < deadline and proc.poll() is None:
        plans = list(sweeps.glob("*.json")) if sweeps.is_dir() else []
        done = json.loads(plans[0].read_text())["done"] if plans else {}
        if len(done) == 1:
            runner = _runner_of(proc.pid)
            if runner is not None:
                break
        time.sleep(0.05)
    assert runner is not None, f"the third runner never started: {proc.communicate()}"
    time.sleep(0.5)  # let it time some iterations
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    sweep_id = plans[0].stem
    assert f"resume with: benchctl sweep --resume {sweep_id}" in err
    assert not Path(f"/proc/{runner}").exists()  # the runner did not outlive the sweep

    store = ResultStore.open()
    before = {r.runtime: r for r in store.runs()}
    assert sorted(before) == ["tensorrt"]  # the interrupted run: no row
    for row in before.values():
        assert row.status != "ok" and store.samples(row.run_id) == []
    assert list(json.loads(plans[0].read_text())["done"]) == [
        f"test_mobileone|{r}" for r in RUNTIMES[:1]
    ]

    resumed = subprocess.run(
        [sys.executable, "-m", "benchctl", "sweep", "--resume", sweep_id, "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert resumed.returncode == 3, resumed.stderr  # one combination is a status row
    rows = {r["runtime"]: r for r in json.loads(resumed.stdout)["rows"]}
    assert rows["onnxruntime"]["status"] == "ok"
    runs = store.runs()
    assert sorted(r.runtime for r in runs) == sorted(RUNTIMES)  # each exactly once
    for runtime in RUNTIMES[:1]:
        assert rows[runtime]["run_id"] == before[runtime].run_id  # not run again
    ok = next(r for r in runs if r.runtime == "onnxruntime")
    assert ok.sample_count == 100_000 and len(store.samples(ok.run_id)) == 100_000
    figures(fault="SIGINT during a sweep, then --resume", injected=1, survived=1,
            combinations=len(RUNTIMES), stored_once=len(runs))  # fmt: skip
