"""`benchctl run --device <iPhone>` end to end through the ios transport.

No Swift toolchain and no iPhone exist here, so two stand-ins take their places, and this says
exactly which: `Pmd3StandIn` answers the pymobiledevice3 command lines the transport issues (the
same argv the transcripts in tests/harness/transports/assets/ios/ pin down) against a temp folder
playing the app's container; and when the host launches the app (`developer dvt launch`), the
stand-in runs benchctl's Python runner on the spec, as the app would run its Swift core. Everything
on the host — the CLI, the lifecycle, the transport, validation and storage — is the real code.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

import benchctl.harness.transports as transports
from benchctl.cli.app import app
from benchctl.harness.transports.base import Completed
from benchctl.harness.transports.ios import IosTransport

TRANSCRIPT = (
    Path(__file__).resolve().parents[1] / "harness/transports/assets/ios/pymobiledevice3_run.json"
)
UDID = "00008101-001A2B3C4D5E001E"


class Pmd3StandIn:
    """pymobiledevice3's command lines, answered from a temp folder standing for the app."""

    def __init__(self, container: Path) -> None:
        steps = json.loads(TRANSCRIPT.read_text())["steps"]
        self.canned = {tuple(s["argv"][1:3]): s["stdout"] for s in steps[:3]}
        self.container = container
        self.calls: list[list[str]] = []
        self.launches: list[subprocess.CompletedProcess[str]] = []

    def _path(self, remote: str) -> Path:
        path = (self.container / remote.lstrip("/")).resolve()
        assert path.is_relative_to(self.container.resolve()), remote  # never leave the container
        return path

    def __call__(self, argv: Sequence[str], timeout: float) -> Completed:
        assert timeout > 0 and argv[0] == "pymobiledevice3"
        args = list(argv[1:])
        self.calls.append(args)
        if tuple(args[:2]) in self.canned:  # lockdown info, apps query, diagnostics battery
            return Completed(0, self.canned[tuple(args[:2])], "")
        if args[:2] == ["apps", "push"]:
            local, remote = Path(args[-2]), self._path(args[-1])
            remote.parent.mkdir(parents=True, exist_ok=True)
            if local.is_dir():
                shutil.copytree(local, remote, dirs_exist_ok=True)
            else:
                shutil.copyfile(local, remote)
            return Completed(0, "", "")
        if args[:2] == ["apps", "pull"]:
            remote, local = self._path(args[-2]), Path(args[-1])
            if not remote.is_file():
                return Completed(1, "", f"ERROR: {args[-2]} does not exist")
            shutil.copyfile(remote, local)
            return Completed(0, "", "")
        if args[:2] == ["apps", "rm"]:
            shutil.rmtree(self._path(args[-1]), ignore_errors=True)
            return Completed(0, "", "")
        if args[:3] == ["developer", "dvt", "launch"]:
            bundle, flag, spec = shlex.split(args[-1])
            assert (bundle, flag) == ("dev.benchctl.ios", "--spec")
            # The app: read the spec beside the model cache, write result.json beside the spec.
            proc = subprocess.run(
                [sys.executable, "-m", "benchctl.harness.runner", str(self._path(spec))],
                capture_output=True, text=True, timeout=timeout, check=False,
            )  # fmt: skip
            self.launches.append(proc)
            return Completed(0, "Process launched with pid 4711\n", "")
        if args[:2] == ["crash", "ls"]:  # logs pulled after a failed run
            return Completed(0, "benchctl-2026-11-21-101500.ips\n", "")
        if args[:3] == ["developer", "dvt", "process-id-for-bundle-id"]:
            return Completed(0, "0\n", "")  # the app has exited (it ran synchronously above)
        raise AssertionError(f"the transport issued an unexpected command: {args}")


@pytest.fixture
def iphone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pmd3StandIn:
    standin = Pmd3StandIn(tmp_path / "container")
    real = transports.connect_transport

    def connect(device):
        if device.transport != "ios":
            return real(device)
        return IosTransport(device.address, executable="pymobiledevice3", runner=standin,
                            sleep=lambda s: None, poll_s=0.01)  # fmt: skip

    monkeypatch.setattr(transports, "connect_transport", connect)
    return standin


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_benchctl_run_drives_the_ios_app_lifecycle(iphone, shared_home, monkeypatch):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    _cli("devices", "add", "iphone12", "--ios", UDID, "--runtime", "onnxruntime", "--no-probe")
    doc = json.loads(
        _cli("run", "--device", "iphone12", "--model", "test_mobileone", "-n", "25", "--json")
    )
    assert doc["status"] == "ok", doc
    assert doc["device"] == "iphone12" and doc["iterations"] == 25
    assert len(iphone.launches) == 1 and iphone.launches[0].returncode == 0
    commands = [" ".join(c[:3]) for c in iphone.calls]
    assert commands.index("developer dvt launch") < commands.index("apps pull --udid")
    assert commands[-1].startswith("apps rm")  # the run folder is cleaned up afterwards
    row = json.loads(_cli("results", "show", doc["run_id"], "--json"))
    assert row["environment"]["host"]["before"]["battery_pct"] == 81.0  # via the transport
    assert not any((iphone.container / "Documents/benchctl/work").glob("*/spec.json"))


def test_an_app_that_writes_no_result_is_a_status_row(iphone, shared_home, monkeypatch):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    _cli("devices", "add", "iphone12", "--ios", UDID, "--runtime", "onnxruntime", "--no-probe")
    monkeypatch.setattr(subprocess, "run", _crashing_app(subprocess.run))
    result = CliRunner().invoke(app, ["run", "--device", "iphone12", "--model", "test_mobileone",
                                      "-n", "10", "--json"])  # fmt: skip
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert (doc["status"], doc["error_code"]) == ("error", "RUNNER_NO_RESULT"), doc["error_message"]
    assert doc["iterations"] in (0, None)


def _crashing_app(real_run):
    """subprocess.run, except that the app's launch dies before writing anything."""

    def run(argv, *args, **kwargs):
        if list(argv[1:3]) == ["-m", "benchctl.harness.runner"]:
            return subprocess.CompletedProcess(argv, -11, "", "Segmentation fault")
        return real_run(argv, *args, **kwargs)

    return run
