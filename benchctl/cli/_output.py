"""Where output goes: data on stdout (a rich table, or one JSON document with --json); progress,
spinners and errors on stderr, so `--json` output and redirected CSV stay clean."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

# Piped output is read by grep and scripts: keep long values (sha256, paths) on one line.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


def emit_json(doc: Any) -> None:
    """Write exactly one JSON document to stdout."""
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=False, default=str) + "\n")


def ms(ns: float | int | None, digits: int = 3) -> str:
    """Nanoseconds as a millisecond string for tables ("—" when absent)."""
    if ns is None:
        return "—"
    return people_ms(ns / 1e6, digits)


def people_ms(value: float | None, digits: int = 3) -> str:
    """Milliseconds rounded for people: `digits` decimals from 1 ms up, `digits` significant
    digits below (a 20 µs model reads 0.0201, not 0.020; JSON keeps the exact value)."""
    if value is None:
        return "—"
    if abs(value) >= 1 or value == 0:
        return f"{value:.{digits}f}"
    return f"{value:#.{digits}g}"


# C0 and C1 control characters, DEL, and the bidirectional overrides that reorder what a
# terminal shows: a name carrying them is printed with them escaped, never obeyed.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(value: object) -> str:
    """`value` as one line of text a terminal shows literally (control characters escaped)."""

    def esc(m: re.Match[str]) -> str:
        c = m.group()
        return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"

    return _UNPRINTABLE.sub(esc, str(value))


def cell(value: object) -> Text:
    """A table cell holding `value` as text: no rich markup interpreted, no control character
    reaching the terminal (names come from files, devices and databases)."""
    return Text("—" if value is None else printable(value))


def styled(value: object, style: str) -> Text:
    """A styled table cell whose text is shown literally (a status, a verdict, a message)."""
    return Text(printable(value), style=style)


class Table(RichTable):
    """A rich table whose string cells and title are text, never markup: a model, device or
    error message carrying `[bold]`, an ESC byte or a bidi override is shown as written. A cell
    that needs a colour is a `styled(...)` Text."""

    def __init__(self, *headers: Any, title: object = None, **kwargs: Any) -> None:
        super().__init__(*headers, title=None if title is None else cell(title), **kwargs)

    def add_row(self, *cells: Any, **kwargs: Any) -> None:
        super().add_row(*(cell(c) if isinstance(c, str) else c for c in cells), **kwargs)
