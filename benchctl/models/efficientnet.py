"""EfficientNet (Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural
Networks", ICML 2019, arXiv:1905.11946). A comparator in MobileOne's Table 9 and EMO's Table 7.
Architecture from timm's `efficientnet.py`.
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "Tan & Le, EfficientNet, ICML 2019 (arXiv:1905.11946)"

register_timm(
    "efficientnet_b0",
    family="efficientnet",
    variant="b0",
    module="efficientnet",
    paper=PAPER,
    role="comparator",
)
