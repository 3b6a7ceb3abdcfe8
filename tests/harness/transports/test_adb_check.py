"""`benchctl devices check` on an Android phone: the adb stages against the strict adb peer, the
app played by benchctl's own runner (as in test_adb_first_contact.py)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from adbd_emulator import AdbdEmulator
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.harness.check import run_check
from benchctl.harness.devices import get_device
from benchctl.runner import contract


def _play(spec_path: Path) -> bool:
    from benchctl.runner.run import run_spec_file

    return run_spec_file(spec_path)["status"] == "ok"


@pytest.fixture
def phone(tmp_path: Path, adb_key: Path, inventory_dir, shared_home, monkeypatch):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    public = load_pem_private_key(adb_key.read_bytes(), password=None).public_key()
    with AdbdEmulator(tmp_path / "phone", authorized=[public], on_instrument=_play) as emu:
        result = CliRunner().invoke(app, [
            "devices", "add", "pixel", "--adb", f"127.0.0.1:{emu.port}", "--adb-mode", "direct",
            "--key", str(adb_key), "--runtime", "litert",
        ])  # fmt: skip
        assert result.exit_code == 0, result.output
        yield emu


def _walk(tiny: int = 5):
    report = run_check(get_device("pixel"), tiny_iterations=tiny)
    return report, {r.name: r for r in report.results}


def test_the_whole_walk_passes_on_a_fit_phone(phone):
    report, by = _walk()
    assert [r.name for r in report.results] == [
        "connect", "facts", "round trip", "app", "app folder", "screen", "launch", "runtimes",
        "tiny model", "placement",
    ]  # fmt: skip
    assert report.ok, [(r.name, r.status, r.detail) for r in report.results]
    assert "owned by the app (uid 10245), made by the app just now" in by["app folder"].detail
    assert "MODEL_NOT_FOUND" in by["launch"].detail
    assert by["runtimes"].detail.endswith(": litert")
    assert by["tiny model"].status == "ok" and "litert" in by["tiny model"].detail
    assert by["placement"].detail == "litert on cpu"
    result = json.loads(report.files["launch/result.json"])
    contract.validate("result", result)
    contract.validate("capabilities", json.loads(report.files["capabilities/capabilities.json"]))
    # the app made its folder before anything was written into it (A6)
    first_write = next(i for i, c in enumerate(phone.commands) if c.startswith("mkdir"))
    prepare = next(i for i, c in enumerate(phone.commands) if "-e prepare true" in c)
    assert prepare < first_write


def test_a_folder_made_by_the_shell_stops_the_walk_with_the_fix(phone):
    phone._mkdirs(phone.app_folder() + "/files", 2000)
    report, by = _walk()
    # the round trip already refuses to write there; the app stages say why and are skipped
    assert by["round trip"].status == "fail"
    assert "not to the app (uid 10245)" in by["round trip"].detail
    assert all(r.status == "skip" for r in report.results[3:])


def test_a_missing_app_is_refused_before_anything_is_written(phone):
    phone.installed = False
    report, by = _walk()
    assert by["round trip"].status == "fail" and "is not installed" in by["round trip"].detail
    assert not (phone.root / "sdcard" / "Android" / "data" / phone.package).exists()


def test_a_debuggable_app_and_a_pin_lock_fail_their_stages(phone):
    phone.debuggable = True
    _, by = _walk()
    assert by["app"].status == "fail" and "debuggable" in by["app"].detail
    assert ":app:assembleStandardRelease" in by["app"].fix
    phone.debuggable = False
    phone.keyguard = {"showing": True, "secure": True}
    _, by = _walk()
    assert by["screen"].status == "fail" and "PIN" in by["screen"].detail
    assert by["launch"].status == "skip"


def test_runtimes_the_phone_offers_beyond_the_inventory_are_named_with_the_fix(phone):
    phone.accelerators = ["cpu", "gpu", "nnapi"]
    _, by = _walk()
    assert by["runtimes"].detail.endswith(": litert, litert-gpu, litert-nnapi")
    assert by["tiny model"].status == "warn"
    assert (
        "offered but not in pixel's runtimes: litert-gpu, litert-nnapi" in by["tiny model"].detail
    )
    assert "--runtime litert --runtime litert-gpu --runtime litert-nnapi" in by["tiny model"].fix


def test_a_runtime_that_fails_on_the_phone_is_reported_and_placement_judged(
    phone, adb_key, monkeypatch
):
    CliRunner().invoke(app, ["devices", "remove", "pixel"])
    CliRunner().invoke(app, [
        "devices", "add", "pixel", "--adb", f"127.0.0.1:{phone.port}", "--adb-mode", "direct",
        "--key", str(adb_key), "--runtime", "litert", "--runtime", "litert-gpu",
    ])  # fmt: skip
    phone.accelerators = ["cpu", "gpu"]
    report, by = _walk()
    # the stand-in app is benchctl's runner on Linux: no GPU delegate there
    assert by["tiny model"].status == "warn"
    assert "litert-gpu DELEGATE_UNAVAILABLE" in by["tiny model"].detail, report.files[
        "tiny_model.json"
    ].decode()
    assert by["placement"].detail == "litert on cpu"


def test_cli_writes_the_bundle(phone, tmp_path):
    bundle = tmp_path / "check.zip"
    res = CliRunner().invoke(app, ["devices", "check", "pixel", "--json", "--bundle", str(bundle)])
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["ok"], doc
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
    assert {"check.json", "facts.json", "launch/spec.json", "launch/result.json",
            "launch/instrumentation.txt", "capabilities/capabilities.json",
            "tiny_model.json"} <= names  # fmt: skip
