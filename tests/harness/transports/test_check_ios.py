"""`benchctl devices check NAME` for an iPhone, against the stand-in phone (ios_phone.py).

Files move through pymobiledevice3 11.45's real CLI and AfcService into an in-memory container
that answers AFC as the device does; the "app" is benchctl's Python runner reading the spec out
of that container (no Swift, no Core ML prediction: on Linux the runner refuses Core ML, so the
tiny-model stage ends in `unsupported_backend` for every unit — which is what it must report).
"""

from __future__ import annotations

import json
import zipfile

import pytest
from ios_phone import stand_in_iphone
from typer.testing import CliRunner

import benchctl.harness.transports as transports
from benchctl.cli.app import app
from benchctl.harness.check import run_check
from benchctl.harness.devices import get_device
from benchctl.harness.transports.ios import IosTransport

UDID = "00008101-001A2B3C4D5E001E"


@pytest.fixture
def iphone(pmd3_python, shared_home, monkeypatch):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    with stand_in_iphone(pmd3_python, monkeypatch, UDID) as phone:
        result = CliRunner().invoke(
            app, ["devices", "add", "iphone12", "--ios", UDID, "--no-probe"]
        )
        assert result.exit_code == 0, result.output
        yield phone
        CliRunner().invoke(app, ["devices", "remove", "iphone12"])


def test_the_walk_reaches_the_app_and_every_compute_unit(iphone, tmp_path):
    report = run_check(get_device("iphone12"))
    by = {r.name: r for r in report.results}
    assert list(by) == [
        "connect", "facts", "round trip", "developer mode", "developer image", "tunnel", "app",
        "no-op spec", "tiny model per compute unit",
    ]  # fmt: skip
    assert by["round trip"].status == "ok", by["round trip"]  # through the app's container
    assert (by["developer mode"].status, by["developer image"].status) == ("ok", "ok")
    assert by["tunnel"].status == "warn" and "remote tunneld" in by["tunnel"].fix  # iOS 18.1
    assert by["app"].status == "ok" and "0.1.0" in by["app"].detail
    assert by["no-op spec"].status == "ok", by["no-op spec"]
    noop = json.loads(report.files["noop/result.json"])
    assert (noop["status"], noop["error"]["code"]) == ("unsupported_backend", "UNKNOWN_BACKEND")
    tiny = by["tiny model per compute unit"]
    units = tiny.data["units"]
    assert list(units) == ["coreml-cpu", "coreml-gpu", "coreml-ane", "coreml"]
    assert all(u["status"] == "unsupported_backend" and "macOS" in u["error"] for u in
               units.values()), units  # fmt: skip
    assert tiny.status == "fail"
    assert len(iphone.launches) == 5  # the no-op spec, then one run per unit, all in the app
    assert not iphone.container.files("Documents/benchctl/work")  # every run folder removed
    pushed = iphone.container.files("Documents/benchctl/models")
    assert any(p.endswith("model.mlpackage/Manifest.json") for p in pushed), pushed  # I1
    bad = [p for p in iphone.check_argvs() if not p["ok"]]
    assert not bad, bad
    bundle = report.write_bundle(tmp_path / "check.zip")
    with zipfile.ZipFile(bundle) as zf:
        assert {"check.json", "facts.json", "noop/spec.json", "tiny_model.json"} <= set(
            zf.namelist()
        )


def test_developer_mode_off_stops_the_walk_with_the_fix(iphone, monkeypatch):
    real_call = iphone.__call__

    def mode_off(argv, timeout):
        if list(argv[1:3]) == ["amfi", "developer-mode-status"]:
            return transports.base.Completed(0, "false\n", "")
        return real_call(argv, timeout)

    t = IosTransport(UDID, executable="pymobiledevice3", runner=mode_off, tunneld=None)
    monkeypatch.setattr(transports, "connect_transport", lambda dev: t)
    report = run_check(get_device("iphone12"))
    by = {r.name: r for r in report.results}
    assert by["developer mode"].status == "fail"
    assert "enable-developer-mode" in by["developer mode"].fix
    assert all(by[n].status == "skip" for n in ("developer image", "app", "no-op spec"))
    assert not iphone.launches
