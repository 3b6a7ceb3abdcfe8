"""The root `benchctl` command: sub-commands, and the one place errors become exit codes.

Expected failures (`BenchError`) print one line on stderr and exit with their code (2 for bad
input); `BENCHCTL_DEBUG=1` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer
import typer.core
import typer.main

from benchctl import __version__
from benchctl.errors import BenchError

try:  # typer ≥ 0.26 carries its own copy of click
    from typer._click import Command
except ImportError:  # pragma: no cover - older typer on the real click
    from click import Command  # type: ignore[assignment]

# The sub-commands: name → (module, attribute: a command function or a sub-`Typer`), in the order
# `benchctl --help` lists them (commands, then groups). Each module is imported, and typer reads
# its signatures, only when its command is asked for: a command pays for itself alone, not for
# the fifteen others (`benchctl --help` still builds them all, for their help lines).
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("benchctl.cli.run", "run_command"),
    "convert": ("benchctl.cli.convert", "convert_command"),
    "eval": ("benchctl.cli.eval", "eval_command"),
    "sweep": ("benchctl.cli.sweep", "sweep_command"),
    "compare": ("benchctl.cli.compare", "compare_command"),
    "confirm": ("benchctl.cli.compare", "confirm_command"),
    "runtimes": ("benchctl.cli.runtimes", "app"),
    "models": ("benchctl.cli.models", "app"),
    "results": ("benchctl.cli.results", "app"),
    "export": ("benchctl.cli.export", "app"),
    "devices": ("benchctl.cli.devices", "app"),
    "db": ("benchctl.cli.app", "db_app"),
    "lab": ("benchctl.cli.lab", "app"),
    "report": ("benchctl.cli.report", "app"),
    "plot": ("benchctl.cli.plot", "app"),
    "analyze": ("benchctl.cli.analyze", "app"),
}


def db_app() -> typer.Typer:
    """`benchctl db`: cli/db's commands and `db push` (cli/db_push)."""
    from benchctl.cli import db
    from benchctl.cli.db_push import push_cmd

    if not any(c.name == "push" for c in db.app.registered_commands):
        db.app.command("push")(push_cmd)
    return db.app


def build_command(name: str) -> Command:
    """The click command of `COMMANDS[name]`, built by typer as `add_typer`/`command` would."""
    module, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    if module == __name__:  # a function here that assembles the group (`db_app`)
        target = target()
    holder = typer.Typer()
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    return typer.main.get_group(holder).commands[name]


class LazyCommands(MutableMapping[str, Command]):
    """The root group's `commands`: every name of `COMMANDS` is there, each built on first
    lookup (click and typer read `commands` only through the mapping interface)."""

    def __init__(self, build: Callable[[str], Command], built: dict[str, Command]) -> None:
        self._build = build
        self._built = dict(built)

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = self._build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("benchctl's commands are fixed in COMMANDS")

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._built

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self._built]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*COMMANDS, *self._built]))


class LazyGroup(typer.core.TyperGroup):
    """The root `benchctl` group, with `LazyCommands` for its sub-commands."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.commands = LazyCommands(build_command, dict(self.commands))

    def invoke(self, ctx: Any) -> Any:
        """Ctrl-C inside a command becomes `Interrupted`, which `main` prints as one line:
        typer turns a KeyboardInterrupt into a silent exit 130 before `main` could see it."""
        from benchctl.errors import Interrupted

        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted("interrupted; nothing half-done was stored") from None


app = typer.Typer(
    name="benchctl",
    help="On-device neural-network latency benchmarking: build, convert, run, keep every sample.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
)


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
    from rich.markup import escape

    from benchctl.cli._output import emit_json, err, printable

    line = printable(message) + (f"; {printable(hint)}" if hint else "")
    err.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
    if json_:
        emit_json(error_document(code, message, hint))
    sys.exit(exit_code)


def run() -> None:
    """The `benchctl` console script and `python -m benchctl`: `main` in a process that ends
    with it, so the garbage collector is set for a short life (`_collector`)."""
    from benchctl.cli._collector import short_lived

    short_lived(main)


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
