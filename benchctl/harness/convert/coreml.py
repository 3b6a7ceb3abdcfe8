"""PyTorch → Core ML ML program (`.mlpackage`) with coremltools.

Conversion and validation of the package's spec run on Linux; prediction needs macOS (or an
iPhone through the companion app), so on Linux the parity record says it was not checked, and
why. Compute units are a *run* option (recorded in the spec), not a conversion option.
"""

from __future__ import annotations

import importlib.metadata
import platform
import warnings
from pathlib import Path
from typing import Any

from benchctl.errors import ConversionError, DependencyMissingError
from benchctl.harness.build import BuiltModel
from benchctl.harness.convert.base import Converted
from benchctl.harness.convert.targets import Target
from benchctl.harness.parity import compare

EXPORTER = "coremltools.convert(torch.jit.trace)"
INPUT_NAME = "input"
OUTPUT_NAME = "logits"
DEPLOYMENT_TARGET = "iOS16"  # ML programs with fp16 compute need iOS 15+; 16 adds fp16 I/O ops


def exporter_version() -> str:
    try:
        ct = importlib.metadata.version("coremltools")
    except importlib.metadata.PackageNotFoundError:
        ct = "missing"
    return f"coremltools=={ct};torch=={importlib.metadata.version('torch')}"


def options(target: Target) -> dict[str, Any]:
    return {
        **target.options,
        "minimum_deployment_target": DEPLOYMENT_TARGET,
        "convert_to": "mlprogram",
    }


def convert(
    built: BuiltModel, target: Target, out_dir: Path, calibration: list[Any] | None = None
) -> Converted:
    """Write `model.mlpackage` into `out_dir`, validate its spec, check parity where possible."""
    try:
        import coremltools as ct
    except ImportError as exc:
        raise DependencyMissingError(
            "coremltools is missing; pip install 'benchctl[coreml]'"
        ) from exc
    import torch

    precision = {"fp32": ct.precision.FLOAT32, "fp16": ct.precision.FLOAT16}[
        target.options["compute_precision"]
    ]
    path = out_dir / "model.mlpackage"
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            traced = torch.jit.trace(built.module, built.example)
            mlmodel = ct.convert(
                traced,
                inputs=[ct.TensorType(name=INPUT_NAME, shape=tuple(built.input_shape))],
                outputs=[ct.TensorType(name=OUTPUT_NAME)],
                convert_to="mlprogram",
                compute_precision=precision,
                minimum_deployment_target=getattr(ct.target, DEPLOYMENT_TARGET),
                skip_model_load=platform.system() != "Darwin",
            )
            if target.options.get("weights") == "int8-linear":
                config = ct.optimize.coreml.OptimizationConfig(
                    global_config=ct.optimize.coreml.OpLinearQuantizerConfig(
                        mode="linear_symmetric", dtype="int8"
                    )
                )
                mlmodel = ct.optimize.coreml.linear_quantize_weights(mlmodel, config=config)
            mlmodel.save(str(path))
    except Exception as exc:
        raise ConversionError(
            f"Core ML conversion failed: {type(exc).__name__}: {str(exc)[:500]}"
        ) from exc
    notes = validate_package(path)
    parity: dict[str, Any]
    if platform.system() == "Darwin":
        loaded = ct.models.MLModel(str(path), compute_units=ct.ComputeUnit.CPU_ONLY)
        with torch.no_grad():
            reference = built.module(built.example).numpy()
        candidate = loaded.predict({INPUT_NAME: built.example.numpy()})[OUTPUT_NAME]
        parity = compare(candidate, reference, precision=target.precision)
        parity["runtime"] = "coremltools predict, CPU_ONLY"
    else:
        parity = {
            "passed": None,
            "precision": target.precision,
            "reason": "Core ML prediction needs macOS; parity is checked on a Mac or "
            "by the iOS app",
        }
    inputs = [{"name": INPUT_NAME, "shape": list(built.input_shape), "dtype": "float32"}]
    return Converted(path, parity, inputs, notes)


def validate_package(path: Path) -> dict[str, Any]:
    """Read the saved package's spec back (works on Linux) and describe its interface."""
    import coremltools as ct

    spec = ct.utils.load_spec(str(path))
    desc = spec.description
    if [i.name for i in desc.input] != [INPUT_NAME] or OUTPUT_NAME not in [
        o.name for o in desc.output
    ]:
        raise ConversionError(f"Core ML package {path.name} has unexpected inputs/outputs")
    return {
        "spec_version": spec.specificationVersion,
        "model_type": spec.WhichOneof("Type"),
        "inputs": [i.name for i in desc.input],
        "outputs": [o.name for o in desc.output],
    }
