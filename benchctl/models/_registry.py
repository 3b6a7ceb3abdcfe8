"""The model registry: names → `ModelSpec` (timm-shaped: `register_model`, `create_model`,
`list_models`).

A spec holds everything about a model that is known without importing torch: its family, variant,
input size, where its architecture's source lives (hashed into the artifact cache key), the factory
that builds it, and the facts the papers publish about it (read lazily from `published.csv`). The
factory is only called by `create_model`, which imports torch.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.metadata
import importlib.util
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from benchctl.errors import ConfigError
from benchctl.registry import Registry

if TYPE_CHECKING:
    import torch

    from benchctl.models._published import PublishedFact

ModelFactory = Callable[..., "torch.nn.Module"]
Role = Literal["seed", "comparator", "user"]


@dataclass(frozen=True)
class ModelSpec:
    """What the zoo knows about one registered model."""

    name: str  # registry key, family_variant (timm naming)
    family: str  # e.g. "mobileone"
    variant: str  # e.g. "s0"
    factory: ModelFactory = field(repr=False, compare=False)
    input_size: tuple[int, int, int] = (3, 224, 224)  # C, H, W; batch is a run option
    has_reparam: bool = False  # train-time branches that fold into an inference graph
    paper: str = ""  # citation of the architecture's paper
    source: str = ""  # "timm:<entrypoint>", "torchvision:<fn>" or "benchctl:<module>"
    # Files whose content defines the architecture: (distribution, path inside it), or ("file",
    # absolute path) for a user's module. Hashed into the artifact cache key so a changed
    # architecture never reuses a stale artifact.
    source_files: tuple[tuple[str, str], ...] = ()
    is_test: bool = False  # tiny variant for the test suite
    role: Role = "seed"  # a seed paper's own model, one the seeds compare against, or the user's
    notes: str = ""  # where the definition or its input size comes from, when it is a choice

    def source_hash(self) -> str:
        """sha256 over the architecture's source files and the versions of their distributions."""
        h = hashlib.sha256()
        for dist, rel in self.source_files:
            path = _locate(dist, rel)
            h.update(f"{dist}=={_dist_version(dist)}:{rel}\n".encode())
            h.update(path.read_bytes())
        return "sha256:" + h.hexdigest()

    @property
    def published(self) -> tuple[PublishedFact, ...]:
        """The seed papers' facts about this model (params, FLOPs/MACs, top-1), primary first."""
        from benchctl.models._published import published_facts

        return published_facts(self.name)

    @property
    def primary(self) -> PublishedFact | None:
        """The published row the zoo quotes for this model (the first in `published.csv`)."""
        rows = self.published
        return rows[0] if rows else None


def _dist_version(dist: str) -> str:
    if dist == "file":
        return ""
    if dist == "benchctl":
        from benchctl import __version__

        return __version__
    return importlib.metadata.version(dist)


def _locate(dist: str, rel: str) -> Path:
    """Path of a file in an installed distribution, found without importing it."""
    if dist == "file":
        return Path(rel)
    if dist == "benchctl":
        return Path(__file__).resolve().parents[2] / rel
    top = rel.split("/", 1)[0]
    spec = importlib.util.find_spec(top)  # finds the top-level package without importing submodules
    if spec is None or spec.origin is None:
        raise ConfigError(f"{dist} is not installed; run: pip install {dist}")
    return Path(spec.origin).parent.parent / rel


# Filled on first use by the `benchctl.models` entry points: the zoo (`register_zoo`), then plugins.
MODELS: Registry[ModelSpec] = Registry("model", group="benchctl.models", entry_type=ModelSpec)


def register_model(spec: ModelSpec) -> ModelSpec:
    """Add a model to the zoo; duplicate names raise."""
    return MODELS.add(spec.name, spec)


@contextmanager
def registered(spec: ModelSpec) -> Iterator[ModelSpec]:
    """`spec` registered for the duration only (a user's factory model, a test's model), then the
    registry exactly as before: nothing leaks into later commands or tests of the process."""
    before = MODELS.get_or_none(spec.name)
    MODELS.add(spec.name, spec, replace=True)
    try:
        yield spec
    finally:
        if before is None:
            MODELS.remove(spec.name)
        else:
            MODELS.add(spec.name, before, replace=True)


def get_model_spec(name: str) -> ModelSpec:
    """The spec registered under `name`; unknown names raise with close matches."""
    return MODELS.get(name)


def list_models(
    pattern: str = "*",
    *,
    family: str | None = None,
    include_test: bool = False,
    paper: str | None = None,
    role: str | None = None,
) -> list[str]:
    """Registered names matching a shell-style pattern and the given filters.

    `paper` matches (case-insensitively, as a substring) the architecture's citation or any seed
    paper whose tables publish facts about the model: `paper="mobilenetv4"` lists MobileNetV4's
    own models and everything its Table 6 compares against.
    """
    out = []
    for name in MODELS.names():
        spec = MODELS.get(name)
        if spec.is_test and not include_test:
            continue
        if family is not None and spec.family != family:
            continue
        if role is not None and spec.role != role:
            continue
        if paper is not None and not _mentions_paper(spec, paper):
            continue
        if fnmatch.fnmatch(name, pattern):
            out.append(name)
    return out


def _mentions_paper(spec: ModelSpec, paper: str) -> bool:
    needle = paper.lower()
    if needle in spec.paper.lower():
        return True
    return any(
        needle in row.paper_key or needle in row.paper.lower() or needle == row.seed
        for row in spec.published
    )


def create_model(name: str, **kwargs: Any) -> torch.nn.Module:
    """Build the model in train mode with fresh random weights.

    `None` overrides are dropped (as timm does) so unset CLI flags never clobber a family default.
    """
    spec = get_model_spec(name)
    return spec.factory(**{k: v for k, v in kwargs.items() if v is not None})
