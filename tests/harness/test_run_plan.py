"""The run flows forward: a request is resolved once into a frozen plan that changes nothing
global, the device's outcome becomes the record in one place, and the run settings are declared
once for run, sweep and lab jobs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import typer.main

from benchctl.cli.app import app, main
from benchctl.harness import sweep as sweeps
from benchctl.harness.collect import Failure, build_record, harness_facts
from benchctl.harness.devicelock import device_lock
from benchctl.harness.devices import get_device
from benchctl.harness.lifecycle import DeviceOutcome
from benchctl.harness.request import RunRequest, RunSettings
from benchctl.harness.run import resolve
from benchctl.lab.jobs import job_fields
from benchctl.models import MODELS
from benchctl.results.store import ResultStore
from benchctl.runner import contract

NONE = type(None)
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


def test_run_settings_are_declared_once():
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    # one option per RunSettings field, the same on both commands
    settings = {
        "--device", "--iterations", "--warmup", "--threads", "--batch", "--seed",
        "--max-seconds", "--allow-fallback", "--cpus", "--allow-oversubscribe", "--target-ci",
        "--no-wait",
    }  # fmt: skip
    assert len(settings) == len(dataclasses.fields(RunSettings))
    for name in ("run", "sweep"):
        assert settings <= {o for p in commands[name].params for o in p.opts}, name
    # The lab job schema, derived from the same declaration, is the one jobs always had.
    assert job_fields() == {
        "model": (str,),
        "device": (str,),
        "runtime": (str, NONE),
        "iterations": (int,),
        "warmup": (int,),
        "threads": (int, NONE),
        "batch": (int,),
        "seed": (int,),
        "max_total_s": (int, float),
        "allow_fallback": (bool,),
        "input_shape": (list, NONE),
        "run_id": (str, NONE),
        "profile_iterations": (int, NONE),
        "cpus": (list, NONE),
        "allow_oversubscribe": (bool,),
        "target_ci": (int, float, NONE),
    }


def test_a_sweep_keeps_one_settings_object_and_reads_old_files():
    settings = RunSettings(iterations=7, cpus=(0,), target_ci=0.05, wait_for_device=False)
    plan = sweeps.plan_sweep(["test_mobileone"], ["onnxruntime"], settings, warmup=2)
    assert plan.settings == dataclasses.replace(settings, warmup=2)
    assert plan.plans["test_mobileone|onnxruntime"].request.cpus == (0,)  # resolved once
    sweeps.save(plan)
    assert sweeps.load(plan.sweep_id).settings == plan.settings
    old = {  # a sweep saved while its settings were top-level keys
        "sweep_id": "0123456789ab",
        "models": ["test_mobileone"],
        "runtimes": ["onnxruntime"],
        "device": "host",
        "iterations": 20,
        "warmup": 1,
        "threads": None,
        "batch": 1,
        "seed": 0,
        "max_total_s": 900.0,
        "allow_fallback": False,
        "created_at": "",
        "done": {},
    }
    path = sweeps.sweeps_dir() / "0123456789ab.json"
    contract.write_atomic(path, old)
    assert sweeps.load("0123456789ab").settings == RunSettings(iterations=20, warmup=1)


@pytest.mark.parametrize(
    "argv",
    [
        ["sweep", "--models", "test_mobileone", "--runtimes", "onnxruntime"],
        ["run", "--model", "test_mobileone", "--runtime", "all"],  # the sweep library too
    ],
)
def test_no_wait_reaches_every_run_of_a_sweep(argv, monkeypatch, capsys):
    # what this machine's runner offers is not the point here: one runtime will do
    monkeypatch.setattr(sweeps, "runtimes_available_here", lambda: ["onnxruntime"])
    with device_lock(get_device("host"), wait=False):
        with pytest.raises(SystemExit) as exc:
            main([*argv, "-n", "5", "--no-wait", "--json"])
    assert exc.value.code == 5
    doc = json.loads(capsys.readouterr().out)
    assert "resume with: benchctl sweep --resume" in doc["error"]["hint"], doc
    assert ResultStore.open(None).runs() == []  # a busy device is not a measurement
