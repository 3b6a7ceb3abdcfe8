"""Options shared by several commands, defined once."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document instead of a table.")
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Results database URL or SQLite path (default: $BENCHCTL_DB, else "
        ".benchctl/results.sqlite in the current project).",
        show_default=False,
    ),
]
