"""The user's own accuracy numbers (a CSV), joined to latency rows in exports and plots.

Published top-1 numbers come from the zoo (`ModelSpec.primary`); a team that measured its own
artifacts (quantized, pruned, its own training) supplies them here. Columns: `model` and `top1`
(percent) are required; `format`, `precision` and `artifact_sha256` are optional and make a row
more specific. The most specific matching row wins: same artifact sha256, then same format and
precision, then the model alone.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from benchctl.errors import ConfigError

REQUIRED = ("model", "top1")
OPTIONAL = ("format", "precision", "artifact_sha256", "dataset", "note")


@dataclass(frozen=True)
class AccuracyRow:
    model: str
    top1: float
    format: str | None = None
    precision: str | None = None
    artifact_sha256: str | None = None
    dataset: str | None = None

    def specificity(self, *, fmt: str, precision: str, sha256: str | None) -> int | None:
        """How specifically this row matches a result (higher wins); None: it does not."""
        if self.artifact_sha256:
            return 3 if self.artifact_sha256 == sha256 else None
        if self.format and self.format != fmt:
            return None
        if self.precision and self.precision != precision:
            return None
        return 1 + bool(self.format or self.precision)


class AccuracyTable:
    def __init__(self, rows: list[AccuracyRow], source: str) -> None:
        self.rows = rows
        self.source = source

    def lookup(
        self, model: str, *, fmt: str, precision: str, sha256: str | None
    ) -> AccuracyRow | None:
        best: tuple[int, AccuracyRow] | None = None
        for row in self.rows:
            if row.model != model:
                continue
            score = row.specificity(fmt=fmt, precision=precision, sha256=sha256)
            if score is not None and (best is None or score > best[0]):
                best = (score, row)
        return best[1] if best else None


def load_accuracy(path: Path) -> AccuracyTable:
    """Read and check an accuracy CSV; every problem names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read accuracy file {path}: {exc}") from exc
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ConfigError(
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)})"
        )
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise ConfigError(
            f"{path}: unknown column(s) {', '.join(unknown)}; "
            f"known: {', '.join(REQUIRED + OPTIONAL)}"
        )
    rows = []
    for line, rec in enumerate(reader, start=2):
        model = (rec.get("model") or "").strip()
        if not model:
            raise ConfigError(f"{path}:{line}: empty model name")
        try:
            top1 = float(rec["top1"])
        except (TypeError, ValueError):
            raise ConfigError(f"{path}:{line}: top1 {rec['top1']!r} is not a number") from None
        if not math.isfinite(top1) or not 0 <= top1 <= 100:
            raise ConfigError(f"{path}:{line}: top1 must be a percentage in [0, 100], got {top1}")
        rows.append(
            AccuracyRow(
                model=model,
                top1=top1,
                format=(rec.get("format") or "").strip() or None,
                precision=(rec.get("precision") or "").strip() or None,
                artifact_sha256=(rec.get("artifact_sha256") or "").strip() or None,
                dataset=(rec.get("dataset") or "").strip() or None,
            )
        )
    return AccuracyTable(rows, str(path))
