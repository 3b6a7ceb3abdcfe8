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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, turning expected failures into one line."""
    try:
        app(args=argv, prog_name="benchctl")
    except BenchError as exc:
        if os.environ.get("BENCHCTL_DEBUG"):
            raise
        from benchctl.cli._output import err

        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
