"""The example plugin's model family: a tiny CNN defined here (its source is hashed into the
artifact cache key through `source_files`, as the zoo's are)."""

from __future__ import annotations

from typing import Any

from benchctl.models import ModelSpec
from benchctl.registry import Registry


def tinynet(num_classes: int = 10, **_: Any) -> Any:
    import torch
    from torch import nn

    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(8, num_classes),
    )


def register(registry: Registry[ModelSpec]) -> None:
    registry.add(
        "example_tinynet",
        ModelSpec(
            name="example_tinynet",
            family="example",
            variant="tiny",
            factory=tinynet,
            input_size=(3, 32, 32),
            paper="benchctl example plugin",
            source="benchctl-example-plugin:tinynet",
            source_files=(("benchctl-example-plugin", "benchctl_example_plugin/models.py"),),
        ),
    )
