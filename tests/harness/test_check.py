"""`devices check`: the stage walk, its stop rule, the bundle, and the CLI on the host."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.errors import TransportError
from benchctl.harness.check import CheckContext, Stage, run_check
from benchctl.harness.devices import get_device


def test_host_walk_passes_common_stages_and_round_trips_by_sha256() -> None:
    report = run_check(get_device("host"))
    by_name = {r.name: r for r in report.results}
    assert [r.name for r in report.results][:3] == ["connect", "facts", "round trip"]
    assert by_name["round trip"].status == "ok", by_name["round trip"]
    assert "sha256 equal" in by_name["round trip"].detail
    assert "facts.json" in report.files


def test_a_failed_required_stage_skips_the_rest_and_says_why() -> None:
    calls: list[str] = []

    def broken(ctx: CheckContext) -> None:
        calls.append("broken")
        raise TransportError("link down")

    def later(ctx: CheckContext) -> None:
        calls.append("later")

    def warned(ctx: CheckContext) -> None:
        ctx.warn("slow", fix="use USB 3")

    stages = [
        Stage("warned", warned),
        Stage("broken", broken, required=True, fix="plug it in"),
        Stage("later", later),
    ]
    report = run_check(get_device("host"), stages=stages)
    assert calls == ["broken"]
    assert [(r.name, r.status) for r in report.results] == [
        ("warned", "warn"),
        ("broken", "fail"),
        ("later", "skip"),
    ]
    assert report.results[1].fix == "plug it in" and "link down" in report.results[1].detail
    assert "broken failed" in report.results[2].detail
    assert not report.ok


def test_cli_json_and_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "check.zip"
    res = CliRunner().invoke(app, ["devices", "check", "host", "--json", "--bundle", str(bundle)])
    doc = json.loads(res.stdout)
    assert doc["device"] == "host" and doc["bundle"] == str(bundle)
    assert res.exit_code == (0 if doc["ok"] else 1)
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        assert {"check.json", "facts.json"} <= names
        assert json.loads(zf.read("check.json"))["stages"] == doc["stages"]
