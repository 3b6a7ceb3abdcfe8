"""PyTorch → a `torch.export` program saved as `.pt2`: the reference runtime's artifact.

Benchmarking PyTorch from a saved exported program (rather than the live module) gives the torch
runtime an artifact with a hash like every other format, and runs the same graph everywhere.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

from benchctl.errors import ConversionError
from benchctl.harness.build import BuiltModel
from benchctl.harness.convert.base import Converted
from benchctl.harness.convert.targets import Target
from benchctl.harness.parity import compare

EXPORTER = "torch.export"
INPUT_NAME = "input"


def exporter_version() -> str:
    return f"torch=={importlib.metadata.version('torch')}"


def options(target: Target) -> dict[str, Any]:
    return {"strict": False}


def convert(
    built: BuiltModel, target: Target, out_dir: Path, calibration: list[Any] | None = None
) -> Converted:
    import torch

    path = out_dir / "model.pt2"
    try:
        program = torch.export.export(built.module, (built.example,), strict=False)
        torch.export.save(program, str(path))
        loaded = torch.export.load(str(path)).module()
    except Exception as exc:
        raise ConversionError(
            f"torch.export failed: {type(exc).__name__}: {str(exc)[:500]}"
        ) from exc
    with torch.no_grad():
        reference = built.module(built.example).numpy()
        candidate = loaded(built.example).numpy()
    parity = compare(candidate, reference, precision=target.precision)
    parity["runtime"] = f"torch=={torch.__version__} CPU (reloaded program)"
    inputs = [{"name": INPUT_NAME, "shape": list(built.input_shape), "dtype": "float32"}]
    return Converted(path, parity, inputs)
