"""Trained weights for a model (`--weights PATH`): a PyTorch state dict, a safetensors file, or a
timm training checkpoint.

Reading goes through timm's own `load_state_dict` (safetensors by suffix, otherwise `torch.load`
with `weights_only=True`; a checkpoint's `state_dict`/`model` entry; DDP and torch.compile prefixes
removed), so whatever timm's `train.py` writes loads here. The file's content hash is part of the
artifact cache key (`harness.build.build_options`), so other weights never reuse an artifact.

A file that does not fit the architecture is refused with one line naming the first tensor that
does not fit (in the architecture's own order), rather than PyTorch's multi-line list.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchctl.errors import ConfigError

if TYPE_CHECKING:
    import torch

# Buffers PyTorch fills in itself when a file lacks them (BatchNorm's step counter).
_OPTIONAL_SUFFIXES = ("num_batches_tracked",)


def check_weights_path(path: Path) -> Path:
    """The absolute path of an existing weights file (checked before any work)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ConfigError(f"weights file {str(path)!r} does not exist")
    return path.resolve()


def weights_digest(path: Path) -> str:
    """`sha256:<hex>` of the file's bytes: what identifies the weights in cache keys and rows."""
    from benchctl.runner.digest import content_sha256

    return content_sha256(check_weights_path(path))


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """The tensors in a weights file, by name; an unreadable file is one clear line."""
    import torch
    from timm.models import load_state_dict

    path = check_weights_path(path)
    try:
        # use_ema=False: the trained weights, as timm's validate.py evaluates by default.
        try:
            state: Any = load_state_dict(str(path), use_ema=False, weights_only=True)
        except TypeError:  # a timm before `weights_only` (torch.load defaults to it since 2.6)
            state = load_state_dict(str(path), use_ema=False)
    except Exception as exc:  # torch.load, safetensors and zipfile raise many types
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        detail = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
        raise ConfigError(
            f"cannot read weights {path.name}: {detail} "
            "(expected a state dict, a safetensors file or a timm checkpoint)"
        ) from None
    if not isinstance(state, dict) or not state:
        raise ConfigError(f"{path.name} holds no tensors; expected a state dict of name → tensor")
    bad = next((k for k, v in state.items() if not isinstance(v, torch.Tensor)), None)
    if bad is not None:
        raise ConfigError(
            f"{path.name}: entry {bad!r} is not a tensor ({type(state[bad]).__name__}); give a "
            "state dict, a safetensors file or a checkpoint with a 'state_dict' or 'model' entry"
        )
    return state


def apply_weights(module: torch.nn.Module, path: Path, model_name: str) -> torch.nn.Module:
    """Load the file's tensors into `module` (the architecture's train-time form), strictly."""
    state = read_state_dict(path)
    own = module.state_dict()
    name = Path(path).name
    for key, tensor in own.items():
        if key not in state:
            if key.endswith(_OPTIONAL_SUFFIXES):
                continue
            raise ConfigError(
                f"{name} does not fit {model_name}: tensor {key!r} "
                f"{list(tensor.shape)} is missing from the file"
            )
        if tuple(state[key].shape) != tuple(tensor.shape):
            raise ConfigError(
                f"{name} does not fit {model_name}: tensor {key!r} is "
                f"{list(state[key].shape)} in the file, {list(tensor.shape)} in the architecture"
            )
    extra = [k for k in state if k not in own]
    if extra:
        more = f" (and {len(extra) - 1} more)" if len(extra) > 1 else ""
        raise ConfigError(
            f"{name} does not fit {model_name}: the file has tensor {extra[0]!r} that the "
            f"architecture lacks{more}"
        )
    module.load_state_dict(state, strict=False)  # every key checked above; optional ones kept
    return module
