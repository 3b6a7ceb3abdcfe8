"""The seed papers' published facts about zoo models, read from `published.csv` (shipped inside the
package). Numbers stay as printed ("0.3" G, "2.1" M) so that a comparison knows their precision.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

CSV_PATH = Path(__file__).with_name("published.csv")

# seed file id → (short key for `--paper`, citation)
SEED_PAPERS: dict[str, tuple[str, str]] = {
    "000": ("mobileone", "MobileOne (Vasu et al., CVPR 2023)"),
    "001": ("mobilenetv4", "MobileNetV4 (Qin et al., ECCV 2024)"),
    "002": ("wiki", "AI Wiki: MobileNet (secondary source)"),
    "003": ("mobilevit", "MobileViT (Mehta & Rastegari, ICLR 2022)"),
    "004": ("emo", "EMO (Zhang et al., ICCV 2023)"),
}

_UNIT = {"M": Decimal(1), "G": Decimal(1000)}


def _number(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def _half_ulp(text: str) -> Decimal:
    """Half a unit of the last printed digit: "2.1" → 0.05, "275" → 0.5."""
    exponent = Decimal(text).as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers only (the CSV is ours)
    return Decimal(5) * Decimal(10) ** (exponent - 1)


@dataclass(frozen=True)
class PublishedFact:
    """One row of a seed paper's table about one model, as printed."""

    model: str  # registry name
    seed: str  # seed file id, "000".."004"
    table: str  # "Table 9"
    resolution: int | None  # input side the table states; None: not stated
    params_text: str  # millions, as printed ("" when not given)
    ops_text: str  # as printed, in `ops_unit`
    ops_label: str  # the paper's label: "FLOPs", "MACs", "Multiply-Adds"
    ops_unit: str  # "M" or "G"
    top1: str  # ImageNet top-1 %, as printed
    params_exception: str  # why the printed params are known not to reproduce
    ops_exception: str  # why the printed FLOPs/MACs are known not to reproduce
    provenance: str
    notes: str

    @property
    def paper_key(self) -> str:
        return SEED_PAPERS[self.seed][0]

    @property
    def paper(self) -> str:
        return SEED_PAPERS[self.seed][1]

    @property
    def params_m(self) -> float | None:
        value = _number(self.params_text)
        return None if value is None else float(value)

    @property
    def params_half_ulp_m(self) -> float:
        return float(_half_ulp(self.params_text)) if self.params_text else 0.0

    @property
    def macs_m(self) -> float | None:
        """The printed FLOPs/MACs in millions of multiply-adds (every seed counts one per MAC)."""
        value = _number(self.ops_text)
        return None if value is None else float(value * _UNIT[self.ops_unit])

    @property
    def macs_half_ulp_m(self) -> float:
        if not self.ops_text:
            return 0.0
        return float(_half_ulp(self.ops_text) * _UNIT[self.ops_unit])

    @property
    def ops_display(self) -> str:
        """ "275 M FLOPs", "0.3 G MACs" — the number under the paper's own label."""
        return f"{self.ops_text} {self.ops_unit} {self.ops_label}" if self.ops_text else ""

    @property
    def source(self) -> str:
        """ "MobileOne Table 9"."""
        return f"{self.paper_key} {self.table}"

    def to_dict(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "paper": self.paper,
            "table": self.table,
            "resolution": self.resolution,
            "params_m": self.params_m,
            "ops": self.ops_text or None,
            "ops_label": self.ops_label or None,
            "ops_unit": self.ops_unit or None,
            "macs_m": self.macs_m,
            "top1": float(self.top1) if self.top1 else None,
            "params_exception": self.params_exception or None,
            "ops_exception": self.ops_exception or None,
            "provenance": self.provenance,
            "notes": self.notes or None,
        }


@functools.cache
def _load() -> dict[str, tuple[PublishedFact, ...]]:
    rows: dict[str, list[PublishedFact]] = {}
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        lines = (line for line in f if not line.startswith("#"))
        for r in csv.DictReader(lines):
            fact = PublishedFact(
                model=r["model"],
                seed=r["seed"],
                table=r["table"],
                resolution=int(r["resolution"]) if r["resolution"] else None,
                params_text=r["params_m"],
                ops_text=r["ops"],
                ops_label=r["ops_label"],
                ops_unit=r["ops_unit"],
                top1=r["top1"],
                params_exception=r["params_exception"],
                ops_exception=r["ops_exception"],
                provenance=r["provenance"],
                notes=r["notes"],
            )
            rows.setdefault(fact.model, []).append(fact)
    return {k: tuple(v) for k, v in rows.items()}


def published_facts(name: str) -> tuple[PublishedFact, ...]:
    """Every published row about model `name`, in the CSV's order (primary first)."""
    return _load().get(name, ())


def published_models() -> list[str]:
    """Names that have at least one published row (for consistency checks)."""
    return sorted(_load())
