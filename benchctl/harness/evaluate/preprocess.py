"""A model's own preprocessing, from timm's data config: resize, centre crop, mean, std and
interpolation, exactly as timm's `validate.py` evaluates the architecture.

`resolve_data_config` reads the model's `pretrained_cfg` (every timm model has one, pretrained or
not; a user's module may define one too, else timm's ImageNet defaults apply); the input size is
always the zoo's (the size the artifact was exported at), so the crop fits the artifact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch


def data_config(module: torch.nn.Module, input_size: tuple[int, ...]) -> dict[str, Any]:
    """timm's evaluation data config for `module` at the artifact's `input_size` (C, H, W)."""
    from timm.data import resolve_data_config

    config = resolve_data_config({"input_size": tuple(input_size)}, model=module)
    return {
        "input_size": [int(v) for v in config["input_size"]],
        "interpolation": str(config["interpolation"]),
        "mean": [float(v) for v in config["mean"]],
        "std": [float(v) for v in config["std"]],
        "crop_pct": float(config["crop_pct"]),
        "crop_mode": str(config.get("crop_mode", "center")),
    }


def config_digest(config: dict[str, Any]) -> str:
    """`sha256:<hex>` of the canonical JSON of a data config (part of an accuracy's key)."""
    blob = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def make_transform(config: dict[str, Any]) -> Callable[[Any], torch.Tensor]:
    """PIL image → normalized C×H×W float tensor, built by timm's `create_transform`."""
    from timm.data import create_transform

    return create_transform(
        input_size=tuple(config["input_size"]),
        is_training=False,
        interpolation=config["interpolation"],
        mean=tuple(config["mean"]),
        std=tuple(config["std"]),
        crop_pct=config["crop_pct"],
        crop_mode=config["crop_mode"],
    )


def describe(config: dict[str, Any]) -> str:
    """One line for tables: "resize 36 bilinear → crop 32, mean (0.5…), std (0.5…)"."""
    size = config["input_size"][-1]
    scale = int(size / config["crop_pct"])
    mean = ", ".join(f"{v:.3g}" for v in config["mean"])
    std = ", ".join(f"{v:.3g}" for v in config["std"])
    return (
        f"resize {scale} {config['interpolation']} → {config['crop_mode']} crop {size}, "
        f"mean ({mean}), std ({std})"
    )
