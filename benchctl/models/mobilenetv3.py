"""MobileNetV3 (Howard et al., "Searching for MobileNetV3", ICCV 2019, arXiv:1905.02244).
Architecture from timm (`mobilenetv3.py`). Large-0.5× has no timm entrypoint; it is timm's own
MobileNetV3 generator at channel multiplier 0.5 (channels rounded to multiples of 8, the
1280-channel head kept, as for the 0.75× entrypoint).
"""

from __future__ import annotations

from typing import Any

from benchctl.models._registry import ModelSpec, register_model
from benchctl.models._timm import register_timm

PAPER = "Howard et al., Searching for MobileNetV3, ICCV 2019 (arXiv:1905.02244)"

for _name, _variant in (
    ("mobilenetv3_small_100", "small_1.0"),
    ("mobilenetv3_large_075", "large_0.75"),
    ("mobilenetv3_large_100", "large_1.0"),
):
    register_timm(_name, family="mobilenetv3", variant=_variant, module="mobilenetv3", paper=PAPER)


def _large_050(**kwargs: Any):
    from timm.models.mobilenetv3 import _gen_mobilenet_v3

    # An explicit (weightless) pretrained_cfg: timm has none for this width and would warn.
    return _gen_mobilenet_v3(
        "mobilenetv3_large_050",
        0.5,
        pretrained=False,
        pretrained_cfg={"architecture": "mobilenetv3_large_050"},
        **kwargs,
    )


register_model(
    ModelSpec(
        name="mobilenetv3_large_050",
        family="mobilenetv3",
        variant="large_0.5",
        factory=_large_050,
        paper=PAPER,
        source="benchctl:benchctl.models.mobilenetv3",
        source_files=(
            ("benchctl", "benchctl/models/mobilenetv3.py"),
            ("timm", "timm/models/mobilenetv3.py"),
        ),
        notes="no timm entrypoint at this width: timm's _gen_mobilenet_v3 at channel "
        "multiplier 0.5",
    )
)
