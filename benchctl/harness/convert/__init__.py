"""Converters: a registered model → an artifact for one conversion target, cached by content.

`get_artifact` is the one entry point: it computes the cache key without importing torch, reuses a
cached artifact when the key matches, and otherwise builds, converts and checks parity.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import importlib.util
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from benchctl.errors import ConfigError
from benchctl.harness import leftovers
from benchctl.harness.build import build_options
from benchctl.harness.convert.base import Converted, Converter
from benchctl.harness.convert.cache import Artifact, ArtifactCache, cache_key
from benchctl.harness.convert.targets import Target, get_target
from benchctl.models import ModelSpec, get_model_spec
from benchctl.runner.digest import content_sha256, content_size

if TYPE_CHECKING:
    from benchctl.harness.build import BuiltModel
    from benchctl.models._user import OnnxModelRef

StageFn = Callable[[str], None]
HERE = Path(__file__).resolve().parent


def converter_module(target: Target) -> str:
    """The dotted module of the target's converter: a plugin's as given, benchctl's own by name."""
    return target.converter if "." in target.converter else f"{__name__}.{target.converter}"


def converter(target: Target) -> Converter:
    return importlib.import_module(converter_module(target))


def _module_file(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ConfigError(f"converter module {module!r} is not importable")
    return Path(spec.origin)


@functools.cache  # (a bare `cache` name would be shadowed by the .cache submodule)
def _code_hash(module: str) -> str:
    """Our own build + conversion code, the converter's and what it declares in `CODE_DEPENDS`
    (the modules its output depends on) is part of the key: changing it must not reuse
    artifacts. `module`: the dotted converter module."""
    h = hashlib.sha256()
    files = [
        HERE.parent / "build.py",
        HERE.parent / "calibration.py",
        HERE / "targets.py",
        _module_file(module),
    ]
    depends = getattr(importlib.import_module(module), "CODE_DEPENDS", ())
    files += [_module_file(m) for m in depends]
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _spec_of(model: str | ModelSpec) -> ModelSpec:
    """A model given by name (looked up in the zoo) or as the spec itself (a user's factory,
    which is never registered)."""
    return model if isinstance(model, ModelSpec) else get_model_spec(model)


def artifact_key(
    model: str | ModelSpec,
    target: str,
    *,
    batch: int,
    seed: int,
    calibration_digest: str | None = None,
    weights_digest: str | None = None,
) -> str:
    t = get_target(target)
    conv = converter(t)
    spec = _spec_of(model)
    return cache_key(
        {
            "model": spec.name,
            "model_args": {"input_size": list(spec.input_size)},
            "build": build_options(batch, seed, weights_digest, calibrate=spec.role != "user"),
            "source_hash": spec.source_hash(),
            "target": t.name,
            "exporter": conv.EXPORTER,
            "exporter_version": conv.exporter_version(),
            "options": conv.options(t),
            "calibration": calibration_digest,
            "code": _code_hash(converter_module(t)),
        }
    )


class LazyBuild:
    """Builds the model on first use only, so several targets of one model share one build."""

    def __init__(
        self, model: str | ModelSpec, batch: int, seed: int, weights: Path | None = None
    ) -> None:
        self.model, self.batch, self.seed, self.weights = model, batch, seed, weights
        self._built: BuiltModel | None = None

    def __call__(self) -> BuiltModel:
        if self._built is None:
            from benchctl.harness.build import build_model

            self._built = build_model(
                self.model, batch=self.batch, seed=self.seed, weights=self.weights
            )
        return self._built


def get_artifact(
    model: str | ModelSpec,
    target: str,
    cache: ArtifactCache,
    *,
    batch: int = 1,
    seed: int = 0,
    on_stage: StageFn | None = None,
    build: LazyBuild | None = None,
    calibration_dir: Path | None = None,
    weights: Path | None = None,
) -> Artifact:
    """The artifact for (model, target), from the cache or freshly built and converted.

    `weights`: a trained weights file for the architecture (`--weights`); its content hash is
    part of the key. `calibration_dir` images are preprocessed with the model's own data config
    (timm's), as `benchctl eval` feeds them, when the model carries one.
    """
    t = get_target(target)
    conv = converter(t)
    spec = _spec_of(model)
    name = spec.name
    if build is not None and build.weights != weights:
        raise ValueError("the shared build was made with other weights")  # a caller's bug
    calib_digest = content_sha256(calibration_dir) if calibration_dir else None
    weights_digest = content_sha256(weights) if weights else None
    key = artifact_key(
        spec,
        target,
        batch=batch,
        seed=seed,
        calibration_digest=calib_digest,
        weights_digest=weights_digest,
    )
    hit = cache.lookup(key)
    if hit is not None:
        return hit
    rejection = cache.last_rejection
    if on_stage and rejection:
        on_stage(rejection)  # a rebuild of a refused entry says so
    build = build or LazyBuild(spec, batch, seed, weights)
    if on_stage:
        on_stage(f"building {name}")
    built = build()
    calibration = None
    if calibration_dir is not None:
        from benchctl.harness.calibration import load_images

        calibration = load_images(calibration_dir, built.input_shape, module=built.module)
    staging = cache.staging()
    try:
        if on_stage:
            on_stage(f"converting {name} to {target}")
        # Converters print reports of their own; stdout belongs to benchctl (--json, CSV).
        with contextlib.redirect_stdout(sys.stderr):
            out: Converted = conv.convert(built, t, staging, calibration)
        artifact = Artifact(
            path=out.path,
            format=t.format,
            sha256=content_sha256(out.path),
            size_bytes=content_size(out.path),
            cache_key=key,
            model_name=name,
            source_hash=built.spec.source_hash(),
            exporter=conv.EXPORTER,
            exporter_version=conv.exporter_version(),
            options={
                "target": t.name,
                "precision": t.precision,
                **conv.options(t),
                "calibration": calib_digest,
                **({"weights": weights_digest} if weights_digest else {}),
                **({"notes": out.notes} if out.notes else {}),
            },
            inputs=out.inputs,
            parity=out.parity,
            created_at=datetime.now(UTC).isoformat(),
        )
        artifact.rebuilt_because = rejection
        return cache.commit(staging, artifact)
    finally:
        leftovers.release(staging)
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def artifact_as_given(ref: OnnxModelRef, cache: ArtifactCache) -> Artifact:
    """A user's ONNX file as an artifact: copied into the cache unchanged, never converted.

    There is no PyTorch model to compare with, so parity says so rather than passing.
    """
    from benchctl.harness.convert.onnx import input_signature

    assert ref.input_shape is not None  # run.resolve() refuses symbolic shapes without a value
    key = cache_key({"as_given": ref.sha256, "input_shape": list(ref.input_shape)})
    hit = cache.lookup(key)
    if hit is not None:
        return hit
    staging = cache.staging()
    try:
        path = staging / "model.onnx"
        shutil.copyfile(ref.path, path)
        (signature,) = input_signature(path)
        artifact = Artifact(
            path=path,
            format="onnx",
            sha256=content_sha256(path),
            size_bytes=content_size(path),
            cache_key=key,
            model_name=ref.name,
            source_hash=ref.sha256,
            exporter="as-given",
            exporter_version="",
            options={"target": "onnx", "precision": "fp32", "source_path": str(ref.path)},
            inputs=[{**signature, "shape": list(ref.input_shape)}],
            parity={
                "passed": None,
                "precision": "fp32",
                "reason": "benchmarked as given: there is no PyTorch model to compare with",
            },
            created_at=datetime.now(UTC).isoformat(),
        )
        return cache.commit(staging, artifact)
    finally:
        leftovers.release(staging)
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


__all__ = ["Artifact", "ArtifactCache", "LazyBuild", "artifact_key", "get_artifact"]
