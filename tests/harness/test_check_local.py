"""`devices check` for this machine's GPU and Coral devices (the `local` transport)."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.harness.check import run_check
from benchctl.harness.devices import get_device

runner = CliRunner()


@pytest.fixture
def inventory(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCHCTL_CONFIG_DIR", str(tmp_path / "config"))


def _add(name: str, accelerator: str) -> None:
    res = runner.invoke(
        app, ["devices", "add", name, "--local", "--accelerator", accelerator, "--no-probe"]
    )
    assert res.exit_code == 0, res.output


def _have_gpu() -> bool:
    from benchctl.harness.discovery import local_gpus

    return bool(local_gpus()[0])


def test_local_cuda_device_without_a_gpu_says_so(inventory):
    if _have_gpu():
        pytest.skip("a GPU is here: see the gpu-marked test")
    _add("desk", "cuda")
    report = run_check(get_device("desk"))
    by_name = {r.name: r for r in report.results}
    assert by_name["tiny onnxruntime"].status == "ok"
    for name in ("torch-cuda", "torch-cuda-graphs", "onnxruntime-cuda", "tensorrt"):
        assert by_name[f"tiny {name}"].status == "skip", by_name[f"tiny {name}"]
    gpu = by_name["accelerators"]
    assert gpu.status == "fail" and "nvidia-smi" in gpu.detail and "NVIDIA driver" in gpu.fix
    assert not report.ok


def test_local_coral_device_without_a_coral_says_which_usb_ids(inventory):
    from benchctl.harness.discovery import local_corals

    if local_corals()[0]:
        pytest.skip("a Coral is plugged in")
    _add("coral", "edgetpu")
    res = runner.invoke(app, ["devices", "check", "coral", "--json"])
    doc = json.loads(res.stdout)
    stages = {s["name"]: s for s in doc["stages"]}
    assert stages["tiny edgetpu"]["status"] == "skip"
    assert stages["accelerators"]["status"] == "fail"
    assert "1a6e:089a" in stages["accelerators"]["detail"] + stages["accelerators"]["fix"]
    assert res.exit_code == 1


@pytest.mark.gpu
def test_local_gpu_device_runs_every_cuda_runtime_it_has(inventory):
    assert os.environ.get("BENCHCTL_TEST_HARDWARE")
    _add("desk", "cuda")
    report = run_check(get_device("desk"))
    by_name = {r.name: r for r in report.results}
    assert by_name["accelerators"].status == "ok", by_name["accelerators"]
    assert by_name["tiny torch-cuda"].status == "ok"
    assert by_name["tiny torch-cuda"].data["clock"] == "cuda-events"
    assert by_name["tiny torch-cuda-graphs"].status == "ok"
