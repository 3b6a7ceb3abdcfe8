"""Synthetic results databases for the regression, report and export tests, written through the
real store API (ResultStore.ingest of RunRecords with synthetic samples)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from benchctl.results.record import RunRecord
from benchctl.results.store import ResultStore

START = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def artifact(model: str, n: int) -> dict[str, Any]:
    return {
        "sha256": "sha256:" + hashlib.sha256(f"{model}/{n}".encode()).hexdigest(),
        "format": "onnx",
        "size_bytes": 1000 + n,
        "model_name": model,
        "cache_key": f"{n:064x}",
        "source_hash": "sha256:" + "b" * 64,
        "exporter": "torch.onnx",
        "exporter_version": "2.14.1",
        "options": {},
        "inputs": [],
        "parity": {"passed": True, "max_rel": 1e-6},
        "created_at": START.isoformat(),
    }


def samples(median_ms: float, rng: np.random.Generator, n: int = 200) -> list[int]:
    """`n` samples around `median_ms` with 2 % within-run spread, no drift."""
    x = median_ms * 1e6 * np.exp(rng.normal(0.0, 0.02, n))
    return [int(v) for v in x]


def record(
    i: int,
    median_ms: float,
    rng: np.random.Generator,
    *,
    model: str = "mobileone_s0",
    device: str = "host",
    artifact_n: int = 0,
    runtime_version: str = "1.31.1",
    status: str = "ok",
    n: int = 200,
    requested: int | None = None,
    accelerator_actual: str | None = "cpu",
    environment: dict[str, Any] | None = None,
    sample_values: Sequence[int] | None = None,
    os_release: str = "6.1.0",
    input_shape: Sequence[int] = (1, 3, 224, 224),
) -> RunRecord:
    vals = list(sample_values) if sample_values is not None else samples(median_ms, rng, n)
    if status != "ok":
        vals = []
    return RunRecord(
        run_id=f"{i:06x}" + hashlib.sha256(f"{model}/{device}".encode()).hexdigest()[:26],
        created_at=START + timedelta(days=i),
        status=status,
        model_name=model,
        artifact_format="onnx",
        precision="fp32",
        runtime="onnxruntime",
        backend="onnxruntime",
        accelerator_requested="cpu",
        accelerator_actual=accelerator_actual if status == "ok" else None,
        device_name=device,
        device_class={"cpu": "test cpu"},
        input_shape=list(input_shape),
        threads=None,
        iterations_requested=requested if requested is not None else len(vals) or n,
        warmup_iters=10,
        harness_version="0.1.0",
        harness_git_sha="a" * 40,
        runtime_version=runtime_version,
        versions={"runner": "0.1.0"},
        host={"os_release": os_release, "hostname": "bench"},
        device_facts={"os_release": os_release, "hostname": "bench"},
        environment=environment,
        artifact=artifact(model, artifact_n),
        clock_resolution_ns=1,
        loop_overhead_ns=40,
        error_code=None if status == "ok" else "RUNNER_FAILED",
        error_message=None if status == "ok" else "boom",
        samples=vals,
    )


def fill(
    store: ResultStore,
    medians_ms: Sequence[float],
    *,
    seed: int = 0,
    start: int = 0,
    artifact_from: dict[int, int] | None = None,
    **kw: Any,
) -> list[RunRecord]:
    """One run per night with these medians; `artifact_from` = {night: artifact number}."""
    rng = np.random.default_rng(seed)
    out, art = [], 0
    for j, m in enumerate(medians_ms):
        art = (artifact_from or {}).get(start + j, art)
        rec = record(start + j, m, rng, artifact_n=art, **kw)
        store.ingest(rec)
        out.append(rec)
    return out


def noisy(level_ms: float, n: int, noise: float, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    return list(level_ms * np.exp(rng.normal(0.0, noise, n)))
