"""Showing a report (`benchctl.analysis.report`): its JSON document with --json, its blocks as the
project's text-only tables and lines on the terminal, or another of the report `FORMATS`
(`--format md`). One way for every report command."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.text import Text

from benchctl.analysis.report import FORMATS, Note, Report, TextTable, render
from benchctl.cli._output import Table, emit_json, out
from benchctl.errors import ConfigError

TEXT = "text"
FormatOpt = Annotated[
    str,
    typer.Option("--format", help="text (tables), md (Markdown, a PR comment) or json (= --json)."),
]


def check_format(fmt: str) -> None:
    """A known `--format`, checked before any work."""
    if fmt != TEXT and fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: choose from {', '.join((TEXT, *FORMATS))}")


def show(report: Report, json_: bool, fmt: str = TEXT) -> None:
    if json_:
        emit_json(report.to_dict())
        return
    if fmt != TEXT:
        sys.stdout.write(render(report, fmt))
        return
    for block in report.blocks():
        if isinstance(block, Note):
            out.print(Text(block.text, style=block.style or ""))
        elif isinstance(block, TextTable):
            table = Table(*block.columns, title=block.title)
            for row in block.rows:
                table.add_row(*row)
            out.print(table)
