"""`benchctl devices add/list/show/remove/doctor` on the inventory files (no hardware)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

import pytest
from typer.testing import CliRunner

from benchctl.cli.app import app

runner = CliRunner()
UDID = "00008101-001A2B3C4D5E001E"


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    folder = tmp_path / "config"
    monkeypatch.setenv("BENCHCTL_CONFIG_DIR", str(folder))
    return folder


def cli(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout


def benchctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchctl", *args], capture_output=True, text=True, timeout=120,
        env=dict(os.environ),
    )  # fmt: skip


def test_add_list_show_remove_round_trip(config_dir, isolated_project):
    cli("devices", "add", "iphone12", "--ios", UDID, "--no-probe", "--description", "lab phone")
    cli("devices", "add", "pixel8", "--adb", "38121FDJH000X1", "--no-probe", "--project",
        "--min-battery-pct", "40")  # fmt: skip
    docs = {d["name"]: d for d in json.loads(cli("devices", "list", "--json"))}
    assert set(docs) == {"host", "iphone12", "pixel8"}
    assert docs["iphone12"]["default_runtime"] == "coreml"
    assert docs["pixel8"]["source"] == str(isolated_project / ".benchctl" / "devices.toml")
    assert docs["pixel8"]["gates"] == {"min_battery_pct": 40.0}
    stored = tomllib.loads((config_dir / "devices.toml").read_text())
    assert stored["devices"]["iphone12"]["address"] == UDID
    assert "iphone12" in cli("devices", "list") and "pixel8" in cli("devices", "show", "pixel8")
    removed = json.loads(cli("devices", "remove", "pixel8", "--json"))
    assert removed["file"].endswith(".benchctl/devices.toml")
    assert [d["name"] for d in json.loads(cli("devices", "list", "--json"))] == [
        "host",
        "iphone12",
    ]


def test_local_accelerator_device_keeps_the_host_class():
    doc = json.loads(cli("devices", "add", "gpu0", "--local", "--accelerator", "cuda", "--json"))
    assert doc["accelerator"] == "cuda" and doc["hardware_class"]["cpu_count"] >= 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["devices", "add", "x", "--ssh", "a@b", "--adb", "s"], "exactly one of"),
        (["devices", "add", "x", "--ios", "not-a-udid"], "is not a UDID"),
        (["devices", "add", "Bad Name", "--local"], "must be lowercase"),
        (["devices", "add", "host", "--local"], "built in"),
        (["devices", "add", "x", "--adb", "s", "--accelerator", "cuda"], "--accelerator is for"),
        (["devices", "add", "x", "--ssh", "pi@pi5", "--runner", "copy"], "--runner 'copy'"),
        (["devices", "show", "iphon12"], "unknown device 'iphon12'"),
        (["devices", "remove", "host"], "built in"),
        (["run", "--model", "test_mobileone", "--device", "pi5x"], "unknown device 'pi5x'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args, expected):
    proc = benchctl(*args)
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_device_suggests_close_names():
    cli("devices", "add", "pixel8", "--adb", "38121FDJH000X1", "--no-probe")
    proc = benchctl("run", "--model", "test_mobileone", "--device", "pixel9")
    assert proc.returncode == 2 and "did you mean: pixel8" in proc.stderr


def test_duplicate_add_says_how_to_replace():
    cli("devices", "add", "pi5", "--ssh", "pi@pi5.local", "--no-probe")
    proc = benchctl("devices", "add", "pi5", "--ssh", "pi@pi5.local", "--no-probe")
    assert proc.returncode == 2 and "benchctl devices remove pi5" in proc.stderr


def test_unreachable_device_is_saved_with_a_warning_and_doctor_explains(tmp_path):
    result = runner.invoke(
        app,
        ["devices", "add", "gone", "--ssh", "nobody@127.0.0.1:9", "--key", str(tmp_path / "k")],
    )
    assert result.exit_code == 0 and "could not probe it" in result.stderr
    doc = json.loads(cli("devices", "doctor", "gone", "--json", code=1))
    failed = [c for c in doc["checks"] if not c["ok"]]
    assert failed[0]["name"] == "connect" and "cannot connect" in failed[0]["detail"]
    assert failed[0]["fix"]


def test_doctor_on_a_phone_without_pymobiledevice3_names_the_install(monkeypatch):
    cli("devices", "add", "iphone12", "--ios", UDID, "--no-probe")
    monkeypatch.setenv("PATH", "/nonexistent")
    doc = json.loads(cli("devices", "doctor", "iphone12", "--json", code=1))
    assert doc["checks"][0]["name"] == "client"
    assert "pipx install pymobiledevice3" in doc["checks"][0]["fix"]


def test_doctor_on_the_host_checks_the_runner_and_runtime():
    doc = json.loads(cli("devices", "doctor", "host", "--json"))
    names = {c["name"]: c for c in doc["checks"]}
    assert names["runner"]["ok"] and names["runtime onnxruntime"]["ok"]
    assert doc["capabilities"]["schema"] == "benchctl.capabilities"


def test_bad_inventory_file_is_a_config_error(config_dir):
    config_dir.mkdir()
    (config_dir / "devices.toml").write_text("[devices.x]\ntransport = 'carrier-pigeon'\n")
    proc = benchctl("devices", "list")
    assert proc.returncode == 2 and "carrier-pigeon" in proc.stderr


def test_add_any_transport_kind_by_name_with_its_own_options(config_dir, isolated_project):
    doc = json.loads(cli("devices", "add", "pi", "--transport", "ssh", "--address", "pi@pi5.local",
                         "--option", "port=2222", "--option", "runner=installed", "--no-probe",
                         "--json"))  # fmt: skip
    assert (doc["transport"], doc["address"]) == ("ssh", "pi@pi5.local")
    assert doc["options"] == {"port": 2222, "runner": "installed"}  # 2222 read as TOML: an int
    for args, expected in (
        (["--option", "runner=pull"], "option runner = 'pull': use push or installed"),
        (["--option", "colour=red"], "--option colour: transport ssh takes port, key"),
        (["--option", "port"], "write it as KEY=VALUE"),
    ):
        result = runner.invoke(app, ["devices", "add", "pj", "--transport", "ssh", "--address",
                                     "pi@pi6.local", "--no-probe", *args])  # fmt: skip
        assert expected in str(result.exception) and result.exception.exit_code == 2  # type: ignore[union-attr]
    result = runner.invoke(app, ["devices", "add", "pk", "--transport", "sssh", "--address", "a"])
    assert "did you mean: ssh?" in str(result.exception)
