"""The command line under generated input (hypothesis): every numeric option of every command
with generated values (huge, negative, zero, NaN, ±inf) and hostile strings for every name option.
Whatever the values: no traceback, an exit code from the documented set, never an internal error,
and under --json exactly one JSON document on stdout (the result, or the error document)."""

from __future__ import annotations

import contextlib
import io
import json
import math
from pathlib import Path

import pytest
import typer.main
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from benchctl.cli.app import app, main
from benchctl.results.store import ResultStore
from benchctl.results.testing import make_record

# 0 ok, 1 failed, 2 bad input, 3 a sweep with failures, 4 what --fail-on named, 130 interrupted
DOCUMENTED_EXIT_CODES = {0, 1, 2, 3, 4, 130}
# Commands that would start long work (servers, builds of every model) when a value is valid;
# their numbers are checked by the same code paths as `run`/`sweep`, tested here.
SKIP = {"lab worker", "lab status", "confirm", "models verify", "analyze roofline"}
# Options that name things: always hostile (so no generated case starts a real benchmark).
NAME_OPTIONS = {
    "--model", "--models", "--device", "--runtime", "--runtimes", "--status", "--rows", "--to",
    "--family", "--paper", "--role", "--stat", "--x", "--y", "--threads", "--format",
    "--fail-on", "--resume", "--accelerator", "--max-thermal", "--adb-mode", "--ios-tool",
}  # fmt: skip
HOSTILE = [
    "[bold red]EVIL[/]", "\x1b[2J", "=cmd|' /C calc'!A0", "<img src=x onerror=alert(1)>",
    "$(touch PWNED)", "; rm -rf ..", "../../etc/passwd", "x\n--json", "-", "--", "ü" * 300,
    "\x00", "%s%n", "{0}", "NaN", "-1",
]  # fmt: skip
hostile = st.sampled_from(HOSTILE) | st.text(min_size=1, max_size=20).map(lambda t: "\x1b" + t)
integers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 2**64, 10**1000]),
)
floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1e308, -1e-320])
)


def _commands() -> dict[str, list]:
    """command path → its parameters, read from the Typer app itself (nothing listed by hand)."""
    found: dict[str, list] = {}

    def walk(cmd, path: list[str]) -> None:
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        elif " ".join(path) not in SKIP:
            found[" ".join(path)] = list(cmd.params)

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()


def _kind(param) -> str:
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if getattr(param, "is_flag", False):
        return "flag"
    if annotation in (int, float):
        return annotation.__name__
    return "text"


def _number_text(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return str(value)


@st.composite
def command_lines(draw, db: str, tmp: str) -> list[str]:
    path = draw(st.sampled_from(sorted(COMMANDS)))
    argv = path.split()
    for param in COMMANDS[path]:
        opt = param.opts[0] if param.opts else None
        kind = _kind(param)
        if kind == "flag" or opt in ("--help", "-h"):
            continue
        if opt is None:  # an argument: a name, a run id, a path
            argv.append(draw(hostile))
            continue
        if opt == "--db":
            argv += [opt, db]
        elif opt in ("--out", "-o", "--keep-db"):
            argv += [opt, str(Path(tmp) / "out.bin")]
        elif kind in ("int", "float"):
            if draw(st.booleans()):
                value = draw(integers if kind == "int" else floats)
                argv += [opt, _number_text(value)]
        elif opt in NAME_OPTIONS or param.required:
            if param.required or opt in ("--model", "--models") or draw(st.booleans()):
                argv += [opt, draw(hostile)]
    if any(getattr(p, "opts", None) == ["--json"] for p in COMMANDS[path]) and draw(st.booleans()):
        argv.append("--json")
    return argv


def _main(argv: list[str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-props")
    db = str(root / "results.sqlite")
    store = ResultStore.open(db)
    store.ingest(make_record(run_id="1" * 32))
    store.ingest(make_record(run_id="2" * 32, samples=[4, 5, 6, 7]))
    return root, db


@settings(
    max_examples=150,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure prints its example; no slow shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_command_line_fails_as_one_line_or_works(project, monkeypatch, data):
    root, db = project
    monkeypatch.chdir(root)
    argv = data.draw(command_lines(db, str(root)), label="argv")
    code, out, err = _main(argv)
    assert "Traceback" not in out + err, (argv, err[-2000:])
    assert code in DOCUMENTED_EXIT_CODES, (argv, code, err[-2000:])
    assert "failed unexpectedly" not in err, (argv, err[-2000:])
    if code == 2:
        assert [line for line in err.splitlines() if line.startswith("error:")], (argv, err)
    if "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv:
        doc = json.loads(out)  # exactly one document
        if code not in (0, 3, 4):
            assert set(doc) == {"error"} and set(doc["error"]) == {"code", "message", "hint"}
    assert not list(root.glob("PWNED")) and not Path("/tmp/PWNED").exists()


@pytest.mark.parametrize(
    "argv",
    [["db", "push", "--to", "\x00"], ["results", "list", "--db", "a\x00b"]],
    ids=["push-to", "db"],
)
def test_a_nul_in_a_database_path_is_one_line(project, monkeypatch, argv):
    """No file system takes a NUL (hypothesis found `db push --to '\\x00'` failing unexpectedly)."""
    root, db = project
    monkeypatch.chdir(root)
    code, _, err = _main(argv if "--db" in argv else [*argv, "--db", db])
    assert code == 2 and err.startswith("error: database path") and "NUL" in err, err
