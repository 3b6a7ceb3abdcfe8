"""`benchctl run --device <iPhone>` end to end through the ios transport.

No Swift toolchain and no iPhone exist here, so stand-ins take their places, and this says
exactly which (tests/harness/transports/ios_phone.py): files move through pymobiledevice3's own
CLI and AFC client (its pinned version, in its own virtual environment) into an in-memory app
container that answers AFC as the device does; the other pymobiledevice3 commands get constructed
answers, and every argv the run issued is then parsed by the real CLI's parser; and when the host
launches the app (`developer dvt launch`), the stand-in runs benchctl's Python runner on the spec
read out of that container, as the app would run its Swift core, and writes result.json back.
Everything on the host — the CLI, the lifecycle, the transport, validation and storage — is the
real code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchctl.cli.app import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness" / "transports"))
from ios_phone import stand_in_iphone  # noqa: E402  (test helpers beside the transport tests)
from pmd3_env import for_tests  # noqa: E402

UDID = "00008101-001A2B3C4D5E001E"


@pytest.fixture(scope="session")
def pmd3_python() -> Path:
    return for_tests()


@pytest.fixture
def iphone(pmd3_python: Path, monkeypatch: pytest.MonkeyPatch):
    with stand_in_iphone(pmd3_python, monkeypatch, UDID) as phone:
        yield phone


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
    assert len(iphone.launches) == 1 and iphone.launches[0].returncode == 0, iphone.launches
    commands = [" ".join(c[:3]) for c in iphone.calls]
    assert commands.index("developer dvt launch") < commands.index("apps pull --udid")
    assert commands[-1].startswith("apps rm")  # the run folder is cleaned up afterwards
    row = json.loads(_cli("results", "show", doc["run_id"], "--json"))
    assert row["environment"]["host"]["before"]["battery_pct"] == 81.0  # via the transport
    assert not iphone.container.files("Documents/benchctl/work")  # removed through AFC
    models = iphone.container.files("Documents/benchctl/models")
    assert len(models) == 1 and models[0].endswith("/model.onnx"), models  # exactly there
    bad = [p for p in iphone.check_argvs() if not p["ok"]]
    assert not bad, bad  # every command line the run issued, through the real CLI's parser


def test_an_app_that_writes_no_result_is_a_status_row(iphone, shared_home, monkeypatch):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    _cli("devices", "add", "iphone12", "--ios", UDID, "--runtime", "onnxruntime", "--no-probe")
    iphone.app_crashes = True
    result = CliRunner().invoke(app, ["run", "--device", "iphone12", "--model", "test_mobileone",
                                      "-n", "10", "--json"])  # fmt: skip
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert (doc["status"], doc["error_code"]) == ("error", "RUNNER_NO_RESULT"), doc["error_message"]
    assert doc["iterations"] in (0, None)
