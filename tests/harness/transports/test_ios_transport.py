"""The ios transport: its command sequences, its file transfer through pymobiledevice3's own
AFC client, and its argv through pymobiledevice3's own parser.

The transcripts in assets/ios/ are constructed from the tools' documented command lines and
output formats, not recorded from a phone (see their `note`); a replay fails on any argv that
differs from the next expected step. The file-transfer tests run pymobiledevice3 11.45's real CLI
(`apps push/pull/rm` → HouseArrestService → AfcService, in its own virtual environment) against
an in-memory container that answers AFC as the device does (afc_device.py); the argv tests parse
every command line the transport builds with that CLI's own parser and `--help`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from afc_device import AfcDevice
from ios_phone import Pmd3Phone, parse_with_real_cli

from benchctl.errors import DependencyMissingError, TransportError
from benchctl.harness.transports.base import AppTarget, Completed
from benchctl.harness.transports.ios import IosTransport, battery_from_diagnostics
from benchctl.runner.digest import content_sha256

ASSETS = Path(__file__).parent / "assets" / "ios"


class Replay:
    """A CommandRunner serving a transcript step by step."""

    def __init__(self, name: str) -> None:
        doc = json.loads((ASSETS / name).read_text())
        self.udid, self.bundle, self.steps = doc["udid"], doc["bundle"], doc["steps"]
        self.done = 0

    def __call__(self, argv: Sequence[str], timeout: float) -> Completed:
        assert timeout > 0
        assert self.done < len(self.steps), f"unexpected extra call: {list(argv)}"
        step = self.steps[self.done]
        expected = step["argv"]
        assert len(argv) == len(expected) and all(
            e == "{local}" or e == a for e, a in zip(expected, argv, strict=True)
        ), f"step {self.done}: got {list(argv)}, expected {expected}"
        self.done += 1
        if "writes_last_arg" in step:
            Path(argv[-1]).write_text(step["writes_last_arg"])
        if "writes_json_output" in step:
            Path(argv[list(argv).index("--json-output") + 1]).write_text(step["writes_json_output"])
        return Completed(step.get("returncode", 0), step["stdout"], step.get("stderr", ""))


RUN = "/Documents/benchctl/work/5f0c2a9e4b7d4e61a3c2b1d0e9f8a7b6"


def test_pymobiledevice3_sequence_for_one_run(tmp_path):
    replay = Replay("pymobiledevice3_run.json")
    slept: list[float] = []
    t = IosTransport(
        replay.udid,
        executable="pymobiledevice3",
        runner=replay,
        sleep=slept.append,
        poll_s=0.5,
        tunneld=None,
    )
    facts = t.facts(timeout=30)
    assert (facts["model"], facts["serial"], facts["os_version"]) == (
        "iPhone13,2",
        "F2LDX0ABCD12",
        "18.1",
    )
    assert facts["app_installed"] and facts["app_version"] == "0.1.0"
    assert t.snapshot(timeout=30) == {
        "platform": "ios",
        "battery_pct": 81.0,
        "battery_temp_c": 30.55,
        "charging": True,
    }
    model = tmp_path / "test_mobileone.onnx"
    model.write_bytes(b"onnx")
    t.push(model, "/Documents/benchctl/models/3b7e0f1c2d4a5b6c7d8e9f0a/test_mobileone.onnx",
           timeout=60)  # fmt: skip
    spec = tmp_path / "spec.json"
    spec.write_text("{}")
    assert t.workdir("5f0c2a9e4b7d4e61a3c2b1d0e9f8a7b6") == RUN
    t.push(spec, f"{RUN}/spec.json", timeout=60)
    done = t.launch_app(AppTarget(replay.bundle, launch="dvt"), f"{RUN}/spec.json", timeout=60)
    assert (done.returncode, done.timed_out) == (0, False)
    assert slept == [0.5, 0.5]  # polled until the app's pid went to 0
    t.pull(f"{RUN}/result.json", tmp_path / "result.json", timeout=60)
    assert json.loads((tmp_path / "result.json").read_text())["schema"] == "benchctl.result"
    t.cleanup(RUN)
    assert replay.done == len(replay.steps)


def test_devicectl_sequence_for_one_run(tmp_path):
    replay = Replay("devicectl_run.json")
    t = IosTransport(replay.udid, tool="devicectl", executable="xcrun", runner=replay)
    facts = t.facts(timeout=30)
    assert (facts["model"], facts["marketing_name"], facts["developer_mode"]) == (
        "iPhone13,2",
        "iPhone 12",
        True,
    )
    spec = tmp_path / "spec.json"
    spec.write_text("{}")
    t.push(spec, f"{RUN}/spec.json", timeout=60)
    done = t.launch_app(AppTarget(replay.bundle), f"{RUN}/spec.json", timeout=60)
    assert done.returncode == 0
    t.pull(f"{RUN}/result.json", tmp_path / "result.json", timeout=60)
    assert replay.done == len(replay.steps)


def test_a_failing_tool_call_is_a_transport_error_with_its_stderr(tmp_path):
    def refuse(argv: Sequence[str], timeout: float) -> Completed:
        return Completed(1, "", "ERROR Device is not connected\n")

    t = IosTransport("00008101-001A2B3C4D5E001E", executable="pymobiledevice3", runner=refuse)
    with pytest.raises(TransportError, match="Device is not connected"):
        t.facts(timeout=10)
    with pytest.raises(TransportError, match="no shell"):
        t.run(["ls"], timeout=5)
    with pytest.raises(TransportError, match="outside"):
        t.cleanup("/Library")


def test_app_that_never_exits_is_killed_at_the_deadline():
    calls: list[list[str]] = []
    now = [0.0]

    def still_running(argv: Sequence[str], timeout: float) -> Completed:
        calls.append(list(argv))
        return Completed(0, "Process launched with pid 77\n" if "launch" in argv else "77\n", "")

    t = IosTransport(
        "00008101-001A2B3C4D5E001E",
        executable="pymobiledevice3",
        runner=still_running,
        clock=lambda: now[0],
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        tunneld=None,
    )
    done = t.launch_app(AppTarget("dev.benchctl.ios"), f"{RUN}/spec.json", timeout=10)
    assert done.timed_out
    assert calls[-1][-3:] == ["--udid", "00008101-001A2B3C4D5E001E", "77"]
    assert calls[-1][:4] == ["pymobiledevice3", "developer", "dvt", "kill"]


def test_missing_pymobiledevice3_names_the_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DependencyMissingError, match="pipx install pymobiledevice3"):
        IosTransport("00008101-001A2B3C4D5E001E")


# --- files through pymobiledevice3's own AFC client ---------------------------------------------

UDID = "00008101-001A2B3C4D5E001E"


@pytest.fixture
def phone(pmd3_python):
    with AfcDevice() as device:
        yield Pmd3Phone(pmd3_python, device, UDID)


def _transport(phone: Pmd3Phone) -> IosTransport:
    return IosTransport(UDID, executable="pymobiledevice3", runner=phone, tunneld=None)


def _mlpackage(root: Path, name: str = "model.mlpackage") -> Path:
    pkg = root / name
    (pkg / "Data" / "com.apple.CoreML" / "weights").mkdir(parents=True)
    (pkg / "Manifest.json").write_text('{"fileFormatVersion": "1.0.0"}')
    (pkg / "Data" / "com.apple.CoreML" / "model.mlmodel").write_bytes(b"\x08\x09" * 300)
    (pkg / "Data" / "com.apple.CoreML" / "weights" / "weight.bin").write_bytes(os.urandom(5000))
    return pkg


def test_a_folder_lands_at_its_remote_path_not_one_deeper(phone, tmp_path):
    """I1: AfcService.push copies a folder *into* the target; the transport must not."""
    pkg = _mlpackage(tmp_path, "export-7.mlpackage")  # the local name differs from the remote's
    remote = "/Documents/benchctl/models/3b7e0f1c2d4a5b6c7d8e9f0a/model.mlpackage"
    _transport(phone).push(pkg, remote, timeout=120)
    landed = phone.container.files("Documents/benchctl/models")
    assert "Documents/benchctl/models/3b7e0f1c2d4a5b6c7d8e9f0a/model.mlpackage/Manifest.json" in (
        landed
    ), landed
    back = phone.container.export(remote, tmp_path / "back" / "model.mlpackage")
    assert content_sha256(back) == content_sha256(pkg)  # what the app checks before loading


def test_a_file_goes_into_a_run_folder_nobody_made_and_comes_back(phone, tmp_path):
    """I2: AFC makes no parent for a file; the spec's run folder never existed."""
    t = _transport(phone)
    spec = tmp_path / "spec.json"
    spec.write_text('{"schema": "benchctl.spec"}')
    assert not phone.container.exists(f"{RUN}")
    t.push(spec, f"{RUN}/spec.json", timeout=60)
    assert phone.container.read(f"{RUN}/spec.json") == spec.read_bytes()
    t.push(spec, f"{RUN}/spec.json", timeout=60)  # again, into folders that now exist
    assert t.exists(f"{RUN}/spec.json") and not t.exists(f"{RUN}/result.json")
    t.pull(f"{RUN}/spec.json", tmp_path / "pulled.json", timeout=60)
    assert (tmp_path / "pulled.json").read_bytes() == spec.read_bytes()
    with pytest.raises(TransportError, match="pull"):
        t.pull(f"{RUN}/result.json", tmp_path / "none.json", timeout=60)
    t.cleanup(RUN)
    assert not phone.container.exists(RUN) and phone.container.exists("Documents/benchctl/work")
    with pytest.raises(TransportError, match="outside /Documents"):
        t.push(spec, "/Library/Preferences/x.plist", timeout=60)


def test_the_peer_is_as_strict_as_afc(phone, tmp_path):
    """The stand-in refuses what the device refuses, through pymobiledevice3's own push: a file
    into a missing folder, and a folder push nests (the two properties the tests rely on)."""
    spec = tmp_path / "spec.json"
    spec.write_text("{}")
    raw = phone.real_cli(
        ["apps", "push", "--udid", UDID, "dev.benchctl.ios", str(spec), f"{RUN}/spec.json"], 60
    )
    assert raw.returncode != 0 and "OBJECT_NOT_FOUND" in raw.stderr_tail
    pkg = _mlpackage(tmp_path)
    nested = phone.real_cli(
        ["apps", "push", "--udid", UDID, "dev.benchctl.ios", str(pkg), "/Documents"], 60
    )
    assert nested.returncode == 0, nested.stderr_tail
    assert phone.container.exists("Documents/model.mlpackage/Manifest.json")
    wrong_app = phone.real_cli(["apps", "rm", "--udid", UDID, "dev.other.app", "/Documents"], 60)
    assert wrong_app.returncode != 0 and "No app with bundle ID" in wrong_app.stderr_tail


# --- argv against pymobiledevice3's own parser ---------------------------------------------------


class Recorder:
    """Answers every command plausibly and keeps its argv (for the parser check)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.canned = Pmd3Phone.__dict__  # unused; keeps the class obvious

    def __call__(self, argv: Sequence[str], timeout: float) -> Completed:
        self.calls.append(list(argv[1:]))
        args = list(argv[1:])
        if args[:2] == ["mounter", "list"]:
            return Completed(0, "[]", "")
        if args[:2] in (["lockdown", "info"], ["apps", "query"]):
            return Completed(0, "{}", "")
        if args[:2] == ["diagnostics", "battery"]:
            return Completed(0, "null\n", "")
        if "process-id-for-bundle-id" in args:
            return Completed(0, "77\n", "")
        return Completed(0, "true\n", "")


def _every_pmd3_call(t: IosTransport, tmp_path: Path) -> None:
    local = tmp_path / "spec.json"
    local.write_text("{}")
    t.facts(timeout=10)
    t.snapshot(timeout=10)
    t.developer_mode()
    t.developer_image_mounted()
    t.push(local, f"{RUN}/spec.json", timeout=10)
    try:
        t.pull(f"{RUN}/result.json", tmp_path / "r.json", timeout=10)
    except TransportError:
        pass  # the recorder writes nothing; only the argv matters here
    t.launch_app(AppTarget("dev.benchctl.ios"), f"{RUN}/spec.json", timeout=0)  # → kill
    t.logs(timeout=10)
    t.cleanup(RUN)


def test_every_pymobiledevice3_command_line_parses_with_the_real_cli(pmd3_python, tmp_path):
    recorder = Recorder()
    plain = IosTransport(UDID, executable="pymobiledevice3", runner=recorder, tunneld=None,
                         sleep=lambda s: None)  # fmt: skip
    _every_pmd3_call(plain, tmp_path)
    tunnelled = IosTransport(UDID, executable="pymobiledevice3", runner=recorder,
                             sleep=lambda s: None)  # fmt: skip
    tunnelled._tunnel_args = ["--tunnel", UDID]  # as when tunneld serves the phone
    tunnelled.launch_app(AppTarget("dev.benchctl.ios"), f"{RUN}/spec.json", timeout=0)
    commands = {" ".join(a[:3]) for a in recorder.calls}
    assert {"apps push --udid", "developer dvt launch", "developer dvt kill"} <= commands
    assert any("--tunnel" in a for a in recorder.calls)
    for parsed in parse_with_real_cli(pmd3_python, recorder.calls):
        assert parsed["ok"], parsed
        for flag in (a for a in parsed["argv"] if a.startswith("--")):
            assert flag in parsed["help"], (flag, parsed["argv"])
        if parsed["argv"][:2] == ["apps", "push"]:  # positional arguments bound as meant
            assert parsed["params"]["remote_file"] == "/Documents"
            assert parsed["params"]["bundle_id"] == "dev.benchctl.ios"
        if parsed["argv"][:3] == ["developer", "dvt", "launch"]:
            assert parsed["params"]["arguments"].startswith("dev.benchctl.ios --spec Documents/")


def test_the_parser_check_catches_a_wrong_argv(pmd3_python):
    parsed = parse_with_real_cli(
        pmd3_python,
        [["apps", "push", "--udid", UDID, "dev.benchctl.ios", "/tmp"], ["apps", "pusj", "x"]],
    )
    assert [p["ok"] for p in parsed] == [False, False]
    assert "remote_file" in parsed[0]["error"] and "pusj" in parsed[1]["error"]


# --- battery, tunneld, devicectl ------------------------------------------------------------------


def test_a_null_battery_reading_is_unknown():
    """I10: `diagnostics battery single` prints null without a power-source entry."""
    t = IosTransport(UDID, executable="pymobiledevice3", tunneld=None,
                     runner=lambda argv, timeout: Completed(0, "null\n", ""))  # fmt: skip
    assert t.snapshot(timeout=10) == {"platform": "ios", "battery": "unknown"}
    assert battery_from_diagnostics({"CurrentCapacity": 55})["battery_pct"] == 55.0


def test_developer_commands_go_through_tunneld_when_it_serves_the_phone():
    """I9: one tunnel kept up by tunneld instead of a fresh one per pid poll."""
    import http.server
    import threading

    class Listing(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # tunneld's GET / : {udid: [tunnels]}
            body = json.dumps({UDID: [{"tunnel-address": "fd00::1", "tunnel-port": 5000}]})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Listing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        calls: list[list[str]] = []

        def answer(argv, timeout):
            calls.append(list(argv))
            return Completed(0, "0\n", "")

        address = f"127.0.0.1:{server.server_address[1]}"
        t = IosTransport(UDID, executable="pymobiledevice3", runner=answer, tunneld=address)
        assert t.app_pid("dev.benchctl.ios") == 0
        assert calls[-1][4:6] == ["--tunnel", UDID] and "--udid" not in calls[-1]
        other = IosTransport("00008101-0000000000000000", executable="pymobiledevice3",
                             runner=answer, tunneld=address)  # fmt: skip
        assert other.tunnel_args() == []
    finally:
        server.shutdown()
        server.server_close()


def test_devicectl_before_xcode_16_polls_the_launched_pid():
    """I7: no --console before Xcode 16; app arguments after `--` whatever the version."""
    alive = [True, True, False]
    calls: list[list[str]] = []

    def devicectl(argv, timeout):
        calls.append(list(argv))
        if argv[1] == "xcodebuild":
            return Completed(0, "Xcode 15.4\nBuild version 15F31d\n", "")
        out = Path(argv[list(argv).index("--json-output") + 1])
        if "launch" in argv:
            out.write_text(json.dumps({"result": {"process": {"processIdentifier": 812}}}))
        else:
            running = [{"processIdentifier": 812}] if alive.pop(0) else []
            out.write_text(json.dumps({"result": {"runningProcesses": running}}))
        return Completed(0, "", "")

    t = IosTransport(UDID, tool="devicectl", executable="xcrun", runner=devicectl,
                     sleep=lambda s: None, tunneld=None)  # fmt: skip
    done = t.launch_app(AppTarget("dev.benchctl.ios"), f"{RUN}/spec.json", timeout=60)
    assert (done.returncode, done.timed_out) == (0, False)
    launch = next(c for c in calls if "launch" in c)
    assert "--console" not in launch
    assert launch[-4:] == ["dev.benchctl.ios", "--", "--spec", RUN.lstrip("/") + "/spec.json"]
    assert launch.index("--json-output") < launch.index("--")
    assert sum("processes" in c for c in calls) == 3
