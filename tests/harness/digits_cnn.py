"""A small CNN trained for a few seconds on scikit-learn's digits (a real image dataset that a
package ships: 1797 handwritten 8×8 digits), for the measured-accuracy tests.

The images are written as 8×8 PNG files in an ImageFolder tree and read back through the very
preprocessing `benchctl eval` uses (timm's transform for the model's `pretrained_cfg`: bilinear
upsampling to 16×16, mean/std 0.5), so the trained weights fit what evaluation feeds them.

Importable as a user factory: `digits_cnn:build` (untrained, for `--weights`) and
`digits_cnn:trained` (loads `$DIGITS_CNN_WEIGHTS` itself: a factory bringing its own weights).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import torch
from torch import nn

INPUT_SIZE = (3, 16, 16)
TEST_EVERY = 4  # every 4th image is held out for evaluation (449 of 1797)


class DigitsCNN(nn.Module):
    # timm's data config for this architecture (resolve_data_config reads it).
    pretrained_cfg = {
        "input_size": INPUT_SIZE,
        "interpolation": "bilinear",
        "crop_pct": 1.0,
        "crop_mode": "center",
        "mean": (0.5, 0.5, 0.5),
        "std": (0.5, 0.5, 0.5),
        "num_classes": 10,
    }

    def __init__(self) -> None:
        super().__init__()

        def block(cin: int, cout: int) -> list[nn.Module]:
            return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]

        self.features = nn.Sequential(
            *block(3, 16),
            nn.MaxPool2d(2),
            *block(16, 32),
            nn.MaxPool2d(2),
            *block(32, 32),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def build() -> nn.Module:
    return DigitsCNN()


def trained() -> nn.Module:
    model = DigitsCNN()
    model.load_state_dict(torch.load(os.environ["DIGITS_CNN_WEIGHTS"], weights_only=True))
    return model


def write_digits(root: Path) -> tuple[Path, Path]:
    """scikit-learn's digits as PNG ImageFolder trees: (train, test)."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    train, test = root / "train", root / "test"
    for i, (image, label) in enumerate(zip(digits.images, digits.target, strict=True)):
        folder = (test if i % TEST_EVERY == 0 else train) / str(int(label))
        folder.mkdir(parents=True, exist_ok=True)
        pixels = np.round(image * (255 / 16)).astype(np.uint8)
        Image.fromarray(pixels, mode="L").save(folder / f"{i:04d}.png")
    return train, test


def train(train_dir: Path, *, seconds: float = 20.0, epochs: int = 8, seed: int = 0) -> DigitsCNN:
    """A few epochs of Adam on the train tree, through eval's own preprocessing (one thread:
    tiny batches run many times faster so on a shared CPU, and deterministically)."""
    from torch.utils.data import DataLoader

    from benchctl.harness.evaluate.dataset import open_dataset
    from benchctl.harness.evaluate.preprocess import data_config, make_transform

    torch.manual_seed(seed)
    model = DigitsCNN()
    transform = make_transform(data_config(model, INPUT_SIZE))
    data = open_dataset(train_dir).torch_dataset(transform)
    images = torch.stack([data[i][0] for i in range(len(data))])
    labels = torch.tensor([data[i][1] for i in range(len(data))])
    loader = DataLoader(
        list(zip(images, labels, strict=True)),
        batch_size=64,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    start = time.monotonic()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        model.train()
        for _ in range(epochs):
            for x, y in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            if time.monotonic() - start > seconds:
                break
    finally:
        torch.set_num_threads(threads)
    return model.eval()
