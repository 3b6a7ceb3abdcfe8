"""The run flows forward: a request is resolved once into a frozen plan that changes nothing
global, and the device's outcome becomes the record in one place."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from benchctl.harness import contract
from benchctl.harness.collect import Failure, build_record, harness_facts
from benchctl.harness.devices import get_device
from benchctl.harness.lifecycle import DeviceOutcome
from benchctl.harness.request import RunRequest
from benchctl.harness.run import resolve
from benchctl.models import MODELS

FACTORY = """
def build():  # resolving never builds (nor imports torch)
    raise AssertionError("built while resolving")
"""


def test_a_factory_model_is_an_object_in_the_plan_never_registered(isolated_project):
    (isolated_project / "planned_net.py").write_text(FACTORY)
    before = set(MODELS.names())
    small = resolve(RunRequest(model="planned_net:build", input_shape=(3, 16, 16)))
    large = resolve(RunRequest(model="planned_net:build", input_shape=(3, 32, 32)))
    assert set(MODELS.names()) == before  # nothing global changed, twice over
    assert (small.model.input_size, large.model.input_size) == ((3, 16, 16), (3, 32, 32))
    assert small.input_shape == [1, 3, 16, 16] and small.model.role == "user"
    with pytest.raises(dataclasses.FrozenInstanceError):
        small.model = large.model  # type: ignore[misc]


def test_the_record_is_built_from_the_device_outcome(tmp_path):
    plan = resolve(RunRequest(model="test_mobileone", iterations=5, warmup=1, threads=1))
    log = tmp_path / "device.log"
    failed = build_record(
        plan,
        run_id="a" * 32,
        created_at=contract_time(),
        harness=harness_facts(),
        spec={"run_id": "a" * 32},
        device=DeviceOutcome(
            failure=Failure("RUNNER_NO_RESULT", "runner exited with code 1 and no result"),
            host_env={"cooldown_s": 0.0},
            hardware_class={"cpu_model": "probe"},
            device_log=log,
        ),
    )
    assert (failed.status, failed.error_code) == ("error", "RUNNER_NO_RESULT")
    assert failed.error_message.endswith(f"(device log: {log})")
    assert failed.environment == {"host": {"cooldown_s": 0.0}}
    assert failed.device_class == {"cpu_model": "probe"} and failed.samples == []
    assert failed.spec == {"run_id": "a" * 32} and failed.threads == 1

    result = contract.read(Path(contract.__file__).parent / "examples" / "result.json")
    ok = build_record(
        plan,
        run_id=result["run_id"],
        created_at=contract_time(),
        harness=harness_facts(),
        device=DeviceOutcome(result=result, host_env={"warnings": []}, spec={"pushed": True}),
    )
    assert ok.status == "ok" and ok.error_code is None
    assert ok.samples == result["timing_ns"]["samples"]
    assert ok.versions["runner"] == result["runner"]["version"]
    assert ok.environment == {**result["environment"], "host": {"warnings": []}}
    assert ok.device_class == get_device("host").hardware_class()  # not read: the inventory's
    assert ok.spec == {"pushed": True} and "samples" not in ok.result["timing_ns"]

    early = build_record(
        plan,
        run_id="b" * 32,
        created_at=contract_time(),
        harness=harness_facts(),
        failure=Failure("CONVERSION_FAILED", "no converter", status="conversion_failed"),
    )
    assert (early.status, early.error_code, early.artifact) == (
        "conversion_failed",
        "CONVERSION_FAILED",
        None,
    )


def contract_time():
    from datetime import UTC, datetime

    return datetime(2026, 12, 1, tzinfo=UTC)
