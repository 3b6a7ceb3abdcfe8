"""MobileNetV2 (Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks", CVPR 2018,
arXiv:1801.04381). Architecture from timm (`efficientnet.py`). Widths 0.5, 1.0 and 1.4 are timm
entrypoints; 1.5 and 2.0 (compared in MobileNetV4's Table 6) are built with timm's own MobileNetV2
generator at that channel multiplier. Above 1.0 the generator also widens the 1280-channel head
(TF-slim's rule), which is what reproduces MobileNetV4's 6.8 M / 11.2 M parameters.
"""

from __future__ import annotations

from typing import Any

from benchctl.models._registry import ModelSpec, register_model
from benchctl.models._timm import register_timm

PAPER = "Sandler et al., MobileNetV2, CVPR 2018 (arXiv:1801.04381)"

for _name, _variant in (
    ("mobilenetv2_050", "0.5"),
    ("mobilenetv2_100", "1.0"),
    ("mobilenetv2_140", "1.4"),
):
    register_timm(_name, family="mobilenetv2", variant=_variant, module="efficientnet", paper=PAPER)


def _width_factory(multiplier: float):
    def build(**kwargs: Any):
        from timm.models.efficientnet import _gen_mobilenet_v2

        name = f"mobilenetv2_{round(multiplier * 100):03d}"
        # An explicit (weightless) pretrained_cfg: timm has none for this width and would warn.
        return _gen_mobilenet_v2(
            name, multiplier, pretrained=False, pretrained_cfg={"architecture": name}, **kwargs
        )

    build.__name__ = f"mobilenetv2_{round(multiplier * 100):03d}"
    return build


for _mult in (1.5, 2.0):
    register_model(
        ModelSpec(
            name=f"mobilenetv2_{round(_mult * 100):03d}",
            family="mobilenetv2",
            variant=str(_mult),
            factory=_width_factory(_mult),
            paper=PAPER,
            source="benchctl:benchctl.models.mobilenetv2",
            source_files=(
                ("benchctl", "benchctl/models/mobilenetv2.py"),
                ("timm", "timm/models/efficientnet.py"),
            ),
            notes="no timm entrypoint at this width: timm's _gen_mobilenet_v2 at channel "
            f"multiplier {_mult} (head widened too)",
        )
    )
