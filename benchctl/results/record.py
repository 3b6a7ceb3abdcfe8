"""`RunRecord`: everything one run produced, as the host hands it to the store.

A record is assembled by the harness from the spec, the validated result document, the artifact
and the host's facts; the store derives the summary and the series key from it, so those are
never taken on trust from a runner.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from benchctl import MEASUREMENT_PROTOCOL_VERSION

# The fields that make two runs comparable (DESIGN §6, the series key). Versions under test and
# the environment are deliberately left out: a new runtime version must land in the same series.
SERIES_FIELDS = (
    "model_name",
    "model_source_hash",
    "artifact_format",
    "precision",
    "runtime",
    "backend",
    "accelerator_requested",
    "device_class",
    "input_shape",
    "threads",
    "protocol_version",
)


@dataclass
class RunRecord:
    run_id: str
    created_at: datetime
    status: str
    model_name: str
    artifact_format: str
    precision: str
    runtime: str
    backend: str
    accelerator_requested: str
    device_name: str
    device_class: dict[str, Any]
    input_shape: list[int]
    threads: int | None
    iterations_requested: int
    warmup_iters: int
    harness_version: str
    versions: dict[str, Any]
    host: dict[str, Any]
    error_code: str | None = None
    error_message: str | None = None
    model_source_hash: str | None = None
    artifact: dict[str, Any] | None = None  # Artifact.to_json(); None when conversion failed
    accelerator_actual: str | None = None
    harness_git_sha: str | None = None
    runtime_version: str | None = None
    device_facts: dict[str, Any] | None = None
    environment: dict[str, Any] | None = None
    load_ns: int | None = None
    first_inference_ns: int | None = None
    warmup_total_ns: int | None = None
    clock: str | None = None
    clock_resolution_ns: int | None = None
    loop_overhead_ns: int | None = None
    spec: dict[str, Any] | None = None
    result: dict[str, Any] | None = None  # the result document without its samples
    started_at: datetime | None = None
    finished_at: datetime | None = None
    samples: list[int] = field(default_factory=list, repr=False)
    # the runner process's memory (result `memory`), bytes; None where not measured
    rss_after_load_bytes: int | None = None
    peak_rss_bytes: int | None = None
    device_peak_bytes: int | None = None
    profile: dict[str, Any] | None = field(default=None, repr=False)  # result `profile`
    protocol_version: int = MEASUREMENT_PROTOCOL_VERSION
    cpus: list[int] | None = None  # `--cpus`: the CPU set the runner was pinned to

    def series_key(self) -> str:
        parts = {name: getattr(self, name) for name in SERIES_FIELDS}
        if self.cpus:  # only when pinned, so every unpinned series keeps its key
            parts["cpus"] = sorted(self.cpus)
        blob = json.dumps(parts, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()
