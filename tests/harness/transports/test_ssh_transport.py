"""The ssh transport against a real OpenSSH server on loopback (see conftest.py)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.errors import TransportError
from benchctl.harness.transports.ssh import SshTransport, parse_address

runner = CliRunner()


def cli(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout


def _transport(sshd, tmp_path: Path, **kw) -> SshTransport:
    opts = sshd.device_options(tmp_path / "board")
    opts.update(kw)
    return SshTransport(sshd.address, **opts)


def test_parse_address():
    assert parse_address("pi@pi5.local:2222") == ("pi", "pi5.local", 2222)
    assert parse_address("jetson") == (None, "jetson", None)
    assert parse_address("me@[::1]:22") == ("me", "::1", 22)


def test_benchctl_run_over_ssh_end_to_end(sshd, inventory_dir, tmp_path):
    board = tmp_path / "board"
    added = json.loads(
        cli(
            "devices", "add", "loopback", "--ssh", sshd.address,
            "--key", str(sshd.client_key), "--known-hosts", str(sshd.known_hosts),
            "--python", sshd.device_options(board)["python"], "--root", str(board), "--json",
        )
    )  # fmt: skip
    assert added["probed"] is True
    assert added["hardware_class"]["cpu_count"] >= 1 and added["unit"]["hostname"]
    first = json.loads(
        cli("run", "--device", "loopback", "--model", "test_mobileone", "-n", "60",
            "--warmup", "3", "--json")
    )  # fmt: skip
    assert first["status"] == "ok", first
    assert first["device"] == "loopback" and first["iterations"] == 60
    second = json.loads(
        cli("run", "--device", "loopback", "--model", "test_mobileone", "-n", "30", "--json")
    )
    assert second["status"] == "ok"
    shown = json.loads(cli("results", "show", second["run_id"], "--json", "--samples"))
    assert len(shown["samples_ns"]) == 30
    from benchctl.results.store import ResultStore

    store = ResultStore.open(None)
    rows = {r: store.run(r) for r in (first["run_id"], second["run_id"])}
    host_env = [rows[r].environment["host"] for r in (first["run_id"], second["run_id"])]
    # the model went over once; the second run found the same sha256 on the board
    assert [h["model_pushed"] for h in host_env] == [True, False]
    assert "max_temp_c" in host_env[0]["before"] or host_env[0]["before"]["platform"] == "linux"
    assert host_env[0]["drift"]["window"] >= 5
    assert rows[first["run_id"]].spec["model"]["path"].startswith("../../models/")
    # the pushed runner is in place and the run folders are gone
    assert len(list((board / "runner").iterdir())) == 1
    assert list((board / "work").iterdir()) == []
    assert len(list((board / "models").iterdir())) == 1


def test_doctor_reads_capabilities_and_records_hardware(sshd, inventory_dir, tmp_path):
    board = tmp_path / "board"
    cli(
        "devices", "add", "board", "--ssh", sshd.address, "--no-probe",
        "--key", str(sshd.client_key), "--known-hosts", str(sshd.known_hosts),
        "--python", sshd.device_options(board)["python"], "--root", str(board),
    )  # fmt: skip
    doc = json.loads(cli("devices", "doctor", "board", "--json"))
    assert doc["ok"] is True, doc["checks"]
    names = [c["name"] for c in doc["checks"]]
    assert names[:4] == ["client", "key", "connect", "runner"] and "runtime onnxruntime" in names
    assert doc["capabilities"]["runner"]["version"] == __import__("benchctl").__version__
    shown = json.loads(cli("devices", "show", "board", "--json"))
    assert shown["hardware_class"]["cpu_count"] >= 1


def test_doctor_explains_a_refused_key(sshd, inventory_dir, tmp_path):
    import subprocess

    stranger = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    cli(
        "devices", "add", "nokey", "--ssh", sshd.address, "--no-probe", "--key", str(stranger),
        "--known-hosts", str(sshd.known_hosts),
    )  # fmt: skip
    doc = json.loads(cli("devices", "doctor", "nokey", "--json", code=1))
    failed = [c for c in doc["checks"] if not c["ok"]]
    assert failed[0]["name"] == "connect" and "permission denied" in failed[0]["detail"]
    assert "ssh" in failed[0]["fix"]


def test_unknown_host_key_is_refused_with_the_fix(sshd, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    t = _transport(sshd, tmp_path, known_hosts=str(empty))
    try:
        with pytest.raises(TransportError, match="host key not trusted"):
            t.exists("/")
    finally:
        t.close()


def test_run_streams_exit_code_and_large_output_without_deadlock(sshd, tmp_path):
    t = _transport(sshd, tmp_path)
    try:
        lines: list[str] = []
        done = t.run(["sh", "-c", "echo one; echo two; echo bad >&2; exit 3"], timeout=30,
                     on_line=lines.append)  # fmt: skip
        assert (lines, done.returncode, done.timed_out) == (["one", "two"], 3, False)
        assert "bad" in done.stderr_tail
        # 3 MiB on each stream: more than an SSH channel window; both are drained together, so
        # the command finishes (a deadlock would end in the deadline instead)
        big = "head -c 3145728 /dev/zero | tr '\\0' x; head -c 3145728 /dev/zero >&2"
        done = t.run(["sh", "-c", big], timeout=120)
        assert (done.returncode, done.timed_out) == (0, False), done.stderr_tail[-300:]
        assert len(done.stdout_tail) == 3145728
    finally:
        t.close()


def test_run_past_its_deadline_is_killed_on_the_board(sshd, tmp_path):
    started, marker = tmp_path / "pid", tmp_path / "survived"
    t = _transport(sshd, tmp_path)
    try:
        # the board's shell records its pid first (the sshd peer runs here, so it is ours to see)
        done = t.run(["sh", "-c", f"echo $$ > {started}; sleep 10; touch {marker}"], timeout=3)
        assert done.timed_out
        assert started.is_file(), "the command never started: the kill was not put to the test"
        assert wait_until_gone(int(started.read_text()))  # killed on the board…
        assert not marker.exists()  # …before it could write this (10 s after it started)
    finally:
        t.close()


def test_files_sha256_and_cleanup_stay_inside_root(sshd, tmp_path):
    t = _transport(sshd, tmp_path)
    try:
        remote = t.workdir("c" * 32)
        src = tmp_path / "model.bin"
        src.write_bytes(b"weights")
        t.push(src, f"{remote}/sub/model.bin", timeout=30)
        assert t.sha256(f"{remote}/sub/model.bin", timeout=30) == (
            "sha256:" + __import__("hashlib").sha256(b"weights").hexdigest()
        )
        assert t.sha256(f"{remote}/missing", timeout=30) is None
        t.pull(f"{remote}/sub/model.bin", tmp_path / "back.bin", timeout=30)
        assert (tmp_path / "back.bin").read_bytes() == b"weights"
        with pytest.raises(TransportError, match="pull"):
            t.pull(f"{remote}/missing", tmp_path / "x", timeout=30)
        with pytest.raises(TransportError, match="outside"):
            t.cleanup("/tmp")
        t.cleanup(remote)
        assert not t.exists(remote)
    finally:
        t.close()


def test_a_silent_host_is_a_timeout_not_cannot_connect(tmp_path):
    """G9: TimeoutError is an OSError; a board that accepts TCP but never speaks SSH times out."""
    import socket

    with socket.socket() as listener:  # the kernel completes the handshake; nobody answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        (tmp_path / "kh").write_text("")
        t = SshTransport(f"127.0.0.1:{port}", connect_timeout=1, known_hosts=str(tmp_path / "kh"))
        try:
            with pytest.raises(TransportError, match=r"no SSH answer within 1 s; is the board on"):
                t.exists("/")
        finally:
            t.close()


def test_a_folder_artifact_is_pushed_whole(sshd, tmp_path):
    """G10: an .mlpackage is a folder; SFTP needs recurse to copy it."""
    pkg = tmp_path / "model.mlpackage"
    (pkg / "Data" / "weights").mkdir(parents=True)
    (pkg / "Manifest.json").write_text("{}")
    (pkg / "Data" / "weights" / "weight.bin").write_bytes(b"w" * 1000)
    t = _transport(sshd, tmp_path)
    try:
        remote = t.workdir("d" * 32)
        t.push(pkg, f"{remote}/model.mlpackage", timeout=30)
        weight = f"{remote}/model.mlpackage/Data/weights/weight.bin"
        assert t.sha256(weight, timeout=30) == (
            "sha256:" + __import__("hashlib").sha256(b"w" * 1000).hexdigest()
        )
        assert t.exists(f"{remote}/model.mlpackage/Manifest.json")
    finally:
        t.close()


def test_a_broken_nvidia_driver_is_reported_not_raised(tmp_path):
    """G11: nvidia-smi's exit 9 and message reach the facts; nothing raises ValueError.

    The board's facts script runs in a real `sh` with an `nvidia-smi` that answers as the real
    one does when the driver is not loaded (its message, exit status 9).
    """
    import os
    import subprocess

    from benchctl.harness.transports.ssh import facts_script, parse_facts

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    smi = bin_dir / "nvidia-smi"
    smi.write_text(
        "#!/bin/sh\necho \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA"
        ' driver. Make sure that the latest NVIDIA driver is installed and running."\nexit 9\n'
    )
    smi.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    out = subprocess.run(
        ["sh", "-c", facts_script()], env=env, capture_output=True, text=True, timeout=60
    )
    facts = parse_facts(out.stdout)
    assert facts["gpus"] == []
    assert facts["gpu_error"].startswith("nvidia-smi exit 9: NVIDIA-SMI has failed")


def wait_until_gone(pid: int, timeout: float = 20.0) -> bool:
    """Poll until process `pid` has exited (or is a zombie no one reaped yet): a positive event
    to wait for, so a test never sleeps a fixed time and then asserts that something is absent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.05)
    return False
