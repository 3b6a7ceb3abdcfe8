"""Converters: a registered model → an artifact file in a runtime's format, cached by content.

`get_artifact` is the one entry point: it computes the cache key without importing torch, reuses a
cached artifact when the key matches, and otherwise builds, exports and checks parity.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchctl.errors import ConfigError
from benchctl.harness.build import build_options
from benchctl.harness.convert import onnx as onnx_converter
from benchctl.harness.convert.cache import Artifact, ArtifactCache, cache_key
from benchctl.harness.runner import file_sha256
from benchctl.models import get_model_spec

CONVERTERS = {"onnx": onnx_converter}

StageFn = Callable[[str], None]


def _code_hash() -> str:
    """Our own build + export code is part of the key: changing it must not reuse old artifacts."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in (here.parent / "build.py", here / "onnx.py"):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def artifact_key(model: str, fmt: str, *, batch: int, seed: int) -> str:
    converter = CONVERTERS[fmt]
    spec = get_model_spec(model)
    return cache_key(
        {
            "model": model,
            "model_args": {"input_size": list(spec.input_size)},
            "build": build_options(batch, seed),
            "source_hash": spec.source_hash(),
            "exporter": converter.EXPORTER,
            "exporter_version": converter.exporter_version(),
            "options": converter.options(),
            "code": _code_hash(),
        }
    )


def get_artifact(
    model: str,
    fmt: str,
    cache: ArtifactCache,
    *,
    batch: int = 1,
    seed: int = 0,
    on_stage: StageFn | None = None,
) -> Artifact:
    """The artifact for (model, format), from the cache or freshly built and exported."""
    if fmt not in CONVERTERS:
        raise ConfigError(f"no converter to {fmt!r}; available: {', '.join(sorted(CONVERTERS))}")
    converter = CONVERTERS[fmt]
    key = artifact_key(model, fmt, batch=batch, seed=seed)
    hit = cache.lookup(key)
    if hit is not None:
        return hit
    from benchctl.harness.build import build_model

    if on_stage:
        on_stage(f"building {model}")
    built = build_model(model, batch=batch, seed=seed)
    staging = cache.staging()
    try:
        if on_stage:
            on_stage(f"exporting {model} to {fmt}")
        path, parity = converter.export(built, staging)
        artifact = Artifact(
            path=path,
            format=fmt,
            sha256=file_sha256(path),
            size_bytes=path.stat().st_size,
            cache_key=key,
            model_name=model,
            source_hash=built.spec.source_hash(),
            exporter=converter.EXPORTER,
            exporter_version=converter.exporter_version(),
            options=converter.options(),
            inputs=[
                {"name": converter.INPUT_NAME, "shape": list(built.input_shape), "dtype": "float32"}
            ],
            parity=parity,
            created_at=datetime.now(UTC).isoformat(),
        )
        return cache.commit(staging, artifact)
    finally:
        if staging.exists():
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
