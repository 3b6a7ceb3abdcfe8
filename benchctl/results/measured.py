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
        n = f"{self.num_samples} images" + (" (--limit)" if self.sample_limit else "")
        return f"measured on {self.dataset_name} ({n})"
