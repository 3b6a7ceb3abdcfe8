"""`AccuracyRecord`: one measured accuracy, as `benchctl eval` hands it to the store.

Its key hashes what decides the number: the thing evaluated (artifact sha256, or the PyTorch
module's state hash for the reference), the dataset's content hash (of the samples evaluated),
the preprocessing's hash and the runtime with its version. The same key measured again gives the
same number, so a key is stored once; a new runtime version is a new row beside the old one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KEY_FIELDS = (
    "artifact_sha256",
    "module_sha256",
    "dataset_sha256",
    "preprocessing_sha256",
    "runtime",
    "runtime_version",
)


@dataclass
class AccuracyRecord:
    created_at: datetime
    model_name: str
    target: str  # conversion target, or "pytorch" for the reference module
    artifact_format: str
    precision: str
    runtime: str
    runtime_version: str | None
    dataset_name: str
    dataset_path: str
    dataset_layout: str
    dataset_sha256: str
    dataset_size: int
    num_samples: int
    preprocessing: dict[str, Any]
    preprocessing_sha256: str
    top1: float
    correct1: int
    seconds: float
    harness_version: str
    top5: float | None = None
    correct5: int | None = None
    sample_limit: int | None = None
    artifact: dict[str, Any] | None = None  # Artifact.to_json(), None for the reference
    module_sha256: str | None = None
    weights_sha256: str | None = None
    model_source_hash: str | None = None
    reference_top1: float | None = None
    harness_git_sha: str | None = None
    versions: dict[str, Any] = field(default_factory=dict)

    @property
    def artifact_sha256(self) -> str | None:
        return self.artifact["sha256"] if self.artifact else None

    def key(self) -> str:
        parts = {name: getattr(self, name) for name in KEY_FIELDS}
        blob = json.dumps(parts, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()

    def source(self) -> str:
        """Where the number comes from, as exports and plots say it."""
        return source_text(self)


def source_text(row: Any) -> str:
    """ "measured on val (50000 images)", for a record or a stored `accuracy` row alike."""
    limited = ", --limit" if row.sample_limit else ""
    return f"measured on {row.dataset_name} ({row.num_samples} images{limited})"


def row_to_dict(row: Any) -> dict[str, Any]:
    """A stored `accuracy` row as a flat dict (tables, --json)."""
    return {
        "key": row.key,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "model": row.model_name,
        "target": row.target,
        "format": row.artifact_format,
        "precision": row.precision,
        "runtime": row.runtime,
        "runtime_version": row.runtime_version,
        "artifact_sha256": row.artifact_sha256,
        "module_sha256": row.module_sha256,
        "weights_sha256": row.weights_sha256,
        "dataset": row.dataset_name,
        "dataset_path": row.dataset_path,
        "dataset_sha256": row.dataset_sha256,
        "dataset_size": row.dataset_size,
        "num_samples": row.num_samples,
        "sample_limit": row.sample_limit,
        "preprocessing": row.preprocessing,
        "top1": row.top1,
        "top5": row.top5,
        "reference_top1": row.reference_top1,
        "top1_delta": None if row.reference_top1 is None else row.top1 - row.reference_top1,
        "source": source_text(row),
    }
