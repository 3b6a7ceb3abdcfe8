"""Output for CI logs and people (probe items 25, 27, 29): plain progress lines when stderr is
not a terminal, what an interrupt stopped and kept, numbers rounded for people."""

from __future__ import annotations

import re

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
