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


def make_accuracy_record(**overrides: Any) -> Any:
    """A measured accuracy of `SAMPLE_ARTIFACT` (model `m`) on a 100-image dataset `d`."""
    from benchctl.results.measured import AccuracyRecord

    fields: dict[str, Any] = dict(
        created_at=datetime.now(UTC), model_name="m", target="onnx", artifact_format="onnx",
        precision="fp32", runtime="onnxruntime", runtime_version="1", dataset_name="d",
        dataset_path="/data/d", dataset_layout="imagefolder", dataset_sha256="sha256:" + "d" * 64,
        dataset_size=100, num_samples=100, preprocessing={"input_size": [3, 8, 8]},
        preprocessing_sha256="sha256:" + "e" * 64, top1=71.0, correct1=71, top5=90.0,
        correct5=90, seconds=0.5, harness_version="0", artifact=dict(SAMPLE_ARTIFACT),
        reference_top1=72.0,
    )  # fmt: skip
    fields.update(overrides)
    return AccuracyRecord(**fields)
