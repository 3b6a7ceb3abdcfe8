"""Models the user brings: `--model path/to/model.onnx` or `--model package.module:factory`.

`resolve_model_ref` turns whatever `--model` says into either a `ModelSpec` (a registered name, or
a factory in the user's code, wrapped so the harness treats it like any zoo model, but never
registered: a run carries the spec itself, so two runs in one process never see each other's) or an
`OnnxModelRef` (a file benchmarked as given: no build, no reparameterization, no conversion to
ONNX). Every bad reference is a `ConfigError` that says what to fix.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchctl.errors import ConfigError
from benchctl.models._registry import MODELS, ModelSpec

DEFAULT_INPUT_SIZE = (3, 224, 224)
_FACTORY_REF = re.compile(r"^(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<attr>[A-Za-z_]\w*)$")


@dataclass(frozen=True)
class OnnxModelRef:
    """An ONNX file to benchmark as given."""

    path: Path  # absolute
    sha256: str  # "sha256:<hex>" of the file's bytes
    input_name: str
    declared_shape: tuple[int | str, ...]  # the graph input's shape; str for a symbolic dim
    input_shape: tuple[int, ...] | None  # the shape to feed: given, or declared when all static

    @property
    def name(self) -> str:
        return self.path.stem


def resolve_model_ref(
    ref: str, input_shape: Sequence[int] | None = None
) -> ModelSpec | OnnxModelRef:
    """What `--model REF` names.

    Args:
        ref: a registered name (`mobileone_s0`), a path to an `.onnx` file, or
            `package.module:factory` where `factory()` returns a `torch.nn.Module`.
        input_shape: for a factory, the per-sample input (C, H, W), default 3×224×224; for an
            ONNX file, the full input shape, needed only where the file's is symbolic. Ignored
            (must be None) for a registered name, whose input size is part of its definition.

    Raises:
        ConfigError: missing or unreadable file, module that does not import, missing or
            non-callable factory, a shape that does not fit. (`UnknownNameError`, a ConfigError,
            when REF looks like a registry name that is not registered.)
    """
    ref = ref.strip()
    if ref in MODELS:
        if input_shape is not None:
            size = "×".join(map(str, MODELS.get(ref).input_size))
            raise ConfigError(
                f"{ref} is a zoo model with a fixed input size {size}; drop --input-shape"
            )
        return MODELS.get(ref)
    if ref.lower().endswith(".onnx") or "/" in ref or "\\" in ref:
        return _onnx_ref(Path(ref), input_shape)
    if ":" in ref:
        return _factory_ref(ref, input_shape)
    return MODELS.get(ref)  # raises UnknownNameError with close matches


def _onnx_ref(path: Path, input_shape: Sequence[int] | None) -> OnnxModelRef:
    path = path.expanduser()
    if path.is_dir():
        raise ConfigError(f"{str(path)!r} is a folder, not an ONNX file; give the .onnx file")
    if not path.is_file():
        raise ConfigError(f"model file {str(path)!r} does not exist")
    if path.stat().st_size == 0:
        raise ConfigError(f"{str(path)!r} is empty (0 bytes), not an ONNX model")
    if path.suffix.lower() != ".onnx":
        raise ConfigError(
            f"{str(path)!r} is not an .onnx file; give an ONNX model or a "
            "registered name (benchctl models list)"
        )
    import onnx

    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # onnx raises DecodeError, ValueError… for a corrupt file
        raise ConfigError(f"{str(path)!r} is not a readable ONNX model: {exc}") from None
    initializers = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    if len(inputs) != 1:
        raise ConfigError(
            f"{str(path)!r} has {len(inputs)} inputs; benchctl feeds one image tensor"
        )
    dims = inputs[0].type.tensor_type.shape.dim
    declared = tuple(d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in dims)
    shape: tuple[int, ...] | None = None
    if input_shape is not None:
        shape = _positive(input_shape, "--input-shape")
        if len(shape) != len(declared) or any(
            isinstance(d, int) and d != s for d, s in zip(declared, shape, strict=True)
        ):
            raise ConfigError(
                f"--input-shape {list(shape)} does not fit the model's input "
                f"{inputs[0].name!r} of shape {list(declared)}"
            )
    elif all(isinstance(d, int) for d in declared):
        shape = tuple(int(d) for d in declared)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return OnnxModelRef(
        path=path.resolve(),
        sha256=f"sha256:{digest}",
        input_name=inputs[0].name,
        declared_shape=declared,
        input_shape=shape,
    )


def _factory_ref(ref: str, input_shape: Sequence[int] | None) -> ModelSpec:
    match = _FACTORY_REF.match(ref)
    if match is None:
        raise ConfigError(f"--model {ref!r}: a factory is written package.module:function")
    module_name, attr = match["module"], match["attr"]
    module = _import_user_module(module_name, ref)
    factory = getattr(module, attr, None)
    if factory is None:
        raise ConfigError(f"module {module_name!r} has no attribute {attr!r}")
    if not callable(factory):
        raise ConfigError(
            f"{ref} is not callable; it must be a function returning a torch.nn.Module"
        )
    size = DEFAULT_INPUT_SIZE if input_shape is None else _positive(input_shape, "--input-shape")
    if len(size) != 3:
        raise ConfigError(
            f"--input-shape for a factory is one sample's C,H,W (the batch is "
            f"--batch); got {list(size)}"
        )
    origin = getattr(module, "__file__", None)
    return ModelSpec(
        name=ref,
        family="user",
        variant=attr,
        factory=_checked_factory(factory, ref),
        input_size=(size[0], size[1], size[2]),
        source=f"user:{ref}",
        source_files=(("file", str(Path(origin).resolve())),) if origin else (),
        role="user",  # benchmarked as the factory builds it: no reparameterization by us
    )


def _import_user_module(module_name: str, ref: str) -> Any:
    """Import the user's module, from the current directory too (as `python -m` would)."""
    cwd = str(Path.cwd())
    added = cwd not in sys.path
    if added:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"cannot import {module_name!r} for --model {ref}: {exc}") from None
    except Exception as exc:  # the user's module raised while importing
        raise ConfigError(
            f"importing {module_name!r} for --model {ref} failed: {type(exc).__name__}: {exc}"
        ) from None
    finally:
        if added:
            sys.path.remove(cwd)


def _checked_factory(factory: Any, ref: str):
    def build(**kwargs: Any):
        import torch

        try:
            module = factory(**kwargs)
        except Exception as exc:
            raise ConfigError(f"{ref}() raised {type(exc).__name__}: {exc}") from None
        if not isinstance(module, torch.nn.Module):
            raise ConfigError(f"{ref}() returned {type(module).__name__}, not a torch.nn.Module")
        return module

    build.__name__ = f"user_{getattr(factory, '__name__', 'factory')}"
    return build


def _positive(shape: Sequence[int], what: str) -> tuple[int, ...]:
    try:
        dims = tuple(int(v) for v in shape)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} must be integers; got {list(shape)}") from None
    if not dims or any(d <= 0 for d in dims):
        raise ConfigError(f"{what} must be positive integers; got {list(dims)}")
    return dims
