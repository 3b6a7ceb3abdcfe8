"""Fixtures for the measured-accuracy tests: scikit-learn's digits as image folders, a small CNN
trained on them for a few seconds, its weights in every supported file form, and the CNN
registered as a zoo model for one test at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Digits:
    train: Path  # ImageFolder tree, 1347 images
    test: Path  # ImageFolder tree, 450 images
    state_dict: Path  # torch.save(state_dict) .pt
    safetensors: Path
    checkpoint: Path  # a timm-style training checkpoint: {"epoch", "state_dict" with "module."}


@pytest.fixture(scope="session")
def digits(tmp_path_factory: pytest.TempPathFactory) -> Digits:
    import digits_cnn
    import torch
    from safetensors.torch import save_file

    root = tmp_path_factory.mktemp("digits")
    train, test = digits_cnn.write_digits(root / "data")
    state = digits_cnn.train(train).state_dict()
    torch.save(state, root / "digits.pt")
    save_file(state, root / "digits.safetensors")
    wrapped = {f"module.{k}": v for k, v in state.items()}  # as DDP training saves it
    torch.save(
        {"epoch": 7, "arch": "digits_cnn", "state_dict": wrapped}, root / "checkpoint.pth.tar"
    )
    return Digits(
        train, test, root / "digits.pt", root / "digits.safetensors", root / "checkpoint.pth.tar"
    )


@pytest.fixture
def digits_model() -> Iterator[str]:
    """The untrained CNN as a zoo-like model `test_digits_cnn` (for --weights), for this test."""
    import digits_cnn

    from benchctl.models import ModelSpec, registered

    spec = ModelSpec(
        name="test_digits_cnn",
        family="test",
        variant="digits",
        factory=lambda **kwargs: digits_cnn.build(),
        input_size=digits_cnn.INPUT_SIZE,
        paper="scikit-learn digits (test model)",
        source="test:digits_cnn",
        source_files=(("file", digits_cnn.__file__),),
        is_test=True,
    )
    with registered(spec):
        yield spec.name
