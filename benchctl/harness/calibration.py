"""A representative dataset from the user's own images (for full-integer quantization).

Images are resized to the model's input, scaled to [0, 1] and normalized with the ImageNet mean
and standard deviation (what the zoo's models expect), in a sorted, reproducible order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchctl.errors import ConfigError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
MAX_IMAGES = 500


def image_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ConfigError(f"calibration folder {folder} does not exist")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ConfigError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) in {folder}")
    return files[:MAX_IMAGES]


def load_images(folder: Path, input_shape: tuple[int, ...]) -> list[Any]:
    """Batches of shape `input_shape` (N, 3, H, W), float32, from the folder's images."""
    import numpy as np
    from PIL import Image

    n, c, h, w = input_shape
    if c != 3:
        raise ConfigError(f"calibration images need a 3-channel input, the model takes {c}")
    mean = np.array(MEAN, dtype=np.float32)[:, None, None]
    std = np.array(STD, dtype=np.float32)[:, None, None]
    arrays = []
    for path in image_files(folder):
        with Image.open(path) as img:
            rgb = img.convert("RGB").resize((w, h), Image.Resampling.BILINEAR)
        x = np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1) / 255.0
        arrays.append((x - mean) / std)
    batches = [np.stack(arrays[i : i + n]) for i in range(0, len(arrays) - n + 1, n)]
    if not batches:
        raise ConfigError(f"need at least {n} images for batch {n}, found {len(arrays)}")
    return batches
