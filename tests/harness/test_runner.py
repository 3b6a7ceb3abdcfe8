"""The Python runner in its own process, through the local transport, on a real ONNX artifact."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from benchctl.harness.run import RunRequest, build_spec
from benchctl.harness.runtimes import get_runtime
from benchctl.harness.transports import LocalTransport
from benchctl.runner import contract
from benchctl.runner.digest import content_sha256
from benchctl.runner.run import run_spec_file


def _run(tiny_artifact, tmp_path: Path, mutate=None, iterations: int = 100):
    run_id = uuid.uuid4().hex
    spec = build_spec(
        RunRequest(model="test_mobileone", iterations=iterations, warmup=5),
        get_runtime("onnxruntime"),
        tiny_artifact,
        run_id,
    )
    if mutate:
        spec = json.loads(json.dumps(spec))  # the artifact's own lists must not change
        mutate(spec)
    transport = LocalTransport(tmp_path / "device")
    remote = Path(transport.workdir(run_id))
    transport.push(tiny_artifact.path, str(remote / tiny_artifact.path.name), timeout=10)
    contract.write_atomic(remote / "spec.json", spec)
    lines: list[str] = []
    done = transport.run(
        [*transport.runner_argv(), str(remote / "spec.json")], timeout=120, on_line=lines.append
    )
    assert done.returncode == 0, done.stderr_tail
    return contract.read(remote / "result.json"), lines


def test_runner_times_every_iteration(tiny_artifact, tmp_path):
    result, lines = _run(tiny_artifact, tmp_path, iterations=300)
    contract.validate("result", result)
    assert result["status"] == "ok", result["error"]
    samples = result["timing_ns"]["samples"]
    assert len(samples) == 300 and all(type(s) is int and s > 0 for s in samples)
    assert result["model_sha256"] == tiny_artifact.sha256
    assert result["runtime"]["accelerator_actual"] == "cpu"
    assert result["timing_ns"]["load"] > 0 and result["timing_ns"]["first_inference"] > 0
    assert result["timing_ns"]["warmup"]["count"] == 5
    assert any(line.startswith("@@benchctl progress timed 300 300") for line in lines)


@pytest.mark.parametrize(
    ("mutate", "status", "code"),
    [
        (
            lambda s: s["model"].update(sha256="sha256:" + "0" * 64),
            "error",
            "MODEL_SHA256_MISMATCH",
        ),
        (lambda s: s["backend"].update(name="nosuch"), "unsupported_backend", "UNKNOWN_BACKEND"),
        (lambda s: s.update(version=2), "unsupported_version", "UNSUPPORTED_CONTRACT_VERSION"),
        (lambda s: s["backend"].update(accelerator="cuda"), "error", "DELEGATE_UNAVAILABLE"),
        (lambda s: s["inputs"]["tensors"][0].update(name="pixels"), "error", "INPUT_MISMATCH"),
        (lambda s: s["timing"].update(iters=0), "error", "INVALID_SPEC"),
        (lambda s: s["model"].update(path="missing.onnx"), "error", "MODEL_NOT_FOUND"),
        (
            lambda s: s["backend"]["options"].update(num_threads=999),
            "error",
            "THREADS_BEYOND_CORES",
        ),
        (lambda s: s.update(placement={"cpus": [4096]}), "error", "CPUS_UNAVAILABLE"),
    ],
)
def test_runner_reports_failures_as_coded_results(tiny_artifact, tmp_path, mutate, status, code):
    result, _ = _run(tiny_artifact, tmp_path, mutate=mutate, iterations=10)
    contract.validate("result", result)
    assert (result["status"], result["error"]["code"]) == (status, code)


def test_corrupt_model_is_a_load_failure(tiny_artifact, tmp_path):
    """A truncated model whose hash matches the spec must fail in the runtime, as a status."""
    bad = tmp_path / tiny_artifact.path.name
    bad.write_bytes(tiny_artifact.path.read_bytes()[:200])
    spec = build_spec(
        RunRequest(model="test_mobileone", iterations=5),
        get_runtime("onnxruntime"),
        tiny_artifact,
        uuid.uuid4().hex,
    )
    spec["model"]["sha256"] = content_sha256(bad)
    contract.write_atomic(tmp_path / "spec.json", spec)
    doc = run_spec_file(tmp_path / "spec.json")
    contract.validate("result", contract.read(tmp_path / "result.json"))
    assert (doc["status"], doc["error"]["code"]) == ("error", "MODEL_LOAD_FAILED")


def test_runner_pins_itself_measures_contention_and_records_both(tiny_artifact, tmp_path):
    def pin(spec):
        spec["placement"] = {"cpus": [0]}
        spec["backend"]["options"]["num_threads"] = 1

    result, _ = _run(tiny_artifact, tmp_path, mutate=pin, iterations=200)
    assert result["status"] == "ok", result["error"]
    env = result["environment"]
    assert env["placement"] == {"cpus": [0], "pinned": True, "threads": 1}
    doc = env["contention"]
    assert doc["cpus"] == [0] and doc["source"] == "linux-proc"
    assert isinstance(doc["noisy"], bool) and isinstance(doc["reasons"], list)
    assert 0 <= doc["others_cpu_share"] <= 1 and doc["run_delay_share"] >= 0
    assert doc["windows"] and doc["windows"][-1]["to"] == 200


def test_runner_allows_oversubscription_only_when_asked(tiny_artifact, tmp_path):
    def oversubscribe(spec):
        spec["placement"] = {"cpus": [0], "allow_oversubscribe": True}
        spec["backend"]["options"]["num_threads"] = 2

    result, _ = _run(tiny_artifact, tmp_path, mutate=oversubscribe, iterations=20)
    assert result["status"] == "ok", result["error"]
    assert result["environment"]["placement"]["threads"] == 2


def test_runner_keeps_timing_until_the_ci_target(tiny_artifact, tmp_path):
    def target(spec):
        spec["timing"].update(iters=20, target_ci=1e-6, max_iters=700)

    result, _ = _run(tiny_artifact, tmp_path, mutate=target, iterations=20)
    assert result["status"] == "ok", result["error"]
    assert len(result["timing_ns"]["samples"]) == 700  # the target is out of reach: max_iters
    assert result["environment"]["stopped_by"] == "max_iters"
    assert result["environment"]["precision"]["ci_rel"] > 1e-6
