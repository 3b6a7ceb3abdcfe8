"""Output for CI logs and people (probe items 25, 27, 29): plain progress lines when stderr is
not a terminal, what an interrupt stopped and kept, numbers rounded for people."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

from typer.testing import CliRunner

from benchctl.cli.app import app

runner = CliRunner()


def test_progress_is_a_few_plain_lines_when_stderr_is_not_a_terminal(isolated_project):
    result = runner.invoke(
        app,
        ["run", "--model", "test_mobileone", "-n", "400", "--warmup", "3"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines, "no progress in the log"
    assert all(line.startswith("benchctl [") for line in lines), lines
    assert "\r" not in result.stderr and "\x1b" not in result.stderr  # no bar redraws
    timed = [line for line in lines if re.search(r"timed \d+/400$", line)]
    # at most one per quarter (0, 25, 50, 75, 100 %): where a run is, not every iteration
    assert 2 <= len(timed) <= 5, timed
    assert timed[-1].endswith("timed 400/400")
    assert any("warmup done (3 iterations)" in line for line in lines)
    assert any("running on" in line for line in lines)
    assert len(lines) <= 15, lines


def test_json_runs_print_no_progress(isolated_project):
    result = runner.invoke(
        app, ["run", "--model", "test_mobileone", "-n", "20", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0 and result.stderr == ""


def _benchctl(*args: str, cwd, env_extra=None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "benchctl", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(env_extra or {})},
    )


def test_sigint_says_what_was_stopped_and_kept(isolated_project):
    proc = _benchctl(
        "run",
        "--model",
        "test_mobileone",
        "-n",
        "10000000",
        "--max-seconds",
        "120",
        cwd=isolated_project,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # plain progress lines: wait until the timed loop runs
        seen.append(line)
        if "running on" in line:
            break
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    assert proc.returncode == 130, "".join(seen) + rest
    last = rest.strip().splitlines()[-1]
    assert "interrupted during" in last and "stopped and not stored" in last, rest
    assert "kept: earlier runs in the database, built artifacts in the cache" in last
    assert "Traceback" not in rest
    runs = isolated_project / ".benchctl" / "runs"
    assert not runs.exists() or not any(runs.iterdir())  # its folder held no record: removed


def test_the_next_run_removes_leftovers_but_never_a_run_in_progress(isolated_project):
    from benchctl.harness import leftovers

    home = isolated_project / ".benchctl"
    old = time.time() - 2 * leftovers.UNCLAIMED_GRACE_S
    dead_run, live_run, stored = (
        home / "runs" / "dead",
        home / "runs" / "live",
        home / "runs" / "ok",
    )
    dead_work, live_work = home / "work" / "dead", home / "work" / "live"
    dead_staging, live_staging = (
        home / "artifacts" / ".staging-dead",
        home / "artifacts" / ".staging-live",
    )
    recent = home / "runs" / "unclaimed-recent"
    for folder in (
        dead_run,
        live_run,
        stored,
        dead_work,
        live_work,
        dead_staging,
        live_staging,
        recent,
    ):
        folder.mkdir(parents=True)
        (folder / "spec.json").write_text("{}")
    (stored / "record.json").write_text("{}")
    # claimed by a run that then died: its claim file stays, with no process holding its lock
    (dead_run / leftovers.OWNER).write_text("4194304\n")
    for folder in (dead_work, dead_staging, stored):
        os.utime(folder, (old, old))
    # a run in progress in another process holds its claims
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time; from pathlib import Path; "
            "from benchctl.harness import leftovers as l; "
            "[l.claim(Path(p)) for p in sys.argv[1:]]; print('held', flush=True); time.sleep(60)",
            str(live_run),
            str(live_staging),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = runner.invoke(
            app, ["run", "--model", "test_mobileone", "-n", "20"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        assert "removed 3 leftover(s) of interrupted runs" in result.stderr
        for gone in (dead_run, dead_work, dead_staging):
            assert not gone.exists(), gone
        for kept in (live_run, live_work, live_staging, stored, recent):
            assert kept.exists(), kept
    finally:
        holder.kill()
        holder.wait()
    assert sorted(p.name for p in leftovers.find(home)) == [".staging-live", "live", "live"]


def test_numbers_rounded_for_people_exact_in_json(tmp_path):
    import json

    from benchctl.results.store import ResultStore
    from benchctl.results.testing import make_record

    db = str(tmp_path / "results.sqlite")
    store = ResultStore.open(db)
    store.ingest(make_record("1" * 32, [20_123] * 4))  # a 20 µs model
    store.ingest(make_record("3" * 32, [100_000] * 3, model_name="tenth"))
    # mean 24953718.6 ns: 24.9537186 ms, not 24953718.6 / 1e6 = 24.953718600000002
    store.ingest(make_record("2" * 32, [24_953_718] * 2 + [24_953_719] * 3, model_name="big"))
    people = runner.invoke(app, ["results", "list", "--db", db], catch_exceptions=False)
    assert people.exit_code == 0, people.output
    row = {line.split("│")[3].strip(): line for line in people.stdout.splitlines() if "│" in line}
    assert " 0.0201 " in row["m"] and " 0.020 " not in row["m"]  # three significant digits
    assert " 24.954 " in row["big"] and " 0.100 " in row["tenth"]
    exact = runner.invoke(app, ["results", "list", "--db", db, "--json"], catch_exceptions=False)
    by_model = {r["model"]: r for r in json.loads(exact.stdout)}
    assert by_model["m"]["median_ms"] == 0.020123
    assert by_model["big"]["mean_ms"] == 24.9537186


def test_runner_no_result_is_the_tracebacks_last_line_and_the_rest_is_kept(tmp_path):
    from benchctl.harness.lifecycle import no_result_message
    from benchctl.harness.transports.base import Completed

    crashed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json\ndef load():\n    raise ValueError('bad model')\nload()",
        ],
        capture_output=True,
        text=True,
    )
    assert "Traceback" in crashed.stderr
    done = Completed(crashed.returncode, crashed.stdout, crashed.stderr)
    message = no_result_message(crashed.returncode, done, tmp_path / "run")
    assert message.startswith("runner exited with code 1 and no result: ValueError: bad model")
    assert "Traceback" not in message and "\n" not in message
    assert "Traceback" in (tmp_path / "run" / "runner.log").read_text()
