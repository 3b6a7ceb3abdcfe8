"""A representative dataset from the user's own images (for full-integer quantization).

Images are preprocessed as `benchctl eval` feeds them: the model's own timm data config (resize,
centre crop, mean, std, interpolation; `harness.evaluate.preprocess`). Without a model, they are
resized to the input, scaled to [0, 1] and normalized with the ImageNet mean and standard
deviation. At most `MAX_IMAGES` are used, spread evenly over the sorted list (an ImageFolder
dataset sorted by class then gives every class, not the first few), reproducibly.
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
    if len(files) <= MAX_IMAGES:
        return files
    return [files[i * len(files) // MAX_IMAGES] for i in range(MAX_IMAGES)]


def load_images(folder: Path, input_shape: tuple[int, ...], module: Any = None) -> list[Any]:
    """Batches of shape `input_shape` (N, 3, H, W), float32, from the folder's images; with the
    torch `module`, preprocessed by its data config (as `benchctl eval` does)."""
    import numpy as np
    from PIL import Image

    n, c, h, w = input_shape
    if c != 3:
        raise ConfigError(f"calibration images need a 3-channel input, the model takes {c}")
    transform = None
    if module is not None:
        from benchctl.harness.evaluate.preprocess import data_config, make_transform

        transform = make_transform(data_config(module, (c, h, w)))
    mean = np.array(MEAN, dtype=np.float32)[:, None, None]
    std = np.array(STD, dtype=np.float32)[:, None, None]
    arrays = []
    for path in image_files(folder):
        with Image.open(path) as img:
            if transform is not None:
                arrays.append(transform(img.convert("RGB")).numpy().astype(np.float32))
                continue
            rgb = img.convert("RGB").resize((w, h), Image.Resampling.BILINEAR)
        x = np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1) / 255.0
        arrays.append((x - mean) / std)
    batches = [np.stack(arrays[i : i + n]) for i in range(0, len(arrays) - n + 1, n)]
    if not batches:
        raise ConfigError(f"need at least {n} images for batch {n}, found {len(arrays)}")
    return batches
