"""ResNet (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016,
arXiv:1512.03385). Comparators in MobileOne's Tables 4/10 and EMO's Table 14. Architecture from
timm's `resnet.py`.
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "He et al., Deep Residual Learning (ResNet), CVPR 2016 (arXiv:1512.03385)"

for _depth in (18, 50):
    register_timm(
        f"resnet{_depth}",
        family="resnet",
        variant=str(_depth),
        module="resnet",
        paper=PAPER,
        role="comparator",
    )
