"""MobileNetV1 (Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile
Vision Applications", arXiv:1704.04861). Architecture from timm's `mobilenetv1_100`
(`efficientnet.py`): a 3×3 stride-2 stem, 13 depthwise-separable blocks, 1024-channel head.
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "Howard et al., MobileNets (MobileNetV1), arXiv:1704.04861 (2017)"

register_timm(
    "mobilenetv1_100",
    family="mobilenetv1",
    variant="1.0",
    module="efficientnet",
    paper=PAPER,
)
