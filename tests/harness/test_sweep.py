"""Sweeps: failures are rows, an interrupted sweep resumes, nothing is stored twice."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.errors import ConfigError, UnknownNameError
from benchctl.harness import sweep as sweeps
from benchctl.results.store import ResultStore


def test_select_models():
    assert sweeps.select_models("test_mobileone") == ["test_mobileone"]
    assert "mobileone_s0" in sweeps.select_models("seed")
    assert sweeps.select_models("mobileone_s[01]") == ["mobileone_s0", "mobileone_s1"]
    with pytest.raises(UnknownNameError):
        sweeps.select_models("mobileone_s9")
    with pytest.raises(ConfigError, match="no model matches"):
        sweeps.select_models("nothing_like_this*")


def test_a_bad_name_fails_the_plan_before_any_work():
    with pytest.raises(UnknownNameError, match="did you mean: litert"):
        sweeps.plan_sweep(["test_mobileone"], ["onnxruntime", "litrt"])


class _Interrupt:
    """RunHooks that press Ctrl-C as the second combination starts running."""

    def __init__(self) -> None:
        self.runs = 0

    def stage(self, text: str) -> None:
        if text.startswith("running on"):
            self.runs += 1
            if self.runs == 2:
                raise KeyboardInterrupt

    def progress(self, phase: str, done: int, total: int) -> None:
        return None


def test_interrupted_sweep_resumes_where_it_stopped():
    store = ResultStore.open()
    plan = sweeps.plan_sweep(
        ["test_mobileone"], ["onnxruntime", "litert", "coreml"], iterations=20, warmup=1
    )
    with pytest.raises(KeyboardInterrupt):
        sweeps.run_sweep(plan, store, _Interrupt())
    saved = sweeps.load(plan.sweep_id)
    assert list(saved.done) == ["test_mobileone|onnxruntime"]
    assert len(store.runs()) == 1  # the interrupted run stored nothing

    finished = sweeps.run_sweep(saved, store)
    assert set(finished.done) == {
        f"test_mobileone|{r}" for r in ("onnxruntime", "litert", "coreml")
    }
    runs = store.runs()
    assert len(runs) == 3 and len({r.run_id for r in runs}) == 3
    statuses = {r.runtime: r.status for r in runs}
    assert statuses["onnxruntime"] == statuses["litert"] == "ok"
    assert statuses["coreml"] == "unsupported_backend"  # a status row, not a crash


def test_sweep_cli_summary_and_exit_code():
    result = CliRunner().invoke(
        app,
        [
            "sweep",
            "--models",
            "test_mobileone",
            "--runtimes",
            "onnxruntime,litert-gpu",
            "-n",
            "20",
            "--json",
        ],
    )
    assert result.exit_code == 3, result.output  # one combination failed
    doc = json.loads(result.stdout)
    rows = {r["runtime"]: r for r in doc["rows"]}
    assert rows["onnxruntime"]["status"] == "ok" and rows["onnxruntime"]["median_ns"] > 0
    assert rows["litert-gpu"]["error_code"] == "DELEGATE_UNAVAILABLE"


def test_unknown_sweep_id_is_a_clear_error():
    with pytest.raises(ConfigError, match="no sweep 'abc123'"):
        sweeps.load("abc123")
    with pytest.raises(ConfigError, match="not a sweep id"):
        sweeps.load("../../etc")
