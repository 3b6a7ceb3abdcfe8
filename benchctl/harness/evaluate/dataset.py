"""Labelled images to evaluate on: an ImageFolder tree (`DIR/<class>/<image>`, classes numbered in
sorted folder-name order, as torchvision and timm number ImageNet's synset folders) or a CSV of
`path,label` (integer class index; paths relative to the CSV's folder).

The dataset's identity is a content hash over every sample in order (relative path, label and the
image's bytes), so an accuracy is tied to exactly the images and labels it was measured on; a
renamed copy hashes the same, a relabelled one does not. `--limit N` takes N samples chosen by a
seeded permutation (every class has its chance, unlike the first N of a class-sorted tree), and
that subset is part of the identity too.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchctl.errors import ConfigError
from benchctl.runner.digest import content_sha256

SUBSET_SEED = 0


@dataclass(frozen=True)
class Sample:
    path: Path
    label: int


@dataclass(frozen=True)
class Dataset:
    name: str  # the folder's or the CSV's name
    root: Path  # what --dataset named (absolute)
    layout: str  # "imagefolder" or "csv"
    samples: tuple[Sample, ...]
    classes: tuple[str, ...] | None  # ImageFolder class names by index; None for a CSV

    def subset(self, limit: int | None) -> Dataset:
        """`limit` samples by a seeded permutation (kept in dataset order); all when None."""
        if limit is None or limit >= len(self.samples):
            return self
        import numpy as np

        chosen = sorted(np.random.default_rng(SUBSET_SEED).permutation(len(self.samples))[:limit])
        return Dataset(
            self.name,
            self.root,
            self.layout,
            tuple(self.samples[i] for i in chosen),
            self.classes,
        )

    def content_sha256(self) -> str:
        """sha256 over (relative path, label, image sha256) of every sample, in order."""
        base = self.root if self.root.is_dir() else self.root.parent
        h = hashlib.sha256()
        for s in self.samples:
            try:
                rel = s.path.relative_to(base).as_posix()
            except ValueError:
                rel = s.path.as_posix()
            h.update(f"{rel}\t{s.label}\t{content_sha256(s.path)}\n".encode())
        return "sha256:" + h.hexdigest()

    def torch_dataset(self, transform: Any) -> Any:
        """A `torch.utils.data.Dataset` of (tensor, label), loading with torchvision's loader."""
        from torch.utils.data import Dataset as TorchDataset
        from torchvision.datasets.folder import default_loader

        samples = self.samples

        class _Images(TorchDataset):
            def __len__(self) -> int:
                return len(samples)

            def __getitem__(self, i: int) -> tuple[Any, int]:
                s = samples[i]
                try:
                    image = default_loader(str(s.path))
                except OSError as exc:
                    raise ConfigError(f"cannot read image {s.path}: {exc}") from None
                return transform(image), s.label

        return _Images()


def open_dataset(path: Path) -> Dataset:
    """An ImageFolder tree or a `path,label` CSV; every problem is one line saying what to fix."""
    path = Path(path).expanduser()
    if path.is_dir():
        return _image_folder(path.resolve())
    if path.is_file() and path.suffix.lower() == ".csv":
        return _csv(path.resolve())
    if path.is_file():
        raise ConfigError(
            f"--dataset {str(path)!r}: give a folder of class folders (ImageFolder) or a .csv "
            "of path,label"
        )
    raise ConfigError(f"dataset {str(path)!r} does not exist")


def _image_folder(root: Path) -> Dataset:
    from torchvision.datasets import ImageFolder

    try:
        folder = ImageFolder(str(root), allow_empty=False)
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{root} is not an ImageFolder dataset ({exc}); lay it out as DIR/<class>/<image>"
        ) from None
    samples = tuple(Sample(Path(p), int(label)) for p, label in folder.samples)
    return Dataset(root.name, root, "imagefolder", samples, tuple(folder.classes))


def _csv(path: Path) -> Dataset:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read dataset {path}: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or not {"path", "label"} <= set(reader.fieldnames):
        raise ConfigError(f"{path}: needs the columns path,label (label: an integer class index)")
    samples = []
    for line, rec in enumerate(reader, start=2):
        image = (rec.get("path") or "").strip()
        file = (path.parent / image).resolve()
        if not image or not file.is_file():
            raise ConfigError(f"{path}:{line}: image {image!r} does not exist")
        try:
            label = int((rec.get("label") or "").strip())
        except ValueError:
            raise ConfigError(
                f"{path}:{line}: label {rec.get('label')!r} is not an integer class index"
            ) from None
        if label < 0:
            raise ConfigError(f"{path}:{line}: label {label} is negative")
        samples.append(Sample(file, label))
    if not samples:
        raise ConfigError(f"{path} lists no images")
    return Dataset(path.stem, path, "csv", tuple(samples), None)
