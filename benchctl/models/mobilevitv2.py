"""MobileViTv2 (Mehta & Rastegari, "Separable Self-attention for Mobile Vision Transformers",
arXiv:2206.02680). Comparators in EMO's Tables 7-9 (widths 0.5, 0.75, 1.0, 1.25). Architecture from
timm's `mobilevit.py`, at 256×256 as EMO's Table 7 lists it.
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "Mehta & Rastegari, Separable Self-attention (MobileViTv2), arXiv:2206.02680 (2022)"

for _w, _variant in (("050", "0.5"), ("075", "0.75"), ("100", "1.0"), ("125", "1.25")):
    register_timm(
        f"mobilevitv2_{_w}",
        family="mobilevitv2",
        variant=_variant,
        module="mobilevit",
        paper=PAPER,
        input_size=(3, 256, 256),
        role="comparator",
    )
