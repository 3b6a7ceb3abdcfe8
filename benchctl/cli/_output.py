"""Where output goes: data on stdout (a rich table, or one JSON document with --json); progress,
spinners and errors on stderr, so `--json` output and redirected CSV stay clean."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

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
    return f"{ns / 1e6:.{digits}f}"
