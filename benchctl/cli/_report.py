"""Showing a report (`benchctl.analysis.report`): its JSON document with --json, else its blocks
as the project's text-only tables and lines. One way for every report command."""

from __future__ import annotations

from rich.text import Text

from benchctl.analysis.report import Note, Report, TextTable
from benchctl.cli._output import Table, emit_json, out


def show(report: Report, json_: bool) -> None:
    if json_:
        emit_json(report.to_dict())
        return
    for block in report.blocks():
        if isinstance(block, Note):
            out.print(Text(block.text, style=block.style or ""))
        elif isinstance(block, TextTable):
            table = Table(*block.columns, title=block.title)
            for row in block.rows:
                table.add_row(*row)
            out.print(table)
