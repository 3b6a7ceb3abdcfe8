"""Computed facts about a model: parameters and multiply-accumulates (MACs) at its input size.

One counter, used for every model: PyTorch's `torch.utils.flop_counter.FlopCounterMode`, run on one
forward pass (batch 1, eval mode, CPU) of the *inference* form of the model (reparameterized for
families that fold train-time branches, because the papers report inference params and FLOPs).

What it counts: convolutions (including grouped and depthwise), matrix products (`mm`, `addmm`,
`bmm`, `baddbmm`, hence `nn.Linear` and attention's `Q·Kᵀ` and `A·V`) and fused
scaled-dot-product attention (registered here for the CPU kernel, which the stock table misses).
It reports FLOPs as 2 per multiply-add; MACs = FLOPs / 2. Not counted: biases, normalization,
activations, softmax, pooling, element-wise adds and resampling — a few percent at most for the
zoo's models, and the reason counts can sit slightly below those of fvcore, which adds
normalization and pooling. Parameters are `sum(p.numel())` over the inference model, BatchNorm
affine parameters included, buffers (running statistics) excluded.

Results are cached in `<BENCHCTL_HOME>/cache/model_facts.json`, keyed by model name and input
size and invalidated by the architecture's source hash, the counter version and torch's version.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchctl.errors import ConfigError
from benchctl.models._registry import ModelSpec, get_model_spec

if TYPE_CHECKING:
    import torch

COUNTER_VERSION = 1  # bump when what is counted changes; invalidates every cached entry
CACHE_FILE = "model_facts.json"


@dataclass(frozen=True)
class ComputedFacts:
    """Params and MACs of one model at one input size, with how they were counted."""

    name: str
    input_size: tuple[int, int, int]  # C, H, W
    params: int
    macs: int  # multiply-accumulates for one image
    reparameterized: bool  # counted on the inference form
    counter: str  # tool and version
    source_hash: str

    @property
    def params_m(self) -> float:
        return self.params / 1e6

    @property
    def macs_m(self) -> float:
        return self.macs / 1e6

    @property
    def resolution(self) -> int:
        return self.input_size[1]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["input_size"] = list(self.input_size)
        d["params_m"] = round(self.params_m, 4)
        d["macs_m"] = round(self.macs_m, 2)
        return d


def counter_name() -> str:
    import torch

    return f"torch.utils.flop_counter.FlopCounterMode (torch {torch.__version__}), MACs = FLOPs/2"


def count_params_macs(model: torch.nn.Module, input_size: tuple[int, ...]) -> tuple[int, int]:
    """Parameters and MACs of one forward pass of `model` on a random (1, *input_size) input."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

    def sdpa(query_shape, key_shape, value_shape, *args: Any, **kwargs: Any) -> int:
        return sdpa_flop_count(query_shape, key_shape, value_shape)

    aten = torch.ops.aten
    mapping = {aten._scaled_dot_product_flash_attention_for_cpu: sdpa}
    if hasattr(aten, "_scaled_dot_product_fused_attention_overrideable"):
        mapping[aten._scaled_dot_product_fused_attention_overrideable] = sdpa
    model.eval()
    for p in model.parameters():
        # FlopCounterMode's module tracker hooks autograd; parameters that need no gradient keep
        # it out of models whose forward passes tuples (PiT) under no_grad.
        p.requires_grad_(False)
    params = sum(p.numel() for p in model.parameters())
    x = torch.randn(1, *input_size, generator=torch.Generator().manual_seed(0))
    # One thread: the count depends on shapes only, and a batch-1 pass under the counter's
    # per-op hooks gains nothing from intra-op threads, whose spinning costs up to ~6x the CPU
    # time on a busy host (the zoo's comparators: 184 s → 29 s of CPU, identical counts).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.no_grad(), FlopCounterMode(display=False, custom_mapping=mapping) as counter:
            model(x)
    finally:
        torch.set_num_threads(threads)
    return params, counter.get_total_flops() // 2


def _count_spec(spec: ModelSpec, input_size: tuple[int, int, int]) -> ComputedFacts:
    import torch

    torch.manual_seed(0)
    model = spec.factory()
    if spec.has_reparam:
        from benchctl.models._reparam import reparameterize_model

        model = reparameterize_model(model.eval(), inplace=True)
    params, macs = count_params_macs(model, input_size)
    return ComputedFacts(
        name=spec.name,
        input_size=input_size,
        params=params,
        macs=macs,
        reparameterized=spec.has_reparam,
        counter=counter_name(),
        source_hash=_safe_hash(spec),
    )


def _chw(size: tuple[int, ...]) -> tuple[int, int, int]:
    if len(size) != 3:
        raise ConfigError(f"an input size is (channels, height, width); got {tuple(size)}")
    c, h, w = (int(v) for v in size)
    return c, h, w


def _safe_hash(spec: ModelSpec) -> str:
    return spec.source_hash() if spec.source_files else ""


def facts_cache_path() -> Path:
    """The JSON file that caches computed facts (per name, input size and source hash)."""
    from benchctl.config import home

    return home() / "cache" / CACHE_FILE


def _cache_key(name: str, input_size: tuple[int, int, int]) -> str:
    return f"{name}@{'x'.join(map(str, input_size))}"


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a missing or corrupt cache is only a slower run


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".model_facts.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def computed_facts(
    model: str | ModelSpec,
    input_size: tuple[int, int, int] | None = None,
    *,
    use_cache: bool = True,
) -> ComputedFacts:
    """Params and MACs of a registered model (or a spec) at `input_size` (default: its own).

    Cached per name, input size and source hash; user models (`role == "user"`) are never cached
    because their source can change without a version.
    """
    spec = get_model_spec(model) if isinstance(model, str) else model
    size = _chw(input_size or spec.input_size)
    if not (use_cache and spec.role != "user"):
        return _count_spec(spec, size)
    import torch

    path = facts_cache_path()
    key = _cache_key(spec.name, size)
    stamp = {
        "source_hash": _safe_hash(spec),
        "counter_version": COUNTER_VERSION,
        "torch": torch.__version__,
    }
    data = _read_cache(path)
    hit = data.get(key)
    if hit and all(hit.get(k) == v for k, v in stamp.items()):
        return ComputedFacts(
            name=spec.name,
            input_size=size,
            params=hit["params"],
            macs=hit["macs"],
            reparameterized=hit["reparameterized"],
            counter=hit["counter"],
            source_hash=hit["source_hash"],
        )
    facts = _count_spec(spec, size)
    data = _read_cache(path)  # re-read: another process may have added entries meanwhile
    data[key] = {
        **stamp,
        "params": facts.params,
        "macs": facts.macs,
        "reparameterized": facts.reparameterized,
        "counter": facts.counter,
    }
    _write_cache(path, data)
    return facts
