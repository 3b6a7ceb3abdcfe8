"""Synthetic nightly histories written through the real store API, for the scale benchmark
(`scripts/scale_bench.py`) and the golden report test: N series × M nights of runs with raw
samples, a deterministic function of the seed.

Each series gets a level, a run-to-run spread and one scripted event, chosen by its index so
that every report section has work to do: a regression that comes with a new artifact, an
improvement, an environment shift (same versions, new OS image), a slow drift, a regression or
an improvement on the newest night, a series only three nights old, failed runs, results from
a hot device, runs that drift within the run, or nothing at all. Runs on the `phone-*` devices
carry no harness drift check (as phone apps' results do not), so the validity gate reads their
samples; host and board runs carry one, as `harness/lifecycle.py` records it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from benchctl.results.record import RunRecord

START = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
MODELS = (
    "mobileone_s0",
    "mobilenetv4_conv_small",
    "efficientvit_b0",
    "fastvit_t8",
    "mobilevitv2_050",
    "resnet18",
    "repvgg_a0",
    "shufflenetv2_x1_0",
    "mnasnet_100",
    "convnext_atto",
)
DEVICES = ("host", "pi5", "jetson-orin", "phone-pixel8", "phone-iphone15")
RUNTIMES = (
    ("onnxruntime", "onnx", "fp32"),
    ("litert", "tflite", "fp32"),
    ("litert-int8", "tflite", "int8"),
)
EVENTS = (
    "regression",
    "quiet",
    "improvement",
    "environment_shift",
    "drift",
    "new_regression",
    "failures",
    "hot",
    "within_run_drift",
    "new_improvement",
    "young",
    "quiet",
)


@dataclass(frozen=True)
class SeriesPlan:
    index: int
    model: str
    device: str
    runtime: str
    artifact_format: str
    precision: str
    level_ms: float
    noise: float
    event: str
    event_at: int  # the night the event starts


def plan(n_series: int, n_nights: int, seed: int = 0) -> list[SeriesPlan]:
    rng = np.random.default_rng([seed, 1])
    out = []
    for i in range(n_series):
        model = MODELS[i % len(MODELS)]
        device = DEVICES[(i + i // len(MODELS)) % len(DEVICES)]  # every pair once per 50
        runtime, fmt, precision = RUNTIMES[(i // (len(MODELS) * len(DEVICES))) % len(RUNTIMES)]
        repeat = i // (len(MODELS) * len(DEVICES) * len(RUNTIMES))
        if repeat:  # more series than combinations: more devices of a kind
            device = f"{device}-{repeat}"
        out.append(
            SeriesPlan(
                index=i,
                model=model,
                device=device,
                runtime=runtime,
                artifact_format=fmt,
                precision=precision,
                level_ms=float(rng.uniform(1.0, 40.0)),
                noise=float(rng.choice([0.005, 0.01, 0.02])),
                event=EVENTS[i % len(EVENTS)],
                event_at=int(rng.integers(n_nights // 3, max(n_nights // 3 + 1, n_nights - 6))),
            )
        )
    return out


def _artifact(model: str, generation: int) -> dict[str, Any]:
    return {
        "sha256": "sha256:" + hashlib.sha256(f"{model}/{generation}".encode()).hexdigest(),
        "format": "onnx",
        "size_bytes": 1_000_000 + generation,
        "model_name": model,
        "cache_key": hashlib.sha256(f"key/{model}/{generation}".encode()).hexdigest(),
        "source_hash": "sha256:" + hashlib.sha256(model.encode()).hexdigest(),
        "exporter": "torch.onnx",
        "exporter_version": "2.14.1",
        "options": {},
        "inputs": [],
        "parity": {"passed": True, "max_rel": 1e-6},
        "created_at": START.isoformat(),
    }


def _drift_check(samples: np.ndarray) -> dict[str, Any] | None:
    """What the harness's gating records (`harness/gating.py: drift`), from the same samples."""
    from benchctl.harness.gating import drift

    return drift(samples.tolist())


def run_id(seed: int, series: int, night: int) -> str:
    return hashlib.sha256(f"{seed}/{series}/{night}".encode()).hexdigest()[:32]


def night_record(
    p: SeriesPlan, night: int, n_nights: int, samples_per_run: int, seed: int
) -> RunRecord:
    """Night `night` of series `p`: deterministic in (seed, series, night)."""
    rng = np.random.default_rng([seed, p.index, night])
    ev, at = p.event, p.event_at
    factor, generation, os_release = 1.0, 0, "6.1.0"
    status = "ok"
    environment: dict[str, Any] = {}
    within_drift = 0.0
    if ev == "regression" and night >= at:
        factor, generation = 1.12, 1
    elif ev == "improvement" and night >= at:
        factor, generation = 0.85, 1
    elif ev == "environment_shift" and night >= n_nights - 1:
        factor, os_release = 1.2, "6.6.0"
    elif ev == "drift":
        factor = 1.0 + 0.15 * night / max(1, n_nights - 1)
    elif ev == "new_regression" and night == n_nights - 1:
        factor, generation = 1.25, 1
    elif ev == "new_improvement" and night == n_nights - 1:
        factor, generation = 0.8, 1
    elif ev == "failures" and (night % 17 == 5 or night == n_nights - 1):
        status = "error"
    elif ev == "hot" and (night % 11 == 3 or night == n_nights - 1):
        environment["before"] = {"thermal_state": "serious"}
        factor = 1.3
    elif ev == "within_run_drift" and (night % 13 == 7 or night == n_nights - 1):
        within_drift = 0.2
    median_ns = p.level_ms * 1e6 * factor * float(np.exp(rng.normal(0.0, p.noise)))
    samples = np.empty(0, dtype=np.int64)
    if status == "ok":
        x = median_ns * np.exp(rng.normal(0.0, 0.03, samples_per_run))
        if within_drift:
            x[samples_per_run // 2 :] *= 1.0 + within_drift
        samples = np.maximum(x, 1.0).astype(np.int64)
    if status == "ok" and not p.device.startswith("phone"):
        environment["host"] = {"drift": _drift_check(samples), "warnings": []}
    created = START + timedelta(days=night, minutes=p.index)
    return RunRecord(
        run_id=run_id(seed, p.index, night),
        created_at=created,
        status=status,
        error_code="MODEL_LOAD_FAILED" if status != "ok" else None,
        error_message="synthetic failure" if status != "ok" else None,
        model_name=p.model,
        model_source_hash="sha256:" + hashlib.sha256(p.model.encode()).hexdigest(),
        artifact_format=p.artifact_format,
        precision=p.precision,
        runtime=p.runtime,
        backend=p.runtime.split("-")[0],
        accelerator_requested="cpu",
        accelerator_actual="cpu" if status == "ok" else None,
        device_name=p.device,
        device_class={"cpu": f"synthetic-{p.device}"},
        input_shape=[1, 3, 224, 224],
        threads=4,
        iterations_requested=samples_per_run,
        warmup_iters=50,
        harness_version="0.1.0",
        harness_git_sha="a" * 40,
        runtime_version="1.31.1",
        versions={"runner": "0.1.0"},
        host={"hostname": "lab-host", "os_release": os_release, "os_version": "#1"},
        device_facts={"hostname": p.device, "os_release": os_release, "os_version": "#1"},
        environment=environment or None,
        artifact=_artifact(p.model, generation),
        load_ns=50_000_000,
        first_inference_ns=int(median_ns * 3),
        warmup_total_ns=int(median_ns * 50),
        clock="perf_counter_ns",
        clock_resolution_ns=1,
        loop_overhead_ns=40,
        started_at=created,
        finished_at=created + timedelta(seconds=30),
        samples=samples.tolist(),
    )


def history(
    n_series: int, n_nights: int, *, samples_per_run: int = 1000, seed: int = 0
) -> Iterator[RunRecord]:
    """Every run, night by night (each night all series), as a lab would ingest them."""
    plans = plan(n_series, n_nights, seed)
    for night in range(n_nights):
        for p in plans:
            if p.event == "young" and night < n_nights - 3:
                continue  # a series that began three nights ago: too little history
            yield night_record(p, night, n_nights, samples_per_run, seed)
