"""FastViT (Vasu et al., "FastViT: A Fast Hybrid Vision Transformer using Structural
Reparameterization", ICCV 2023, arXiv:2303.14189). Comparators in MobileNetV4's Table 6, at
FastViT's 256×256 resolution. Architecture from timm's `fastvit.py`; MobileOne-style blocks,
RepMixer token mixers and conditional positional encodings fold into single convs.
"""

from __future__ import annotations

from typing import Any

from benchctl.models._registry import ModelSpec, register_model
from benchctl.models._timm import register_timm

PAPER = "Vasu et al., FastViT, ICCV 2023 (arXiv:2303.14189)"

for _v in ("t8", "s12", "sa12", "sa24", "sa36"):
    register_timm(
        f"fastvit_{_v}",
        family="fastvit",
        variant=_v,
        module="fastvit",
        paper=PAPER,
        input_size=(3, 256, 256),
        has_reparam=True,
        role="comparator",
    )


def _tiny_fastvit(**kwargs: Any):
    """A RepMixer stage and an attention stage with a reparameterizable positional encoding."""
    from functools import partial

    from timm.models.fastvit import FastVit, RepConditionalPosEnc

    return FastVit(
        layers=(1, 1),
        embed_dims=(16, 32),
        mlp_ratios=(2, 2),
        downsamples=(False, True),
        token_mixers=("repmixer", "attention"),
        # timm annotates Module instances; its own configs pass factories like this one
        pos_embs=(None, partial(RepConditionalPosEnc, spatial_shape=(3, 3))),  # type: ignore[arg-type]
        num_classes=kwargs.pop("num_classes", 10),
        **kwargs,
    )


register_model(
    ModelSpec(
        name="test_fastvit",
        family="fastvit",
        variant="test",
        factory=_tiny_fastvit,
        input_size=(3, 64, 64),
        has_reparam=True,
        paper=PAPER,
        source="benchctl:benchctl.models.fastvit",
        source_files=(
            ("benchctl", "benchctl/models/fastvit.py"),
            ("timm", "timm/models/fastvit.py"),
        ),
        is_test=True,
        role="comparator",
    )
)
