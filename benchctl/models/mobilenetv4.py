"""MobileNetV4 (Qin et al., "MobileNetV4: Universal Models for the Mobile Ecosystem", ECCV 2024,
arXiv:2404.10518). Architecture from timm (`mobilenetv3.py`, `_gen_mobilenet_v4`), whose block lists
are the same as the authors' TensorFlow reference (tensorflow/models,
official/vision/modeling/backbones/mobilenet.py). The seed lacks the paper's appendix (spec tables,
training resolutions) and Table 6 gives no resolution: the zoo uses timm's default resolution for
each variant (224 Conv-S, 256 Conv-M/Hybrid-M, 384 Conv-L/Hybrid-L).
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "Qin et al., MobileNetV4, ECCV 2024 (arXiv:2404.10518)"
_RES = "Table 6 states no resolution; timm's default resolution for this variant"

for _variant, _res in (
    ("conv_small", 224),
    ("conv_medium", 256),
    ("conv_large", 384),
    ("hybrid_medium", 256),
    ("hybrid_large", 384),
):
    register_timm(
        f"mobilenetv4_{_variant}",
        family="mobilenetv4",
        variant=_variant,
        module="mobilenetv3",
        paper=PAPER,
        input_size=(3, _res, _res),
        notes=_RES,
    )
