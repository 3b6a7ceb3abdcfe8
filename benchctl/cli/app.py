"""The root `benchctl` command: sub-commands, and the one place errors become exit codes.

Expected failures (`BenchError`) print one line on stderr and exit with their code (2 for bad
input); `BENCHCTL_DEBUG=1` shows the traceback instead.
"""

from __future__ import annotations

import os
import sys

import typer
from rich.markup import escape

from benchctl import __version__
from benchctl.cli import analyze, db, devices, export, models, plot, report, results, runtimes
from benchctl.cli.compare import compare_command, confirm_command
from benchctl.cli.convert import convert_command
from benchctl.cli.db_push import push_cmd
from benchctl.cli.eval import eval_command
from benchctl.cli.lab import app as lab_app
from benchctl.cli.run import run_command
from benchctl.cli.sweep import sweep_command
from benchctl.errors import BenchError

app = typer.Typer(
    name="benchctl",
    help="On-device neural-network latency benchmarking: build, convert, run, keep every sample.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("run")(run_command)
app.command("convert")(convert_command)
app.command("eval")(eval_command)
app.command("sweep")(sweep_command)
app.add_typer(runtimes.app, name="runtimes")
app.add_typer(models.app, name="models")
app.add_typer(results.app, name="results")
app.add_typer(export.app, name="export")
app.add_typer(devices.app, name="devices")
app.add_typer(db.app, name="db")
db.app.command("push")(push_cmd)
app.add_typer(lab_app, name="lab")
app.add_typer(report.app, name="report")
app.command("compare")(compare_command)
app.command("confirm")(confirm_command)
app.add_typer(plot.app, name="plot")
app.add_typer(analyze.app, name="analyze")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"benchctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """benchctl: how fast does this network really run on that device?"""


def _json_requested(args: list[str]) -> bool:
    """Whether the command line asks for JSON (`--json` before any `--`)."""
    head = args[: args.index("--")] if "--" in args else args
    return "--json" in head


def error_document(code: str, message: str, hint: str | None) -> dict[str, object]:
    """The one error document `--json` prints on stdout (the exit code says the same)."""
    return {"error": {"code": code, "message": message, "hint": hint}}


def fail(code: str, message: str, hint: str | None, exit_code: int, json_: bool) -> None:
    """Print one error line on stderr (and under --json, the error document on stdout); exit."""
    from benchctl.cli._output import emit_json, err, printable

    line = printable(message) + (f"; {printable(hint)}" if hint else "")
    err.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
    if json_:
        emit_json(error_document(code, message, hint))
    sys.exit(exit_code)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, turning every failure into one line (and, under
    --json, one error document on stdout) with the documented exit code: 2 bad input, 1 failure,
    4 what --fail-on named, 130 interrupted. `BENCHCTL_DEBUG=1` shows tracebacks instead."""
    try:  # typer ≥ 0.26 carries its own copy of click
        from typer._click import exceptions as click
    except ImportError:  # pragma: no cover - older typer on the real click
        import click.exceptions as click  # type: ignore[no-redef]

    args = list(sys.argv[1:] if argv is None else argv)
    json_ = _json_requested(args)
    debug = bool(os.environ.get("BENCHCTL_DEBUG"))
    try:
        code = app(args=args, prog_name="benchctl", standalone_mode=False)
    except BenchError as exc:
        if debug:
            raise
        fail(exc.code, str(exc), exc.hint, exc.exit_code, json_)
    except click.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # a bad option or value, before any work
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "benchctl"
        fail("usage", exc.format_message(), f"see: {where} --help", exc.exit_code, json_)
    except (typer.Abort, KeyboardInterrupt):
        fail("interrupted", "interrupted; nothing half-done was stored", None, 130, json_)
    except Exception as exc:  # a bug: still one line, and the way to see more
        if debug:
            raise
        from benchctl.cli._errors import unexpected

        code_, message, hint, exit_code = unexpected(exc)
        fail(code_, message, hint, exit_code, json_)
    sys.exit(code if isinstance(code, int) else 0)
