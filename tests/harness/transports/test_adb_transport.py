"""The adb transport (adb-shell, direct mode) against a peer speaking the adb wire protocol."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from adbd_emulator import AdbdEmulator
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.errors import TransportError
from benchctl.harness.transports.adb import AdbTransport, instrumentation_ok, parse_package

runner = CliRunner()
FILES = "/sdcard/Android/data/dev.benchctl.android/files/benchctl"


def cli(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout


def _public(key: Path):
    return load_pem_private_key(key.read_bytes(), password=None).public_key()


def _play_the_app(spec_path: Path) -> bool:
    """Stand-in for the companion app: benchctl's own runner on the pushed spec and model."""
    from benchctl.runner.run import run_spec_file

    return run_spec_file(spec_path)["status"] == "ok"


@pytest.fixture
def phone(tmp_path: Path, adb_key: Path):
    with AdbdEmulator(
        tmp_path / "phone", authorized=[_public(adb_key)], on_instrument=_play_the_app
    ) as emu:
        yield emu


def _transport(phone: AdbdEmulator, key: Path, **kw) -> AdbTransport:
    return AdbTransport(f"127.0.0.1:{phone.port}", mode="direct", key=str(key), **kw)


def test_push_run_pull_over_the_wire_protocol(phone, adb_key, tmp_path):
    t = _transport(phone, adb_key)
    try:
        remote = t.workdir("d" * 32)
        assert remote == f"{FILES}/work/{'d' * 32}"
        model = tmp_path / "model.tflite"
        model.write_bytes(bytes(range(256)) * 1000)  # 256 kB: several sync DATA chunks
        t.push(model, f"{remote}/model.tflite", timeout=30)
        assert (phone.root / remote.lstrip("/") / "model.tflite").read_bytes() == model.read_bytes()
        assert t.sha256(f"{remote}/model.tflite", timeout=30) == (
            "sha256:" + hashlib.sha256(model.read_bytes()).hexdigest()
        )
        done = t.run(["echo", "hello phone"], timeout=30)
        assert (done.returncode, done.stdout_tail) == (0, "hello phone\n")
        assert t.run(["test", "-e", f"{remote}/nothing"], timeout=30).returncode == 1
        assert t.run(["nosuchtool"], timeout=30).returncode == 127
        t.pull(f"{remote}/model.tflite", tmp_path / "back.tflite", timeout=30)
        assert (tmp_path / "back.tflite").read_bytes() == model.read_bytes()
        with pytest.raises(TransportError, match="No such file"):
            t.pull(f"{remote}/missing.json", tmp_path / "missing.json", timeout=30)
        with pytest.raises(TransportError, match="outside"):
            t.cleanup("/sdcard")
        t.cleanup(remote)
        assert not t.exists(remote)
    finally:
        t.close()


def test_facts_and_snapshot_parse_getprop_and_dumpsys(phone, adb_key):
    phone.thermal = {"status": 1, "skin": 38.0, "cpu": 52.5}
    t = _transport(phone, adb_key)
    try:
        facts = t.facts(timeout=30)
        assert (facts["model"], facts["soc_model"], facts["build_type"]) == (
            "Pixel 8",
            "Tensor G3",
            "user",
        )
        assert facts["app_installed"] and not facts["app_debuggable"]
        assert facts["app_version"] == "0.1.0"
        snap = t.snapshot(timeout=30)
        assert snap == {
            "platform": "android",
            "thermal_status": "light",
            "max_temp_c": 52.5,  # the -273.1 placeholder sensor is ignored
            "battery_pct": 88.0,
            "battery_temp_c": 31.2,
            "charging": True,
        }
    finally:
        t.close()


def test_unknown_key_waits_for_the_tap_then_says_what_to_do(phone, tmp_path):
    from adb_shell.auth.keygen import keygen

    stranger = tmp_path / "stranger"
    keygen(str(stranger))
    with pytest.raises(TransportError, match="USB debugging prompt, accept it for key"):
        AdbTransport(f"127.0.0.1:{phone.port}", mode="direct", key=str(stranger), auth_timeout=1)
    assert phone.public_key_offered.is_set()


def _add_phone(phone: AdbdEmulator, key: Path, *extra: str) -> None:
    cli(
        "devices", "add", "pixel", "--adb", f"127.0.0.1:{phone.port}", "--adb-mode", "direct",
        "--key", str(key), "--runtime", "onnxruntime", *extra,
    )  # fmt: skip


def test_benchctl_run_through_the_app_lifecycle(phone, adb_key, inventory_dir, shared_home,
                                                monkeypatch):  # fmt: skip
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    _add_phone(phone, adb_key)
    shown = json.loads(cli("devices", "show", "pixel", "--json"))
    assert shown["hardware_class"]["model"] == "Pixel 8"
    assert shown["unit"]["serial"] == "38121FDJH000X1"
    doc = json.loads(
        cli("run", "--device", "pixel", "--model", "test_mobileone", "-n", "40", "--json")
    )
    assert doc["status"] == "ok", doc
    assert doc["iterations"] == 40
    launch = [c for c in phone.commands if c.startswith("am instrument")]
    spec_remote = f"{FILES}/work/{doc['run_id']}/spec.json"
    assert launch == [  # the app makes its own folder first (A6), then runs the spec
        "am instrument -w -r -e prepare true "
        "dev.benchctl.android/.BenchInstrumentation; echo __BENCHCTL_EXIT__$?",
        f"am instrument -w -r -e spec {spec_remote} "
        "dev.benchctl.android/.BenchInstrumentation; echo __BENCHCTL_EXIT__$?",
    ]
    assert phone.owners[phone.app_folder()] == phone.app_uid
    assert not (phone.root / spec_remote.lstrip("/")).exists()  # cleaned up


@pytest.mark.parametrize(
    ("setup", "status", "code"),
    [
        (lambda p: setattr(p, "battery_level", 12), "error", "LOW_BATTERY"),
        (lambda p: setattr(p, "debuggable", True), "error", "DEBUGGABLE_BUILD"),
        (lambda p: p.thermal.update(status=3), "thermal_abort", "THERMAL_LIMIT"),
    ],
)
def test_unfit_phone_is_refused_with_the_reason(phone, adb_key, inventory_dir, shared_home,
                                                monkeypatch, setup, status, code):  # fmt: skip
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    _add_phone(phone, adb_key, "--cooldown-timeout-s", "0")
    setup(phone)
    doc = json.loads(
        cli("run", "--device", "pixel", "--model", "test_mobileone", "-n", "5", "--json", code=1)
    )
    assert (doc["status"], doc["error_code"]) == (status, code)
    assert not any(c.startswith("am instrument") for c in phone.commands)


def test_instrumentation_and_package_parsers():
    assert instrumentation_ok("INSTRUMENTATION_STATUS_CODE: 1\nINSTRUMENTATION_CODE: -1\n")
    assert not instrumentation_ok("INSTRUMENTATION_FAILED: dev.benchctl.android/.X\n")
    assert not instrumentation_ok("INSTRUMENTATION_CODE: 0\n")
    assert parse_package("") == {"app_installed": False}


def test_contention_around_an_app_run_is_read_through_adb_shell(phone, adb_key):
    from benchctl.harness.devices import Device
    from benchctl.harness.lifecycle import AppCpuWatch

    t = _transport(phone, adb_key)
    try:
        device = Device("pixel", "adb", address=f"127.0.0.1:{phone.port}")
        watch = AppCpuWatch.start(device, t)
        assert watch is not None
        doc = watch.finish()
    finally:
        t.close()
    assert doc["source"] == "adb-proc-stat+dumpsys-cpuinfo" and doc["cpus"] == [0, 1, 2, 3]
    # 600 of every 1000 jiffies busy between the reads; the app's own share is 25 %
    assert doc["others_cpu_share"] == pytest.approx(0.35) and doc["app_cpu_share"] == 0.25
    assert doc["noisy"] and "35 %" in doc["reasons"][0]
    assert sum(c.startswith("cat /proc/stat") for c in phone.commands) == 2  # before, after
    assert any(c.startswith("dumpsys cpuinfo") for c in phone.commands)
