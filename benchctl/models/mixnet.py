"""MixNet (Tan & Le, "MixConv: Mixed Depthwise Convolutional Kernels", BMVC 2019,
arXiv:1907.09595). A comparator in MobileOne's Table 9. Architecture from timm's `efficientnet.py`.
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "Tan & Le, MixConv (MixNet), BMVC 2019 (arXiv:1907.09595)"

register_timm(
    "mixnet_s", family="mixnet", variant="s", module="efficientnet", paper=PAPER, role="comparator"
)
