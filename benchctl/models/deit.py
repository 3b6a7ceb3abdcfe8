"""DeiT (Touvron et al., "Training data-efficient image transformers & distillation through
attention", ICML 2021, arXiv:2012.12877). DeiT-tiny is a comparator in MobileOne's Table 9,
MobileViT's Table 3 and EMO's Table 7. Architecture from timm (`deit.py`, `vision_transformer.py`).
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "Touvron et al., DeiT, ICML 2021 (arXiv:2012.12877)"

register_timm(
    "deit_tiny_patch16_224",
    family="deit",
    variant="tiny",
    module=("deit", "vision_transformer"),
    paper=PAPER,
    role="comparator",
)
