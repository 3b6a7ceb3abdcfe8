"""A report: what an analysis hands to the command that shows it.

Every report is shown the same way (`cli/show_report.show`): its `--json` document, or its blocks on
the terminal. So the numbers, the JSON and the tables are built here, in the library, next to the
analysis (and testable without the CLI); a command only reads its options, opens what the report
needs, shows progress and calls `show`.

A report is any object with
- `to_dict()`: the `--json` document (JSON types; a stable contract once released);
- `blocks()`: what a terminal shows, in order: `TextTable`s and `Note`s, text only (a cell is
  printed as written, never as markup).

Adding a report: a class with these two methods beside the analysis it reports (here in
benchctl/analysis/, or in benchctl/results/ for stored results), and a command calling `show`.
Adding a text format for every report: a function `(report) -> str` in `FORMATS` (`render`).
The nightly regression report predates this and keeps its own renderers (`results/report.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class TextTable:
    """A table of text cells, with an optional title."""

    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    title: str | None = None


@dataclass(frozen=True)
class Note:
    """A line of text after (or between) tables; `style` is a terminal hint ("dim", "yellow")."""

    text: str
    style: str | None = None


Block = TextTable | Note


@runtime_checkable
class Report(Protocol):
    def to_dict(self) -> dict[str, Any]: ...

    def blocks(self) -> list[Block]: ...


def to_json(report: Report) -> str:
    """The `--json` document, as `emit_json` writes it."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=False, default=str) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    """GitHub-flavoured Markdown (a PR or issue comment): pipe tables, notes as paragraphs."""
    parts = []
    for block in report.blocks():
        if isinstance(block, Note):
            parts.append(_md_cell(block.text))
            continue
        lines = [f"**{_md_cell(block.title)}**", ""] if block.title else []
        lines.append("| " + " | ".join(_md_cell(c) for c in block.columns) + " |")
        lines.append("|" + "---|" * len(block.columns))
        lines.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows)
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


FORMATS: dict[str, Callable[[Report], str]] = {"json": to_json, "md": to_markdown}


def render(report: Report, fmt: str) -> str:
    """The report as text in one of `FORMATS` (ValueError for another name)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")
    return FORMATS[fmt](report)
