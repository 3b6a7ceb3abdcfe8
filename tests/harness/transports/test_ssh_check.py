"""`devices check` on an ssh board: every stage against the real sshd (conftest.py), the bundle."""

from __future__ import annotations

import json
import subprocess
import zipfile

from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.harness.check import run_check
from benchctl.harness.devices import get_device

runner = CliRunner()


def _add(sshd, tmp_path, name: str, *extra: str) -> None:
    board = tmp_path / "board"
    result = runner.invoke(
        app,
        [
            "devices", "add", name, "--ssh", sshd.address, "--no-probe",
            "--key", str(sshd.client_key), "--python", sshd.device_options(board)["python"],
            "--root", str(board), *extra,
        ],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_ssh_board_walks_every_stage(sshd, inventory_dir, tmp_path):
    _add(sshd, tmp_path, "pi", "--known-hosts", str(sshd.known_hosts))
    report = run_check(get_device("pi"))
    by_name = {r.name: r for r in report.results}
    assert [r.name for r in report.results] == [
        "connect", "facts", "round trip", "host key", "runner version", "tiny onnxruntime",
        "accelerators",
    ]  # fmt: skip
    assert report.ok, [(r.name, r.status, r.detail) for r in report.results]
    # the fingerprint is the one ssh-keygen computes from the server's own host key
    keygen = subprocess.run(
        ["ssh-keygen", "-lf", str(sshd.folder / "host_key.pub")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert by_name["host key"].data["fingerprint"] == keygen.stdout.split()[1]
    assert by_name["host key"].data["source"] == str(sshd.known_hosts)
    tiny = by_name["tiny onnxruntime"]
    assert tiny.data["accelerator_actual"] == "cpu" and tiny.data["median_ms"] > 0
    assert "20 iterations" in tiny.detail
    assert "GPUs: none" in by_name["accelerators"].detail
    caps = json.loads(report.files["capabilities.json"])
    assert caps["runner"]["version"] == __import__("benchctl").__version__
    assert "tiny_onnxruntime_result.json" in report.files


def test_untrusted_host_key_stops_the_walk_with_the_fix(sshd, inventory_dir, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    _add(sshd, tmp_path, "stranger", "--known-hosts", str(empty))
    report = run_check(get_device("stranger"))
    failed = [r for r in report.results if r.status == "fail"]
    assert failed[0].name in ("connect", "facts") and "host key not trusted" in failed[0].detail
    assert all(r.status == "skip" for r in report.results[report.results.index(failed[0]) + 1 :])


def test_ssh_board_with_a_gpu_named_reports_what_is_missing(sshd, inventory_dir, tmp_path):
    """An ssh device marked `--accelerator cuda` on a board with no GPU: the CUDA runtimes are
    skipped with the runner's reason, the accelerators stage fails with the driver fix."""
    _add(sshd, tmp_path, "jetson", "--known-hosts", str(sshd.known_hosts), "--accelerator", "cuda")
    bundle = tmp_path / "check.zip"
    result = runner.invoke(app, ["devices", "check", "jetson", "--json", "--bundle", str(bundle)])
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and not doc["ok"]
    stages = {s["name"]: s for s in doc["stages"]}
    assert stages["tiny onnxruntime"]["status"] == "ok"
    assert stages["tiny torch-cuda"]["status"] == "skip"
    assert "no cuda accelerator" in stages["tiny torch-cuda"]["detail"]
    assert "tensorrt" in stages["tiny tensorrt"]["detail"].lower()
    assert stages["accelerators"]["status"] == "fail"
    assert "NVIDIA driver" in stages["accelerators"]["fix"]
    with zipfile.ZipFile(bundle) as zf:
        assert {"check.json", "facts.json", "capabilities.json"} <= set(zf.namelist())
