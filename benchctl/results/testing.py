"""A shipped test kit for code that reads or writes results: well-formed records with synthetic
samples, so tests (ours, and third parties' backends and reports) build databases through the
real store API instead of each writing its own record factory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from benchctl.results.record import RunRecord

SAMPLE_ARTIFACT: dict[str, Any] = {
    "sha256": "sha256:" + "a" * 64,
    "format": "onnx",
    "size_bytes": 10,
    "model_name": "m",
    "cache_key": "k" * 64,
    "source_hash": "sha256:" + "b" * 64,
    "exporter": "x",
    "exporter_version": "1",
    "options": {},
    "inputs": [],
    "parity": {"passed": True},
    "created_at": "2026-11-21T00:00:00+00:00",
}


def make_record(
    run_id: str = "1" * 32, samples: Sequence[int] = (3, 1, 2, 10), **overrides: Any
) -> RunRecord:
    """An ok onnxruntime run of model `m` on `host` with these samples; any field overridable."""
    fields: dict[str, Any] = dict(
        run_id=run_id, created_at=datetime.now(UTC), status="ok", model_name="m",
        artifact_format="onnx", precision="fp32", runtime="onnxruntime", backend="onnxruntime",
        accelerator_requested="cpu", device_name="host", device_class={"cpu": "x"},
        input_shape=[1, 3, 8, 8], threads=None, iterations_requested=len(samples),
        warmup_iters=1, harness_version="0", versions={}, host={},
        artifact=dict(SAMPLE_ARTIFACT), samples=list(samples),
    )  # fmt: skip
    fields.update(overrides)
    return RunRecord(**fields)
