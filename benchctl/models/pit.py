"""PiT (Heo et al., "Rethinking Spatial Dimensions of Vision Transformers", ICCV 2021,
arXiv:2103.16302). PiT-ti is a comparator in MobileOne's Table 9 and MobileViT's Table 3.
Architecture from timm's `pit.py`.
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = (
    "Heo et al., Rethinking Spatial Dimensions of Vision Transformers (PiT), ICCV 2021 "
    "(arXiv:2103.16302)"
)

register_timm(
    "pit_ti_224", family="pit", variant="ti", module="pit", paper=PAPER, role="comparator"
)
