"""ConvNeXt (Liu et al., "A ConvNet for the 2020s", CVPR 2022, arXiv:2201.03545). ConvNeXt-S is a
comparator in MobileNetV4's Table 6, ConvNeXt-T in EMO's Table 14. Architecture from timm's
`convnext.py`.
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "Liu et al., A ConvNet for the 2020s (ConvNeXt), CVPR 2022 (arXiv:2201.03545)"

for _v in ("tiny", "small"):
    register_timm(
        f"convnext_{_v}",
        family="convnext",
        variant=_v,
        module="convnext",
        paper=PAPER,
        role="comparator",
    )
