"""Contention measured during the timed loop: parsers on real-format text, the summary on
known readings, and the real Monitor seeing a real CPU hog on its own core."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from benchctl.runner import contention
from benchctl.runner.contention import (
    DEFAULT_THRESHOLDS,
    Reading,
    android_contention,
    assess,
    format_cpus,
    parse_cpus,
    parse_dumpsys_cpuinfo,
    parse_proc_stat,
    summarize,
)

STAT = """cpu  17476 0 6991 43309 1005 0 62 123 0 0
cpu0 2645 0 1759 29716 229 0 7 60 0 0
cpu1 14830 0 5231 13593 775 0 55 63 0 0
intr 181063 0 0
ctxt 123
procs_running 3
procs_blocked 0
"""


def test_proc_stat_busy_total_and_steal_per_cpu():
    parsed = parse_proc_stat(STAT)
    busy0 = 2645 + 0 + 1759 + 0 + 7 + 60  # user nice system irq softirq steal
    assert parsed["cpus"][0] == (busy0, busy0 + 29716 + 229, 60)
    assert set(parsed["cpus"]) == {0, 1} and parsed["procs_running"] == 3


def _reading(t_s: float, done: int, busy: int, own_s: float, delay_s: float) -> Reading:
    return Reading(
        t_ns=int(t_s * 1e9),
        done=done,
        busy=busy,
        total=busy + 100,
        steal=0,
        own_cpu_s=own_s,
        nivcsw=done,
        run_delay_ns=int(delay_s * 1e9),
        psi_some_us=None,
        procs_running=2,
    )


def test_summary_separates_others_from_the_runner_and_finds_the_bad_window():
    # 2 CPUs, 100 jiffies/s. 0–1 s: the runner alone uses one CPU (100 jiffies). 1–2 s: the
    # runner still one CPU, another process a whole CPU (200 jiffies busy in all).
    readings = [
        _reading(0.0, 0, 0, 0.0, 0.0),
        _reading(1.0, 500, 100, 1.0, 0.0),
        _reading(2.0, 800, 300, 2.0, 0.4),
    ]
    doc = summarize(readings, ncpu=2, clock_ticks=100)
    assert doc["others_cpu_share"] == pytest.approx(0.25)  # one CPU of two for half the time
    assert doc["others_cpu_share_max"] == pytest.approx(0.5)
    assert doc["run_delay_share"] == pytest.approx(0.2) and doc["run_delay_share_max"] == 0.4
    assert doc["own_cpu_share"] == pytest.approx(0.5)
    assert [(w["from"], w["to"]) for w in doc["windows"]] == [(0, 500), (500, 800)]
    assert "psi_cpu_some_share" in " ".join(doc["missing"])  # never guessed
    doc["cpus"] = [0, 1]
    noisy, reasons = assess(doc, DEFAULT_THRESHOLDS)
    assert noisy and "25 % of CPUs 0-1" in reasons[0] and "waited for a CPU 20 %" in reasons[1]


def test_a_quiet_loop_is_not_noisy_and_a_short_burst_is():
    quiet = {"others_cpu_share": 0.02, "others_cpu_share_max": 0.05, "run_delay_share": 0.01}
    assert assess(quiet, DEFAULT_THRESHOLDS) == (False, [])
    burst = {**quiet, "others_cpu_share_max": 0.6}
    noisy, reasons = assess(burst, DEFAULT_THRESHOLDS)
    assert noisy and "up to 60 %" in reasons[0]
    assert assess({**quiet, "throttle_events": 3}, DEFAULT_THRESHOLDS)[0]


def test_windows_are_merged_time_weighted_when_there_are_too_many():
    readings = [_reading(i * 0.25, i * 10, i * 25, i * 0.25, 0.0) for i in range(1000)]
    doc = summarize(readings, ncpu=1, clock_ticks=100)
    assert len(doc["windows"]) <= contention.MAX_WINDOWS
    assert doc["windows"][0]["from"] == 0 and doc["windows"][-1]["to"] == 9990
    assert all(w["others"] == pytest.approx(0.0, abs=1e-9) for w in doc["windows"])


@pytest.mark.parametrize(
    ("text", "cpus"), [("0", [0]), ("0-3,6", [0, 1, 2, 3, 6]), ("2,1,1", [1, 2])]
)
def test_cpu_lists(text, cpus):
    assert parse_cpus(text) == cpus
    assert parse_cpus(format_cpus(cpus)) == cpus


@pytest.mark.parametrize("text", ["", "a", "3-1", "1-", "-1", "0;1"])
def test_bad_cpu_lists(text):
    with pytest.raises(ValueError):
        parse_cpus(text)


CPUINFO = """Load: 5.1 / 4.9 / 4.7
CPU usage from 10234ms to 234ms ago (2026-12-01 10:00:00.000 to 2026-12-01 10:00:10.000):
  24% 4321/dev.benchctl.android: 22% user + 2% kernel / faults: 120 minor
  11% 1234/com.google.android.gms.persistent: 9% user + 2% kernel
  3.5% 987/system_server: 2% user + 1.5% kernel
  0.2% 12/kworker/u16:1: 0% user + 0.2% kernel
41% TOTAL: 35% user + 6% kernel + 0% iowait
"""


def test_dumpsys_cpuinfo_splits_the_app_from_everyone_else():
    doc = parse_dumpsys_cpuinfo(CPUINFO, "dev.benchctl.android")
    assert doc["app_cpu_share"] == pytest.approx(0.24)
    assert doc["others_cpu_share_cpuinfo"] == pytest.approx(0.147)
    assert doc["cpuinfo_window_s"] == pytest.approx(10.0)


def test_android_contention_from_proc_stat_through_adb():
    before = "cpu0 100 0 0 900 0 0 0 0\ncpu1 100 0 0 900 0 0 0 0\n"
    after = "cpu0 700 0 0 1300 0 0 0 0\ncpu1 400 0 0 1600 0 0 0 0\n"  # 900 of 2000 busy
    doc = android_contention(before, after, 10.0, CPUINFO, "dev.benchctl.android")
    assert doc["others_cpu_share"] == pytest.approx(0.45 - 0.24)
    assert doc["noisy"] and "21 %" in doc["reasons"][0]
    assert any("run_delay" in m for m in doc["missing"])


HOGGED = textwrap.dedent(
    """
    import json, os, subprocess, sys, time
    from benchctl.runner.contention import Monitor
    os.sched_setaffinity(0, {0})
    hog = None
    if sys.argv[1] == "hog":
        hog = subprocess.Popen([sys.executable, "-c",
            "import os; os.sched_setaffinity(0, {0})\\nwhile True: pass"])
        time.sleep(0.3)
    m = Monitor()
    m.start()
    end = time.perf_counter() + 1.5
    done = 0
    while time.perf_counter() < end:
        sum(range(2000))
        done += 1
        m.tick(done)
    m.stop(done)
    if hog:
        hog.kill()
    print(json.dumps(m.result()))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_monitor_sees_a_real_hog_on_its_own_cpu():
    out = subprocess.run(
        [sys.executable, "-c", HOGGED, "hog"], capture_output=True, text=True, timeout=60
    )
    doc = json.loads(out.stdout)
    assert doc["cpus"] == [0]
    # The hog takes about half of CPU 0 (the kernel shares it fairly): far over every limit.
    assert doc["others_cpu_share"] > 0.3 and doc["run_delay_share"] > 0.3, doc
    assert doc["noisy"] and len(doc["windows"]) >= 4
    assert doc["monitor_cost_ms"] < 0.05 * doc["wall_s"] * 1000
