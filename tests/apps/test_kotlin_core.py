"""The Android app's pure-Kotlin `core`: compiled with kotlinc, its JUnit tests run, and every
document those tests emit is checked here against the JSON Schemas and the host's own checks.

The compile + test run happens once per session (the `kotlin_run` fixture in conftest.py).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from benchctl.harness.collect import check_result
from benchctl.results.stats import summarize
from benchctl.runner import contract

# What each scenario in BenchRunnerTest.kt must report, as the host reads it.
EXPECTED_STATUS = {
    "result_ok.json": ("ok", None),
    "result_ok_fakeclock.json": ("ok", None),
    "result_after_cooldown.json": ("ok", None),
    "result_sha_mismatch.json": ("error", "MODEL_SHA256_MISMATCH"),
    "result_unknown_backend.json": ("unsupported_backend", "UNKNOWN_BACKEND"),
    "result_unsupported_version.json": ("unsupported_version", "UNSUPPORTED_CONTRACT_VERSION"),
    "result_fallback.json": ("error", "ACCELERATOR_FALLBACK"),
    "result_input_mismatch.json": ("error", "INPUT_MISMATCH"),
    "result_inference_failed.json": ("error", "INFERENCE_FAILED"),
    "result_timeout.json": ("timeout", "MAX_TOTAL_TIME"),
    "result_thermal_abort.json": ("thermal_abort", "THERMAL_LIMIT"),
    "result_bad_output.json": ("error", "INVALID_SPEC"),
    "result_garbage_spec.json": ("error", "INVALID_SPEC"),
    "result_profile_ok.json": ("ok", None),
    "result_profile_failed.json": ("ok", None),
    "result_profile_invalid.json": ("ok", None),
}


def _load(out: Path, name: str) -> Any:
    path = out / name
    assert path.is_file(), f"the Kotlin tests did not emit {name}"
    return contract.read(path)


def test_kotlin_core_unit_tests_pass(kotlin_run):
    proc, _ = kotlin_run
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"Kotlin core tests failed:\n{report[-6000:]}"
    match = re.search(r"^OK \((\d+) tests?\)$", proc.stdout, re.MULTILINE)
    assert match, f"no JUnit summary line in:\n{report[-3000:]}"
    assert int(match.group(1)) >= 40  # the suite has ~50; a collapse to a handful is a bug


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_kotlin_results_are_valid_documents(kotlin_run, name):
    doc = _load(kotlin_run[1], name)
    contract.validate("result", doc)
    status, code = EXPECTED_STATUS[name]
    assert doc["status"] == status
    assert (doc["error"] or {}).get("code") == code
    assert doc["runner"]["name"] == "benchctl-android"


@pytest.mark.parametrize("name", ["result_ok.json", "result_ok_fakeclock.json"])
def test_kotlin_ok_results_pass_the_hosts_checks(kotlin_run, name):
    """What the host does with a pulled result (harness/collect.py) accepts the app's output."""
    doc = _load(kotlin_run[1], name)
    spec = json.loads((contract.EXAMPLES / "spec.json").read_text())
    spec["model"]["sha256"] = doc["model_sha256"]  # the Kotlin test hashed its own model file
    spec["backend"]["name"] = "fake"  # as BenchRunnerTest.stage() edits the golden spec
    if name == "result_ok_fakeclock.json":
        spec["timing"]["warmup_iters"] = 0  # as anOkRunRecordsEveryPhaseAndSample does
    assert check_result(doc, spec) is doc
    assert all(isinstance(s, int) and s > 0 for s in doc["timing_ns"]["samples"])


@pytest.mark.parametrize("name", ["result.json", "result_error.json", "result_profile.json"])
def test_kotlin_round_trip_of_golden_results_is_exact(kotlin_run, name):
    written = _load(kotlin_run[1], f"roundtrip_{name}")
    assert written == json.loads((contract.EXAMPLES / name).read_text())


def test_kotlin_capabilities_document_is_valid(kotlin_run):
    doc = _load(kotlin_run[1], "capabilities_jvm.json")
    contract.validate("capabilities", doc)
    litert = next(r for r in doc["runtimes"] if r["backend"] == "litert")
    assert litert["available"] is False and litert["reason_if_unavailable"]


def test_kotlin_statistics_match_the_hosts(kotlin_run):
    """Same definitions on both sides: the app's summary equals results/stats.py's."""
    cases = _load(kotlin_run[1], "stats_cases.json")
    assert len(cases) >= 5
    for case in cases:
        ours = summarize(case["samples"], resamples=10).to_dict()
        for key, theirs in case["summary"].items():
            assert math.isclose(theirs, ours[key], rel_tol=1e-9, abs_tol=1e-6), (
                key,
                len(case["samples"]),
            )


def test_kotlin_profiled_result_passes_the_hosts_checks(kotlin_run):
    """A profiled Android-style result (LiteRT placement + memory) is what the host accepts and
    stores: collect's checks pass, the profile keeps its operators and partitions."""
    doc = _load(kotlin_run[1], "result_profile_ok.json")
    spec = json.loads((contract.EXAMPLES / "spec_profile.json").read_text())
    spec["model"]["sha256"] = doc["model_sha256"]
    spec["backend"]["name"] = "fake"
    spec["timing"]["warmup_iters"] = 2  # as ProfileMemoryTest.stage() edits the golden spec
    spec["profile"]["iterations"] = 4
    assert check_result(doc, spec) is doc
    profile = doc["profile"]
    assert profile["timed"] is False and profile["iterations"] == 4
    assert [op["name"] for op in profile["operators"]] == ["0:ADD", "1:RELU", "2:GELU"]
    assert profile["partitions"] == [{"unit": "gpu", "operators": ["0:ADD", "1:RELU", "2:GELU"]}]
    memory = doc["memory"]
    assert memory["peak_rss_bytes"] == memory["rss_after_load_bytes"] == 180 * 2**20
    assert memory["native_heap_peak_bytes"] == 70 * 2**20


def test_kotlin_failed_profile_keeps_samples(kotlin_run):
    for name, error in [
        ("result_profile_failed.json", "IllegalStateException: profiler buffer full"),
        ("result_profile_invalid.json", "invalid profile: profile/operators/0/time_ns"),
    ]:
        doc = _load(kotlin_run[1], name)
        assert doc["profile"]["error"].startswith(error)
        assert doc["profile"]["operators"] == []
        assert len(doc["timing_ns"]["samples"]) == 5


def test_kotlin_profile_and_memory_are_stored_as_the_host_stores_its_own(kotlin_run, tmp_path):
    """The app's placement profile goes through the store like a host profile: operators in
    order with their units, the partition kept, memory in the run's columns."""
    from dataclasses import replace

    from benchctl.harness.collect import result_fields
    from benchctl.results import profiles
    from benchctl.results.store import ResultStore
    from benchctl.results.testing import make_record

    doc = _load(kotlin_run[1], "result_profile_ok.json")
    record = make_record(doc["run_id"])
    record = replace(record, **result_fields(doc, record.versions))  # as the host's record
    store = ResultStore.open(f"sqlite:///{tmp_path / 'results.sqlite'}")
    store.ingest(record)
    row = store.run(doc["run_id"])
    assert (row.rss_after_load_bytes, row.peak_rss_bytes) == (180 * 2**20, 180 * 2**20)
    stored = profiles.load(store, doc["run_id"])
    assert [o["name"] for o in stored.operators] == ["0:ADD", "1:RELU", "2:GELU"]
    assert stored.units() == {"gpu": 3}
    assert stored.to_dict()["partitions"] == doc["profile"]["partitions"]
