"""Fixtures for the fault and bad-input suite.

`figures` records the numbers each fault test measured (cases tried, rows lost, wall time…):
printed in the test output (`-s`), and appended as JSON lines to $BENCHCTL_FAULT_REPORT when set
(scripts/fault_report.py runs this suite with it and prints the table).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest

from benchctl.results.record import RunRecord
from benchctl.results.testing import SAMPLE_ARTIFACT
from benchctl.results.testing import make_record as _make_record

ARTIFACT = {**SAMPLE_ARTIFACT, "parity": None}


def make_record(run_id: str, samples: list[int], **kw: Any) -> RunRecord:
    return _make_record(run_id, samples, **{"artifact": dict(ARTIFACT), **kw})


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
