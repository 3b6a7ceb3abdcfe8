"""One name for reparameterization: fold train-time branches into the inference graph.

Blocks in timm carry `reparameterize()` (MobileOne, RepVGG, FastViT), `switch_to_deploy()` or
`fuse()`; timm's walker handles all three, so the zoo uses it rather than a walker of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


def reparameterize_model(model: torch.nn.Module, *, inplace: bool = False) -> torch.nn.Module:
    """The inference form of `model` (a deep copy unless `inplace`); a no-op for other models."""
    from timm.utils.model import reparameterize_model as _timm_reparameterize

    return _timm_reparameterize(model, inplace=inplace)
