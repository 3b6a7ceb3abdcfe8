"""The nightly report screens peak memory like latency, and names the op types that moved most
beside a latency regression whose runs carry profiles."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from _regress_data import record

from benchctl.results.regress import nightly
from benchctl.results.report import render
from benchctl.results.store import ResultStore

MIB = 2**20


def _profile(conv_ms: float, gemm_ms: float) -> dict:
    return {
        "profiler": "onnxruntime session profiling",
        "timed": True,
        "iterations": 20,
        "operators": [
            {"name": "c", "op_type": "Conv", "unit": "cpu", "time_ns": int(conv_ms * 1e6)},
            {"name": "g", "op_type": "Gemm", "unit": "cpu", "time_ns": int(gemm_ms * 1e6)},
        ],
    }


def _fill(store: ResultStore, *, new_ms: float, new_peak_mib: float) -> tuple[str, str]:
    """15 steady nights (5 ms, 100 MiB, profiled) then one new night on a new artifact."""
    rng = np.random.default_rng(3)
    ids = []
    for i in range(16):
        last = i == 15
        r = record(i, new_ms if last else 5.0, rng, artifact_n=1 if last else 0)
        r.peak_rss_bytes = int((new_peak_mib if last else 100 + (i % 3) * 0.1) * MIB)
        r.rss_after_load_bytes = 90 * MIB
        r.profile = (
            _profile(4.0 + (new_ms - 5.0) * 0.1, 1.0 + (new_ms - 5.0) * 0.9)
            if last
            else (_profile(4.0, 1.0))
        )
        store.ingest(r)
        ids.append(r.run_id)
    return ids[-2], ids[-1]


def test_a_regression_names_its_top_moved_ops_and_memory_is_screened():
    store = ResultStore.open()
    _, new = _fill(store, new_ms=6.0, new_peak_mib=210)
    report = nightly(store)
    (s,) = report.series
    assert s.screening.label == "regression" and s.screening.run_id == new
    assert [o["op_type"] for o in s.top_ops] == ["Gemm", "Conv"]  # Gemm took 0.9 of the 1 ms
    assert s.top_ops[0]["delta_ms"] > 0.85
    (mem,) = s.memory
    assert mem.metric == "peak_rss_bytes" and mem.label == "regression"
    assert abs(mem.rel_change - 1.1) < 0.01 and mem.n_baseline == 15
    assert report.counts()["memory_regression"] == 1
    md = render(report, "md")
    assert "1 memory regression" in md.splitlines()[0]
    assert "Top moved operators" in md and "Gemm +0.9" in md
    assert (
        "### Memory" in md and "210.0 MiB" in md and "**+109.8 %**" in md
    )  # 210 vs the 100.1 MiB median
    html = render(report, "html")
    assert 'class="ops"' in html and 'class="memory" data-label="regression"' in html
    doc = json.loads(render(report, "json"))
    assert doc["series"][0]["memory"][0]["label"] == "regression"
    assert doc["series"][0]["top_moved_ops"][0]["op_type"] == "Gemm"


def test_steady_memory_is_ok_and_fail_on_memory_regression_exits_4(isolated_project):
    store = ResultStore.open()
    _fill(store, new_ms=5.0, new_peak_mib=100.2)
    (s,) = nightly(store).series
    assert [m.label for m in s.memory] == ["ok"] and s.top_ops is None

    def report(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "benchctl", "report", "nightly", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert report("--fail-on", "memory-regression").returncode == 0
    _fill(ResultStore.open("other.sqlite"), new_ms=5.0, new_peak_mib=300)
    bad = report("--fail-on", "memory-regression", "--db", "other.sqlite")
    assert bad.returncode == 4 and "memory regression:" in bad.stderr
