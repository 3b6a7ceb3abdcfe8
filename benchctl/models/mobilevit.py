"""MobileViT (Mehta & Rastegari, "MobileViT: Light-weight, General-purpose, and Mobile-friendly
Vision Transformer", ICLR 2022, arXiv:2110.02178). Architecture from timm's `mobilevit.py`
(built on `byobnet.py`), at the paper's 256×256 resolution (Table 4).
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "Mehta & Rastegari, MobileViT, ICLR 2022 (arXiv:2110.02178)"

for _v in ("xxs", "xs", "s"):
    register_timm(
        f"mobilevit_{_v}",
        family="mobilevit",
        variant=_v,
        module="mobilevit",
        paper=PAPER,
        input_size=(3, 256, 256),
    )
