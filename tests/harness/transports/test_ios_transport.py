"""The ios transport's command sequences, replayed from transcripts in assets/ios/.

The transcripts are constructed from the tools' documented command lines and output formats,
not recorded from a phone (see their `note`); a replay fails on any argv that differs from the
next expected step, so the exact commands, their order and their arguments are under test.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from benchctl.errors import DependencyMissingError, TransportError
from benchctl.harness.transports.base import AppTarget, Completed
from benchctl.harness.transports.ios import IosTransport

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
        return Completed(step.get("returncode", 0), step["stdout"], step.get("stderr", ""))


RUN = "/Documents/benchctl/work/5f0c2a9e4b7d4e61a3c2b1d0e9f8a7b6"


def test_pymobiledevice3_sequence_for_one_run(tmp_path):
    replay = Replay("pymobiledevice3_run.json")
    slept: list[float] = []
    t = IosTransport(
        replay.udid, executable="pymobiledevice3", runner=replay, sleep=slept.append, poll_s=0.5
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
    )
    done = t.launch_app(AppTarget("dev.benchctl.ios"), f"{RUN}/spec.json", timeout=10)
    assert done.timed_out
    assert calls[-1][-3:] == ["--udid", "00008101-001A2B3C4D5E001E", "77"]
    assert calls[-1][:4] == ["pymobiledevice3", "developer", "dvt", "kill"]


def test_missing_pymobiledevice3_names_the_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DependencyMissingError, match="pipx install pymobiledevice3"):
        IosTransport("00008101-001A2B3C4D5E001E")
