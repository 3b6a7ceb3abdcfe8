"""MNASNet (Tan et al., "MnasNet: Platform-Aware Neural Architecture Search for Mobile", CVPR 2019,
arXiv:1807.11626). MobileOne's Table 9 compares MNASNet-A1, the searched model with squeeze-excite:
timm names it `semnasnet_100` (timm's `mnasnet_100` and torchvision's `mnasnet1_0` are B1, no SE).
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "Tan et al., MnasNet, CVPR 2019 (arXiv:1807.11626)"

register_timm(
    "semnasnet_100",
    family="mnasnet",
    variant="a1",
    module="efficientnet",
    paper=PAPER,
    role="comparator",
    notes="MNASNet-A1 (with SE) is timm's semnasnet_100",
)
