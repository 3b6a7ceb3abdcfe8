"""ShuffleNetV2 (Ma et al., "ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture
Design", ECCV 2018, arXiv:1807.11164). Comparators in MobileOne's Table 9. timm has no ShuffleNetV2,
so the architecture comes from torchvision (`shufflenetv2.py`).
"""

from __future__ import annotations

from benchctl.models._timm import register_torchvision

PAPER = "Ma et al., ShuffleNet V2, ECCV 2018 (arXiv:1807.11164)"

for _width in ("1_0", "2_0"):
    register_torchvision(
        f"shufflenet_v2_x{_width}",
        family="shufflenetv2",
        variant=_width.replace("_", "."),
        module="shufflenetv2",
        paper=PAPER,
    )
