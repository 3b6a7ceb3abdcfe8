"""Registry name → a torch module ready to export: random weights (seeded), BatchNorm statistics
calibrated on random batches, reparameterized, in eval mode, with an example input.

Random weights give huge activations (MobileOne's outputs reach ~1e12) unless BatchNorm statistics
are calibrated; with them, outputs are O(1) and parity checks between formats mean something.
Trained weights (`--weights`, or a user's factory, which brings its own) keep their statistics:
calibrating them on noise would destroy what training learnt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchctl.models import ModelSpec, get_model_spec

if TYPE_CHECKING:
    import torch

CALIBRATION_BATCHES = 4
CALIBRATION_BATCH_SIZE = 8


@dataclass
class BuiltModel:
    spec: ModelSpec
    module: torch.nn.Module  # eval mode, reparameterized
    example: torch.Tensor  # a fixed input (seeded) of the run's shape
    input_shape: tuple[int, ...]  # N, C, H, W


def build_options(
    batch: int, seed: int, weights: str | None = None, *, calibrate: bool = True
) -> dict[str, Any]:
    """Everything besides the architecture that decides the exported weights (for cache keys).

    `weights` is the content sha256 of a `--weights` file; with it, or with `calibrate=False`
    (a user's factory), BatchNorm statistics are not recalibrated."""
    options: dict[str, Any] = {
        "batch": batch,
        "seed": seed,
        "calibration_batches": CALIBRATION_BATCHES,
        "calibration_batch_size": CALIBRATION_BATCH_SIZE,
        "reparameterize": True,
    }
    if weights is not None:
        options["weights"] = weights
    if weights is not None or not calibrate:
        options["calibration_batches"] = 0
    return options


def calibrate_batchnorm(
    model: torch.nn.Module,
    input_size: tuple[int, ...],
    *,
    batches: int = CALIBRATION_BATCHES,
    batch_size: int = CALIBRATION_BATCH_SIZE,
    seed: int = 0,
) -> torch.nn.Module:
    """Recompute every BatchNorm's running statistics as the plain average over random batches."""
    import torch

    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for bn in norms:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average instead of an exponential one
    gen = torch.Generator().manual_seed(seed)
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(batch_size, *input_size, generator=gen))
    model.eval()
    return model


def reparameterize(model: torch.nn.Module) -> torch.nn.Module:
    """Fold train-time branches into inference convs (timm's walker calls each block's
    `reparameterize()`/`fuse()`); a model without such blocks is returned unchanged."""
    from timm.utils.model import reparameterize_model

    return reparameterize_model(model, inplace=True)


def build_model(
    model: str | ModelSpec, *, batch: int = 1, seed: int = 0, weights: Path | None = None
) -> BuiltModel:
    """Build the inference form of a model (a registered name, or the spec itself: a user's
    factory is never registered), deterministically for a given seed.

    With `weights`, the file's tensors replace the random ones (before reparameterization: a
    checkpoint holds the train-time form). A user's factory model keeps the weights it built.
    """
    import torch

    spec = model if isinstance(model, ModelSpec) else get_model_spec(model)
    name = spec.name
    torch.manual_seed(seed)
    module = spec.factory()
    if weights is not None:
        from benchctl.models.weights import apply_weights

        apply_weights(module, weights, name)
    elif spec.role != "user":
        calibrate_batchnorm(module, spec.input_size, seed=seed)
    if spec.has_reparam:
        reparameterize(module)
    module.eval()
    shape = (batch, *spec.input_size)
    example = torch.randn(*shape, generator=torch.Generator().manual_seed(seed + 1))
    return BuiltModel(spec=spec, module=module, example=example, input_shape=shape)
