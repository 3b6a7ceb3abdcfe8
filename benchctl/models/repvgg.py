"""RepVGG (Ding et al., "RepVGG: Making VGG-style ConvNets Great Again", CVPR 2021,
arXiv:2101.03697). Comparators in MobileOne's Tables 4 and 9. Architecture from timm's
`byobnet.py`; train-time 3×3 + 1×1 + identity branches fold into one 3×3 conv per block.
"""

from __future__ import annotations

from typing import Any

from benchctl.models._registry import ModelSpec, register_model
from benchctl.models._timm import register_timm

PAPER = "Ding et al., RepVGG, CVPR 2021 (arXiv:2101.03697)"

for _v in ("a0", "a1", "a2", "b0", "b1"):
    register_timm(
        f"repvgg_{_v}",
        family="repvgg",
        variant=_v,
        module="byobnet",
        paper=PAPER,
        has_reparam=True,
        role="comparator",
    )


def _tiny_repvgg(**kwargs: Any):
    """Two RepVGG stages of 16/32 channels: the real blocks, identity branches included."""
    from timm.models.byobnet import ByoBlockCfg, ByobNet, ByoModelCfg

    blocks = (
        ByoBlockCfg(type="rep", d=2, c=16, s=2, gs=0, br=1.0),
        ByoBlockCfg(type="rep", d=2, c=32, s=2, gs=0, br=1.0),
    )
    cfg = ByoModelCfg(blocks=blocks, stem_type="rep", stem_chs=16)
    return ByobNet(cfg, num_classes=kwargs.pop("num_classes", 10), **kwargs)


register_model(
    ModelSpec(
        name="test_repvgg",
        family="repvgg",
        variant="test",
        factory=_tiny_repvgg,
        input_size=(3, 32, 32),
        has_reparam=True,
        paper=PAPER,
        source="benchctl:benchctl.models.repvgg",
        source_files=(
            ("benchctl", "benchctl/models/repvgg.py"),
            ("timm", "timm/models/byobnet.py"),
        ),
        is_test=True,
        role="comparator",
    )
)
