"""EfficientViT from MIT (Cai et al., "EfficientViT: Lightweight Multi-Scale Attention for
High-Resolution Dense Prediction", ICCV 2023, arXiv:2205.14756). MobileNetV4's Table 6 compares
B1-r224, B2-r256 and B3-r224; each is registered at that resolution. Architecture from timm's
`efficientvit_mit.py` (not the MSRA EfficientViT of the same name).
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "Cai et al., EfficientViT (MIT), ICCV 2023 (arXiv:2205.14756)"

for _v, _res in (("b1", 224), ("b2", 256), ("b3", 224)):
    register_timm(
        f"efficientvit_{_v}",
        family="efficientvit",
        variant=_v,
        module="efficientvit_mit",
        paper=PAPER,
        input_size=(3, _res, _res),
        role="comparator",
        notes=f"as MobileNetV4 Table 6's MIT-EfficientViT-{_v.upper()}-r{_res}",
    )
