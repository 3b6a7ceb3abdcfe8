"""Helpers for zoo entries whose architecture is defined by timm (or, where timm lacks one, by
torchvision). Weights are never downloaded: every factory passes `pretrained=False`/`weights=None`.
"""

from __future__ import annotations

from typing import Any

from benchctl.models._registry import ModelFactory, ModelSpec, Role, register_model


def timm_factory(entrypoint: str, **defaults: Any) -> ModelFactory:
    """A factory calling `timm.create_model(entrypoint)` without pretrained weights (no hub)."""

    def build(**kwargs: Any):
        import timm

        return timm.create_model(entrypoint, pretrained=False, **{**defaults, **kwargs})

    build.__name__ = f"timm_{entrypoint}"
    return build


def register_timm(
    name: str,
    *,
    family: str,
    variant: str,
    module: str | tuple[str, ...],
    paper: str,
    input_size: tuple[int, int, int] = (3, 224, 224),
    has_reparam: bool = False,
    entrypoint: str | None = None,
    role: Role = "seed",
    notes: str = "",
) -> ModelSpec:
    """Register a timm entrypoint whose architecture lives in `timm/models/<module>.py`.

    `module` may name several files (a model class built on another's blocks); `entrypoint`
    defaults to `name`, give it when the zoo's name differs from timm's.
    """
    entrypoint = entrypoint or name
    modules = (module,) if isinstance(module, str) else module
    return register_model(
        ModelSpec(
            name=name,
            family=family,
            variant=variant,
            factory=timm_factory(entrypoint),
            input_size=input_size,
            has_reparam=has_reparam,
            paper=paper,
            source=f"timm:{entrypoint}",
            source_files=tuple(("timm", f"timm/models/{m}.py") for m in modules),
            role=role,
            notes=notes,
        )
    )


def torchvision_factory(fn: str) -> ModelFactory:
    """A factory calling `torchvision.models.<fn>(weights=None)`."""

    def build(**kwargs: Any):
        import torchvision

        return getattr(torchvision.models, fn)(weights=None, **kwargs)

    build.__name__ = f"torchvision_{fn}"
    return build


def register_torchvision(
    name: str,
    *,
    family: str,
    variant: str,
    module: str,
    paper: str,
    input_size: tuple[int, int, int] = (3, 224, 224),
    role: Role = "comparator",
    notes: str = "",
) -> ModelSpec:
    """Register a torchvision builder defined in `torchvision/models/<module>.py`."""
    return register_model(
        ModelSpec(
            name=name,
            family=family,
            variant=variant,
            factory=torchvision_factory(name),
            input_size=input_size,
            paper=paper,
            source=f"torchvision:{name}",
            source_files=(("torchvision", f"torchvision/models/{module}.py"),),
            role=role,
            notes=notes,
        )
    )
