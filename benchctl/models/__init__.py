"""The architecture zoo: one family per module (timm-shaped), each registering its models when
imported. `register_zoo` imports them: it is the `benchctl.models` entry point benchctl itself
declares (`benchctl/plugins.py`), so the zoo fills `MODELS` on first use, exactly as a plugin's
families do. Registration imports neither torch nor timm: every factory imports them when
called. Seed models (the five seed papers' own) and the models they compare against carry the
papers' published facts (`spec.published`); `computed_facts` counts params and MACs,
`verify_model` compares them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from benchctl.models._facts import (
    ComputedFacts,
    computed_facts,
    count_params_macs,
    facts_cache_path,
)
from benchctl.models._published import PublishedFact, published_facts, published_models
from benchctl.models._registry import (
    MODELS,
    ModelSpec,
    create_model,
    get_model_spec,
    list_models,
    register_model,
    registered,
)
from benchctl.models._reparam import reparameterize_model
from benchctl.models._timm import register_timm, register_torchvision
from benchctl.models._user import OnnxModelRef, resolve_model_ref
from benchctl.models._verify import (
    MACS_TOLERANCE,
    PARAMS_TOLERANCE,
    Check,
    VerifyRow,
    check_fact,
    status_counts,
    verify_model,
    verify_models,
)

if TYPE_CHECKING:
    from benchctl.registry import Registry

FAMILIES = (
    "convit",
    "convnext",
    "deit",
    "efficientnet",
    "efficientvit",
    "emo",
    "fastvit",
    "mixnet",
    "mnasnet",
    "mobilenetv1",
    "mobilenetv2",
    "mobilenetv3",
    "mobilenetv4",
    "mobileone",
    "mobilevit",
    "mobilevitv2",
    "pit",
    "repvgg",
    "resnet",
    "shufflenetv2",
)


def register_zoo(registry: Registry[ModelSpec]) -> None:
    """benchctl's own families: each module registers its models into `MODELS` as it is imported
    (`registry` is `MODELS`; a family imported earlier registered itself then)."""
    for family in FAMILIES:
        importlib.import_module(f"benchctl.models.{family}")


__all__ = [
    "FAMILIES",
    "MACS_TOLERANCE",
    "MODELS",
    "PARAMS_TOLERANCE",
    "Check",
    "ComputedFacts",
    "ModelSpec",
    "OnnxModelRef",
    "PublishedFact",
    "VerifyRow",
    "check_fact",
    "computed_facts",
    "count_params_macs",
    "create_model",
    "facts_cache_path",
    "get_model_spec",
    "list_models",
    "published_facts",
    "published_models",
    "register_model",
    "register_timm",
    "register_zoo",
    "register_torchvision",
    "registered",
    "reparameterize_model",
    "resolve_model_ref",
    "status_counts",
    "verify_model",
    "verify_models",
]
