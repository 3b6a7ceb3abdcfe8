"""`run --profile` stored and shown: `results show --ops`, `export csv --ops`, `compare --ops`,
and memory beside latency."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from typer.testing import CliRunner

from benchctl.cli.app import app

runner = CliRunner()


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def benchctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchctl", *args], capture_output=True, text=True, timeout=300
    )


def _run(*extra: str) -> dict:
    return json.loads(
        cli("run", "-m", "test_mobileone", "-n", "50", "--warmup", "2", "--json", *extra)
    )


def test_profiled_runs_are_stored_shown_exported_and_compared(isolated_project):
    a = _run("--profile", "--profile-iterations", "5")
    b = _run("--profile", "--profile-iterations", "5", "--runtime", "torch")
    plain = _run()
    for doc in (a, b, plain):
        assert doc["status"] == "ok"
        assert 0 < doc["rss_after_load_mb"] <= doc["peak_rss_mb"]

    shown = json.loads(cli("results", "show", a["run_id"], "--ops", "--json"))
    prof = shown["profile"]
    assert prof["profiler"] == "onnxruntime session profiling" and prof["iterations"] == 5
    assert abs(sum(o["share"] for o in prof["operators"]) - 1.0) < 1e-9
    assert abs(sum(t["share"] for t in prof["by_type"]) - 1.0) < 1e-9
    conv = next(t for t in prof["by_type"] if t["op_type"] == "Conv")
    assert conv["count"] == sum(o["op_type"] == "Conv" for o in prof["operators"])
    stored = shown["operators"] if "operators" in shown else prof["operators"]
    assert all(o["unit"] == "cpu" for o in stored)

    table = cli("results", "show", a["run_id"][:10], "--ops")
    assert "by op type" in table and "Conv" in table and "memory (MiB)" in table

    text = cli("export", "csv", "--ops")
    rows = list(csv.DictReader(io.StringIO(text)))
    counted = {r["run_id"] for r in rows}
    assert counted == {a["run_id"], b["run_id"]}  # the unprofiled run has no operator rows
    assert sum(r["run_id"] == a["run_id"] for r in rows) == len(prof["operators"])
    assert {r["runtime"] for r in rows} == {"onnxruntime", "torch"}

    runs = list(csv.DictReader(io.StringIO(cli("export", "csv"))))
    assert all(float(r["peak_rss_mb"]) > 0 for r in runs)

    compared = json.loads(cli("compare", a["run_id"], b["run_id"], "--ops", "--json"))
    kinds = {c["op_type"] for c in compared["ops"]}
    assert "Conv" in kinds and "aten::conv2d" in kinds  # two runtimes, two vocabularies
    deltas = [abs(c["delta_ms"]) for c in compared["ops"]]
    assert deltas == sorted(deltas, reverse=True)
    assert "op types, largest time change first" in cli(
        "compare", a["run_id"], b["run_id"], "--ops"
    )


def test_ops_of_an_unprofiled_run_say_how_to_get_them(isolated_project):
    plain = _run()
    result = benchctl("results", "show", plain["run_id"], "--ops")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "benchctl run --profile" in result.stderr


def test_bad_profile_iterations_are_refused_before_any_work(isolated_project):
    result = benchctl("run", "-m", "test_mobileone", "--profile", "--profile-iterations", "0")
    assert result.returncode == 2 and "--profile-iterations" in result.stderr
    assert not (isolated_project / ".benchctl" / "results.sqlite").exists()
