"""Bad input through the real command line (`python -m benchctl …` subprocesses): names with shell
metacharacters or `../` never reach a shell nor escape the project's folders; unknown names,
missing optional libraries and unreachable servers are one line with the fix, exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = ["; rm -rf ..", "$(touch PWNED)`touch PWNED`", "../../etc/passwd", "x\n--json"]


def _cli(*argv: str, block: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m benchctl ARGV`; `block` makes that module unimportable (a missing extra)."""
    if block is None:
        cmd = [sys.executable, "-m", "benchctl", *argv]
    else:
        code = (f"import sys; sys.modules[{block!r}] = None; "
                "from benchctl.cli.app import main; main(sys.argv[1:])")  # fmt: skip
        cmd = [sys.executable, "-c", code, *argv]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCHCTL_")}
    env["BENCHCTL_CONFIG_DIR"] = str(Path.cwd() / "config")
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


def _one_clear_line(done: subprocess.CompletedProcess, *needles: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


@pytest.fixture
def sandbox(isolated_project: Path):
    """Everything the test's commands may touch: the project folder inside a parent that must
    stay as it was (a `../` that escaped would land there), and no PWNED file anywhere."""
    parent = isolated_project.parent
    before = _tree(parent) - _tree(isolated_project)
    yield isolated_project
    assert _tree(parent) - _tree(isolated_project) == before, "something escaped the project"
    assert not list(parent.rglob("PWNED")) and not Path("/tmp/PWNED").exists()


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused_without_a_shell(sandbox, name):
    for argv, needle in (
        (["run", "--model", name, "-n", "5"], "model"),
        (["run", "--model", "test_mobileone", "--device", name, "-n", "5"], "unknown device"),
        (["run", "--model", "test_mobileone", "--runtime", name, "-n", "5"], "unknown runtime"),
        (["results", "show", name], "is not a run id"),
        (["sweep", "--resume", name], "is not a sweep id"),
        (["devices", "add", name, "--ssh", "pi@board"], "device name"),
        (["lab", "worker", "--device", name, "--broker", "redis://127.0.0.1:9/0"], "device"),
    ):
        _one_clear_line(_cli(*argv), needle)


def test_hostile_db_paths_stay_literal_files_in_the_project(sandbox):
    for name in ("$(touch PWNED).sqlite", "; rm -rf x.sqlite"):
        _one_clear_line(_cli("results", "list", "--db", name), "no results database at")
        assert not (sandbox / name).exists()  # a reader never creates a database
        done = _cli("db", "upgrade", "--db", name, "--json")
        assert done.returncode == 0, done.stderr
        assert (sandbox / name).is_file()  # a file with exactly that name, nothing run
        assert _cli("results", "list", "--db", name, "--json").returncode == 0
    _one_clear_line(_cli("results", "list", "--db", "/etc/passwd"), "cannot use /etc/passwd")
    _one_clear_line(
        _cli("db", "push", "--db", "../../etc/passwd", "--to", "team.sqlite"),
        "no results database at",
    )
    assert not (sandbox / "team.sqlite").exists()


def test_run_and_artifact_files_stay_in_their_folders(sandbox, cached_home):
    done = _cli("run", "--model", "test_mobileone", "-n", "20", "--json")
    assert done.returncode == 0, done.stderr
    runs = list((cached_home / "runs").iterdir())
    assert len(runs) == 1 and runs[0].name.isalnum() and len(runs[0].name) == 32
    for path in _tree(cached_home):
        assert path.resolve().is_relative_to(cached_home.resolve())


def test_unknown_names_are_one_line_with_close_matches(sandbox):
    _one_clear_line(_cli("run", "--model", "mobileone_s9"), "did you mean: mobileone_s")
    _one_clear_line(_cli("run", "--model", "test_mobileone", "--runtime", "litrt"), "litert")
    _one_clear_line(_cli("run", "--model", "test_mobileone", "--device", "pixle8"), "device")
    _one_clear_line(_cli("sweep", "--models", "nothing_like_this*"), "no model matches")


def test_missing_optional_libraries_name_the_extra(sandbox):
    assert _cli("db", "upgrade", "--json").returncode == 0  # a local database to push
    _one_clear_line(
        _cli("lab", "status", "--broker", "redis://127.0.0.1:9/0", block="redis"),
        "pip install 'benchctl[lab]'",
    )
    _one_clear_line(
        _cli("db", "push", "--to", "postgresql://team@127.0.0.1:9/bench", block="psycopg"),
        "pip install 'benchctl[postgres]'",
    )


def test_unreachable_servers_are_one_line_with_the_fix(sandbox):
    from conftest_services import free_port

    port = free_port()
    _one_clear_line(
        _cli("lab", "status", "--broker", f"redis://127.0.0.1:{port}/0"),
        "cannot reach the broker",
        "start Redis there or fix --broker",
    )
    _cli("db", "upgrade", "--json")  # a local database to push
    _one_clear_line(
        _cli("db", "push", "--to", f"postgresql://team@127.0.0.1:{port}/bench"),
        "cannot open",
        "check the URL and that the server is up",
    )
    _one_clear_line(_cli("lab", "status", "--broker", "amqp://guest@localhost//"), "Redis URL")
