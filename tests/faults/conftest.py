"""Fixtures for the fault and bad-input suite.

`figures` records the numbers each fault test measured (cases tried, rows lost, wall time…):
printed in the test output (`-s`), and appended as JSON lines to $BENCHCTL_FAULT_REPORT when set
(scripts/fault_report.py runs this suite with it and prints the table).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from benchctl.results.record import RunRecord

ARTIFACT = {
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
    "parity": None,
    "created_at": "2026-11-21T00:00:00+00:00",
}


def make_record(run_id: str, samples: list[int], **kw: Any) -> RunRecord:
    base: dict[str, Any] = dict(
        run_id=run_id,
        created_at=datetime.now(UTC),
        status="ok",
        model_name="m",
        artifact_format="onnx",
        precision="fp32",
        runtime="onnxruntime",
        backend="onnxruntime",
        accelerator_requested="cpu",
        device_name="host",
        device_class={"cpu": "x"},
        input_shape=[1, 3, 8, 8],
        threads=None,
        iterations_requested=len(samples),
        warmup_iters=1,
        harness_version="0",
        versions={},
        host={},
        artifact=dict(ARTIFACT),
        samples=list(samples),
    )
    base.update(kw)
    return RunRecord(**base)


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[..., None]:
    def note(**values: Any) -> None:
        doc = {"test": request.node.nodeid, **values}
        print("FAULT-FIGURES " + json.dumps(doc))
        path = os.environ.get("BENCHCTL_FAULT_REPORT")
        if path:
            with open(path, "a", encoding="utf-8") as f:
                f.write(json.dumps(doc) + "\n")

    return note
