"""First contact with a phone: the adb paths against a peer as strict as adbd.

Each test names the finding of first_contact_review.md (Android section) it covers; each failed
on the main branch before the fix. Server-mode tests go through Debian's real adb 29 server
(`adb connect` to the emulated phone), which .ci/run installs.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import threading
import time
from pathlib import Path

import pytest
from adbd_emulator import ADB_MISSING, AdbdEmulator, RealAdbServer
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.harness.gating import GateRefused, parse_dumpsys_battery
from benchctl.harness.transports.adb import AdbTransport, parse_keyguard, parse_wakefulness
from benchctl.harness.transports.base import Completed, TransportCapabilities

FILES = "/sdcard/Android/data/dev.benchctl.android/files/benchctl"
COMPONENT = "dev.benchctl.android/.BenchInstrumentation"


def cli(*args: str, code: int | None = 0) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    if code is not None:
        assert result.exit_code == code, result.output
    return result.stdout


def _public(key: Path):
    return load_pem_private_key(key.read_bytes(), password=None).public_key()


def _play_with_progress(spec_path: Path, status) -> bool:
    """The app: benchctl's own runner on the pushed spec, its progress sent as it happens."""
    from benchctl.runner.run import run_spec_file

    def progress(phase: str, done: int, total: int) -> None:
        status(f"@@benchctl progress {phase} {done} {total}")
        time.sleep(0.05)  # a phone's chunk takes time; lines must arrive before the end

    return run_spec_file(spec_path, on_progress=progress)["status"] == "ok"


@pytest.fixture(scope="module")
def adb_server(tmp_path_factory: pytest.TempPathFactory):
    if not os.path.exists("/usr/bin/adb") and shutil.which("adb") is None:
        if os.environ.get("CI"):
            pytest.fail(ADB_MISSING)
        pytest.skip(ADB_MISSING)
    with RealAdbServer(tmp_path_factory.mktemp("adbhome")) as server:
        yield server


@pytest.fixture
def phone(tmp_path: Path, adb_key: Path):
    with AdbdEmulator(
        tmp_path / "phone", authorized=[_public(adb_key)], on_instrument=_play_with_progress
    ) as emu:
        yield emu


@pytest.fixture
def server_phone(tmp_path: Path, adb_server: RealAdbServer, monkeypatch: pytest.MonkeyPatch):
    """A phone reached through the real adb server, which authenticates with its own key."""
    with AdbdEmulator(
        tmp_path / "phone", authorized=[adb_server.public_key], on_instrument=_play_with_progress
    ) as emu:
        emu.serial = adb_server.connect(emu)
        monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(adb_server.port))
        yield emu
        adb_server.adb("disconnect", emu.serial)


def _direct(phone: AdbdEmulator, key: Path) -> AdbTransport:
    return AdbTransport(f"127.0.0.1:{phone.port}", mode="direct", key=str(key))


def _server(phone: AdbdEmulator, server: RealAdbServer) -> AdbTransport:
    return AdbTransport(phone.serial, mode="server", server_port=server.port)


def _add(phone: AdbdEmulator, *extra: str) -> None:
    cli("devices", "add", "pixel", "--adb", f"127.0.0.1:{phone.port}", "--runtime",
        "onnxruntime", *extra)  # fmt: skip


# --- A4 / A5: a run may be silent for as long as its deadline allows, in both modes -------------


def test_a4_a_20s_silent_app_succeeds_in_direct_mode_with_default_settings(
    phone, adb_key, inventory_dir, shared_home, monkeypatch
):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    _add(phone, "--adb-mode", "direct", "--key", str(adb_key))
    phone.instrument_silence_s = 20.0  # model copy + GPU compile, printing nothing
    t0 = time.monotonic()
    doc = json.loads(cli("run", "--device", "pixel", "--model", "test_mobileone", "-n", "10",
                         "--json"))  # fmt: skip
    assert doc["status"] == "ok", doc
    assert time.monotonic() - t0 >= 20


def test_a5_a_20s_silent_app_succeeds_through_the_real_adb_server(
    server_phone, inventory_dir, shared_home, monkeypatch
):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    cli("devices", "add", "pixel", "--adb", server_phone.serial, "--adb-mode", "server",
        "--runtime", "onnxruntime")  # fmt: skip
    server_phone.instrument_silence_s = 20.0
    doc = json.loads(cli("run", "--device", "pixel", "--model", "test_mobileone", "-n", "10",
                         "--json"))  # fmt: skip
    assert doc["status"] == "ok", doc
    assert any(c.startswith("am instrument -w -r -e spec") for c in server_phone.commands)


@pytest.mark.parametrize("mode", ["direct", "server"])
def test_a4_a5_the_deadline_holds_while_the_app_is_silent(mode, request, adb_key):
    phone = request.getfixturevalue("phone" if mode == "direct" else "server_phone")
    t = (
        _direct(phone, adb_key)
        if mode == "direct"
        else _server(phone, request.getfixturevalue("adb_server"))
    )
    try:
        t.ensure_app_folder()
        phone.instrument_silence_s = 12.0
        t0 = time.monotonic()
        done = t.run(["am", "instrument", "-w", "-r", "-e", "spec", f"{FILES}/x.json", COMPONENT],
                     timeout=3)  # fmt: skip
        took = time.monotonic() - t0
        assert done.timed_out and done.returncode == 124
        assert 2.5 <= took < 6, took  # the deadline, not the app's silence nor a 4 KiB read
    finally:
        t.close()


# --- A8: live progress lines reach the host ------------------------------------------------------


@pytest.mark.parametrize("mode", ["direct", "server"])
def test_a8_progress_lines_arrive_while_the_app_runs(
    mode, request, adb_key, inventory_dir, shared_home, monkeypatch
):
    """`benchctl run` shows the app's progress live: each `INSTRUMENTATION_STATUS: stream=` line
    reaches the lifecycle's progress hook before the app has finished."""
    from benchctl.harness import lifecycle

    phone = request.getfixturevalue("phone" if mode == "direct" else "server_phone")
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    address = f"127.0.0.1:{phone.port}" if mode == "direct" else phone.serial
    cli("devices", "add", "pixel", "--adb", address, "--adb-mode", mode, "--key", str(adb_key),
        "--runtime", "onnxruntime")  # fmt: skip
    seen: list[tuple[float, str, int, int]] = []
    finished: list[float] = []
    original = phone.on_instrument

    def app(spec_path: Path, status) -> bool:
        ok = original(spec_path, status)
        finished.append(time.monotonic())
        return ok

    phone.on_instrument = app
    real_launch = lifecycle.launch_runner

    def launch(device, transport, spec_remote, timeout, hooks):
        class Recording:
            def stage(self, text: str) -> None:
                hooks.stage(text)

            def progress(self, phase: str, done: int, total: int) -> None:
                seen.append((time.monotonic(), phase, done, total))
                hooks.progress(phase, done, total)

        return real_launch(device, transport, spec_remote, timeout, Recording())

    monkeypatch.setattr(lifecycle, "launch_runner", launch)
    doc = json.loads(cli("run", "--device", "pixel", "--model", "test_mobileone", "-n", "300",
                         "--json"))  # fmt: skip
    assert doc["status"] == "ok", doc
    assert [s[1] for s in seen][:1] == ["warmup"], seen
    assert seen[-1][1:] == ("timed", 300, 300), seen
    assert seen[0][0] < finished[0] - 0.1, "the first line came only when the app had finished"


def test_a8_lifecycle_hands_app_progress_to_its_hooks():
    from benchctl.harness.devices import Device
    from benchctl.harness.lifecycle import launch_runner

    class App:
        streams_app_progress = True
        capabilities = TransportCapabilities(True, False, True, "/x")

        def launch_app(self, app, spec_remote, *, timeout, on_line=None):
            on_line("@@benchctl progress timed 3 10")
            return Completed(0, "", "")

    got = []

    class Hooks:
        def stage(self, text):
            pass

        def progress(self, phase, done, total):
            got.append((phase, done, total))

    device = Device(name="p", transport="adb", address="x")
    assert launch_runner(device, App(), "/x/spec.json", 10, Hooks()).returncode == 0
    assert got == [("timed", 3, 10)]


# --- A6: the app creates its own folder; a wrong owner is detected and the fix printed -----------


def test_a6_the_host_never_creates_the_app_folder_before_the_app(phone, adb_key):
    t = _direct(phone, adb_key)
    try:
        remote = t.workdir("r1")
        assert remote.startswith(FILES)
    finally:
        t.close()
    touching = [c for c in phone.commands if "Android/data" in c or c.startswith("am ")]
    assert touching[0].startswith("stat -c %u /sdcard/Android/data/dev.benchctl.android;")
    assert touching[1].startswith("am instrument -w -r -e prepare true"), touching
    first_mkdir = next(i for i, c in enumerate(touching) if c.startswith("mkdir"))
    assert first_mkdir > 1, touching  # only once the app made its folder
    assert phone.owners[phone.app_folder()] == phone.app_uid


def test_a6_the_peer_is_strict_a_shell_made_folder_leaves_the_app_unable_to_write(phone, adb_key):
    """What main did (mkdir first, then launch) fails on this peer as on Android 11+."""
    t = _direct(phone, adb_key)
    try:
        t.run(["mkdir", "-p", f"{FILES}/work/r1"], timeout=30)
        out = t.run(["am", "instrument", "-w", "-r", "-e", "spec", f"{FILES}/work/r1/spec.json",
                     COMPONENT], timeout=30).stdout_tail  # fmt: skip
    finally:
        t.close()
    assert "EACCES (Permission denied)" in out and "INSTRUMENTATION_CODE: 0" in out


def test_a6_a_folder_with_the_wrong_owner_is_refused_with_the_fix(
    phone, adb_key, inventory_dir, shared_home, monkeypatch
):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    phone._mkdirs(phone.app_folder() + "/files", 2000)  # an older benchctl made it, as shell
    _add(phone, "--adb-mode", "direct", "--key", str(adb_key))
    doc = json.loads(cli("run", "--device", "pixel", "--model", "test_mobileone", "-n", "5",
                         "--json", code=None))  # fmt: skip
    assert doc["status"] != "ok"
    assert "uid 2000, not to the app (uid 10245)" in doc["error_message"]
    assert "adb uninstall dev.benchctl.android" in doc["error_message"]
    assert not any(c.startswith("am instrument -w -r -e spec") for c in phone.commands)


# --- A7: a phone on AC is charging --------------------------------------------------------------

PIXEL_ON_AC = """Current Battery Service state:
  AC powered: true
  USB powered: false
  Wireless powered: false
  Dock powered: false
  Max charging current: 3000000
  Max charging voltage: 5000000
  Charge counter: 4039000
  status: 2
  health: 2
  present: true
  level: 87
  scale: 100
  voltage: 4312
  temperature: 297
  technology: Li-ion
  Charging state: 3
  Charging policy: 1
  Capacity level: 3
"""


def test_a7_battery_parser_on_a_phone_on_ac():
    assert parse_dumpsys_battery(PIXEL_ON_AC) == {
        "battery_pct": 87.0,
        "battery_temp_c": 29.7,
        "charging": True,
    }
    on_battery = PIXEL_ON_AC.replace("AC powered: true", "AC powered: false")
    assert parse_dumpsys_battery(on_battery)["charging"] is False


# --- A13: the screen is woken and kept on; a locked keyguard is a clear refusal -----------------


def test_a13_a_sleeping_phone_is_woken_kept_on_and_restored(phone, adb_key):
    phone.wakefulness, phone.keyguard = "Asleep", {"showing": True, "secure": False}
    t = _direct(phone, adb_key)
    try:
        state = t.wake_screen()
        assert phone.stay_on == "7" and phone.wakefulness == "Awake"
        assert not phone.keyguard["showing"]  # a swipe lock is dismissed
        assert state["wakefulness_before"] == "Asleep" and state["wakefulness"] == "Awake"
        t.restore_screen(state)
        assert phone.stay_on == "0"
    finally:
        t.close()
    assert "input keyevent KEYCODE_WAKEUP; echo __BENCHCTL_EXIT__$?" in phone.commands


def test_a13_a_pin_locked_phone_is_refused(phone, adb_key, inventory_dir, shared_home,
                                           monkeypatch):  # fmt: skip
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    phone.keyguard = {"showing": True, "secure": True}
    t = _direct(phone, adb_key)
    try:
        with pytest.raises(GateRefused, match="locked with a PIN") as info:
            t.wake_screen()
        assert info.value.code == "DEVICE_LOCKED"
        assert phone.stay_on == "0"  # restored on the way out
    finally:
        t.close()
    _add(phone, "--adb-mode", "direct", "--key", str(adb_key))
    doc = json.loads(cli("run", "--device", "pixel", "--model", "test_mobileone", "-n", "5",
                         "--json", code=1))  # fmt: skip
    assert doc["error_code"] == "DEVICE_LOCKED"
    assert not any(c.startswith("am instrument -w -r -e spec") for c in phone.commands)


def test_a13_parsers():
    assert parse_wakefulness("Power Manager State:\n  mDirty=0x0\n  mWakefulness=Dozing\n") == (
        "Dozing"
    )
    text = "    KeyguardServiceDelegate\n      showing=true\n      showingAndNotOccluded=false\n"
    assert parse_keyguard(text + "      secure=false\n") == {"showing": True, "secure": False}


# --- the peer is as strict as adbd: properties the host clients rely on -------------------------


def test_peer_facts_survive_a_real_phones_long_getprop_and_dumpsys(phone, adb_key):
    t = _direct(phone, adb_key)
    try:
        facts = t.facts(timeout=30)
        assert t.run(["getprop", "ro.product.model"], timeout=30).stdout_tail == "Pixel 8\n"
    finally:
        t.close()
    assert (facts["model"], facts["sdk"], facts["app_uid"]) == ("Pixel 8", "35", 10245)


def test_peer_am_start_and_pidof_and_activity_launch(phone, adb_key):
    t = _direct(phone, adb_key)
    gate = threading.Event()

    def slow_app(spec_path: Path, status) -> bool:
        gate.wait(10)
        (spec_path.parent / "result.json").write_text("{}")
        return True

    phone.on_instrument = slow_app
    try:
        t.ensure_app_folder()
        t.run(["mkdir", "-p", f"{FILES}/work/a"], timeout=30)
        out = t.run(["am", "start", "-W", "-S", "-n", "dev.benchctl.android/.BenchActivity",
                     "--es", "spec", f"{FILES}/work/a/spec.json"], timeout=30)  # fmt: skip
        assert "Status: ok" in out.stdout_tail and "Complete" in out.stdout_tail
        assert t.run(["pidof", "dev.benchctl.android"], timeout=30).returncode == 0
        gate.set()
        deadline = time.monotonic() + 10
        while t.run(["pidof", "dev.benchctl.android"], timeout=30).returncode == 0:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert t.exists(f"{FILES}/work/a/result.json")
    finally:
        gate.set()
        t.close()


def test_peer_serves_several_streams_at_once_through_the_real_adb_server(server_phone, adb_server):
    """A long `am instrument` on one stream blocks nothing else on the same connection."""
    t = _server(server_phone, adb_server)
    try:
        t.ensure_app_folder()
        server_phone.instrument_silence_s = 4.0
        argv = ["am", "instrument", "-w", "-r", "-e", "spec", f"{FILES}/none.json", COMPONENT]
        long = threading.Thread(target=t.run, args=(argv,), kwargs={"timeout": 30})
        long.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        assert t.run(["echo", "still here"], timeout=10).stdout_tail == "still here\n"
        assert time.monotonic() - t0 < 2
        long.join(30)
    finally:
        t.close()


def test_real_adb_client_shell_v2_push_pull_and_missing_file(server_phone, adb_server, tmp_path):
    """Debian's adb client uses shell v2 (exit status), STAT2/LSTAT2, QUIT→CLSE, LIST."""
    s = server_phone.serial
    assert adb_server.adb("-s", s, "shell", "echo", "v2").strip() == "v2"
    done = __import__("subprocess").run(
        ["adb", "-P", str(adb_server.port), "-s", s, "shell", "test", "-e", "/nothing"],
        env=adb_server.env, capture_output=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 1  # shell v2 carries the exit status
    src = tmp_path / "blob.bin"
    src.write_bytes(os.urandom(300_000))
    out = adb_server.adb("-s", s, "push", str(src), "/sdcard/Download/deep/blob.bin", timeout=30)
    assert "1 file pushed" in out, out  # returns (CLSE after QUIT) and makes the parents
    back = tmp_path / "back.bin"
    out = adb_server.adb("-s", s, "pull", "/sdcard/Download/deep/blob.bin", str(back), timeout=30)
    assert back.read_bytes() == src.read_bytes(), out
    out = adb_server.adb("-s", s, "pull", "/sdcard/Download/missing.bin", str(tmp_path / "m"))
    assert "No such file" in out or "does not exist" in out, out


def test_server_mode_pull_of_a_missing_file_is_an_error_not_an_empty_folder(
    server_phone, adb_server, tmp_path
):
    from benchctl.errors import TransportError

    t = _server(server_phone, adb_server)
    try:
        with pytest.raises(TransportError, match="No such file"):
            t.pull(f"{FILES}/missing.json", tmp_path / "missing.json", timeout=30)
    finally:
        t.close()
    assert not (tmp_path / "missing.json").exists()


def test_peer_banner_has_a_real_phones_features(phone):
    with socket.create_connection(("127.0.0.1", phone.port)) as s:
        banner = b"host::\0"
        header = struct.pack("<6I", 0x4E584E43, 0x01000000, 4096, len(banner), sum(banner),
                             0x4E584E43 ^ 0xFFFFFFFF)  # fmt: skip
        phone.authorized = None
        s.sendall(header + banner)
        head = s.recv(24)
        length = struct.unpack("<6I", head)[3]
        data = b""
        while len(data) < length:
            data += s.recv(length - len(data))
    features = data.split(b"features=")[1].rstrip(b"\0").decode().split(",")
    assert {"shell_v2", "stat_v2", "ls_v2", "fixed_push_mkdir"} <= set(features)


# --- A9: the app's NNAPI and QNN (Hexagon) paths are runtimes the CLI offers ---------------------


@pytest.mark.parametrize(
    ("runtime", "accelerator"),
    [("litert-nnapi", "nnapi"), ("litert-qnn", "qnn"), ("litert-hexagon", "hexagon")],
)
def test_a9_nnapi_and_qnn_runtimes_reach_the_app(
    runtime, accelerator, phone, adb_key, inventory_dir, shared_home, monkeypatch
):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    specs: list[dict] = []

    def app(spec_path: Path, status) -> bool:
        specs.append(json.loads(spec_path.read_text()))
        return _play_with_progress(spec_path, status)

    phone.on_instrument = app
    cli("devices", "add", "pixel", "--adb", f"127.0.0.1:{phone.port}", "--adb-mode", "direct",
        "--key", str(adb_key), "--runtime", runtime)  # fmt: skip
    doc = json.loads(cli("run", "--device", "pixel", "--model", "test_mobileone", "--runtime",
                         runtime, "-n", "5", "--json", code=None))  # fmt: skip
    assert [(s["backend"]["name"], s["backend"]["accelerator"]) for s in specs] == [
        ("litert", accelerator)
    ]
    # This stand-in app is benchctl's Python runner on Linux: no such delegate, said so.
    assert doc["error_code"] == "DELEGATE_UNAVAILABLE", doc


# --- A12: the flavored release APK is named where a user is told to install it ------------------


def test_a12_doctor_names_the_flavored_release_apk():
    from benchctl.harness.devices import Device
    from benchctl.harness.doctor import Report, app_checks

    device = Device(name="p", transport="adb", address="x")
    report = Report("p")
    app_checks(device, None, {"app_installed": False}, report)
    report2 = Report("p")
    app_checks(device, None, {"app_installed": True, "app_debuggable": True}, report2)
    for fix in (report.checks[0].fix, report2.checks[0].fix):
        assert ":app:assembleStandardRelease" in fix
    assert "apk/standard/release/app-standard-release.apk" in report.checks[0].fix
