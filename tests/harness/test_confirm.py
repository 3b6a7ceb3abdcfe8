"""The interleaved A/B confirmation: the three-way decision on fixed block medians, and a real
session of blocks on this machine through run_benchmark."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchctl.errors import ConfigError
from benchctl.harness.confirm import ConfirmSettings, confirm, decide
from benchctl.harness.run import RunRequest
from benchctl.results.store import ResultStore

S = ConfirmSettings()
rng = np.random.default_rng(5)
A = list(5.0e6 * np.exp(rng.normal(0, 0.01, 10)))


def scaled(factor: float) -> list[float]:
    return list(5.0e6 * factor * np.exp(rng.normal(0, 0.01, 10)))


def test_a_clear_slowdown_is_confirmed_and_a_speedup_is_an_improvement():
    v = decide(A, scaled(1.10), S)
    assert v.label == "confirmed" and v.p_value < 1e-4
    assert v.rel_change == pytest.approx(0.10, abs=0.02)
    assert decide(A, scaled(0.85), S).label == "improved"


def test_same_distribution_is_noise_and_a_small_real_change_is_noise_too():
    assert decide(A, scaled(1.0), S).label in ("noise", "unknown")
    same = decide(A, A[::-1], S)
    assert same.label == "noise" and same.p_value == pytest.approx(1.0)
    tight_a = [5.0e6 + i for i in range(10)]
    small = decide(tight_a, [5.1e6 + i for i in range(10)], S)  # +2 %, perfectly separated
    assert (
        small.label == "noise"
        and small.p_value < 0.01
        and "below the 5% threshold" in (small.reason)
    )


def test_partly_overlapping_blocks_are_inconclusive():
    a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    b = [x + 3.5 for x in a]
    v = decide(a, b, S)
    assert 0.01 < v.p_value <= 0.10 and v.label == "unknown"


def test_settings_are_checked():
    with pytest.raises(ConfigError, match="--blocks must be ≥ 2"):
        ConfirmSettings(blocks=1).check()


def test_a_real_session_runs_abba_blocks_into_a_scratch_store(
    shared_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))  # reuse the session's tiny artifact
    scratch = ResultStore.open(str(tmp_path / "scratch.sqlite"))
    req = RunRequest(model="test_mobileone")
    settings = ConfirmSettings(blocks=2, extra_blocks=0, block_iterations=20, block_warmup=2)
    seen: list[str] = []
    result = confirm(req, req, scratch, settings, on_block=lambda i, n, arm: seen.append(arm))
    assert seen == ["A", "B", "B", "A"] and [b.arm for b in result.blocks] == seen
    assert len(scratch.runs()) == 4
    assert all(r.sample_count == 20 for r in scratch.runs())
    assert {b.median_ns for b in result.blocks} == {r.median_ns for r in scratch.runs()}
    # 2 blocks per arm can never reach p ≤ 0.01: the session cannot confirm anything
    assert result.label in ("noise", "suspicious") and result.p_value > 0.01
    assert result.notes == ["both arms are the same request: an A/A test of this session's noise"]
