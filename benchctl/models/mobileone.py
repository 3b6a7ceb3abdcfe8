"""MobileOne (Vasu et al., "MobileOne: An Improved One millisecond Mobile Backbone", CVPR 2023,
arXiv:2206.04040). Architecture from timm's `byobnet.py`; train-time blocks carry k
over-parameterized branches and fold into one conv each by `reparameterize()`.
"""

from __future__ import annotations

from typing import Any

from benchctl.models._registry import ModelSpec, register_model
from benchctl.models._timm import register_timm

PAPER = "Vasu et al., MobileOne, CVPR 2023 (arXiv:2206.04040)"

for _v in ("s0", "s1", "s2", "s3", "s4"):
    register_timm(
        f"mobileone_{_v}",
        family="mobileone",
        variant=_v,
        module="byobnet",
        paper=PAPER,
        has_reparam=True,
    )


def _tiny_mobileone(**kwargs: Any):
    """Two MobileOne stages of 16/32 channels with 2 branches: the real blocks, a few k params."""
    from timm.models.byobnet import ByoBlockCfg, ByobNet, ByoModelCfg

    def stage(c_in: int, c_out: int) -> tuple[ByoBlockCfg, ...]:
        bk = {"num_conv_branches": 2}
        return (
            ByoBlockCfg(type="one", d=1, c=c_in, s=2, gs=1, block_kwargs=bk),
            ByoBlockCfg(type="one", d=1, c=c_out, gs=0, block_kwargs=dict(kernel_size=1, **bk)),
        )

    cfg = ByoModelCfg(blocks=(stage(16, 16), stage(16, 32)), stem_type="one", stem_chs=16)
    return ByobNet(cfg, num_classes=kwargs.pop("num_classes", 10), **kwargs)


register_model(
    ModelSpec(
        name="test_mobileone",
        family="mobileone",
        variant="test",
        factory=_tiny_mobileone,
        input_size=(3, 32, 32),
        has_reparam=True,
        paper=PAPER,
        source="benchctl:benchctl.models.mobileone",
        source_files=(
            ("benchctl", "benchctl/models/mobileone.py"),
            ("timm", "timm/models/byobnet.py"),
        ),
        is_test=True,
    )
)
