"""A cache entry is trusted only when it is what it claims (probe items 11 and 28): its metadata
(sha256, parity, provenance) sealed under the user's cache key; a tampered pair is rebuilt, and
the rebuild says why."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from benchctl.harness.convert import get_artifact
from benchctl.harness.convert.cache import KEY_FILE, META, ArtifactCache
from benchctl.runner.digest import content_sha256


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ArtifactCache:
    monkeypatch.setenv("BENCHCTL_CONFIG_DIR", str(tmp_path / "config"))
    return ArtifactCache(tmp_path / "artifacts")


def _build(cache: ArtifactCache, stages: list[str]):
    return get_artifact("test_mobileone", "onnx", cache, on_stage=stages.append)


def test_a_tampered_pair_is_rebuilt_and_says_so(cache: ArtifactCache, tmp_path: Path):
    first = _build(cache, [])
    key = tmp_path / "config" / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert _build(cache, []).reused  # an untouched entry is trusted
    meta_path = first.path.parent / META
    # probe item 11: the model file and its recorded sha256 both changed, parity left as it was
    first.path.write_bytes(first.path.read_bytes() + b"\0tampered")
    meta = json.loads(meta_path.read_text())
    meta["sha256"] = content_sha256(first.path)
    meta_path.write_text(json.dumps(meta))
    stages: list[str] = []
    again = _build(cache, stages)
    assert not again.reused and again.sha256 == first.sha256  # rebuilt to the real bytes
    assert any("rebuilt: its metadata is not sealed" in s for s in stages), stages


def test_a_corrupted_file_is_rebuilt_and_says_so(cache: ArtifactCache):
    first = _build(cache, [])
    first.path.write_bytes(b"corrupt")  # probe item 28: the file alone damaged
    stages: list[str] = []
    again = _build(cache, stages)
    assert not again.reused and again.sha256 == first.sha256
    assert any("no longer has its recorded sha256" in s for s in stages), stages


def test_another_users_key_does_not_verify(cache: ArtifactCache, tmp_path: Path, monkeypatch):
    first = _build(cache, [])
    monkeypatch.setenv("BENCHCTL_CONFIG_DIR", str(tmp_path / "other-user"))
    assert cache.lookup(first.cache_key) is None
    assert "not sealed" in (cache.last_rejection or "")
    assert os.path.exists(tmp_path / "other-user" / KEY_FILE)


def test_run_json_says_why_an_artifact_was_rebuilt(isolated_project):
    from typer.testing import CliRunner

    from benchctl.cli.app import app

    runner = CliRunner()
    args = ["run", "--model", "test_mobileone", "-n", "10", "--json"]
    first = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)
    assert first["artifact_rebuilt_because"] is None
    entry = next((isolated_project / ".benchctl" / "artifacts").glob(f"*/{META}"))
    model = entry.parent / json.loads(entry.read_text())["path"]
    model.write_bytes(b"corrupt")
    again = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)
    assert (
        again["artifact_reused"] is False and again["artifact_sha256"] == first["artifact_sha256"]
    )
    assert "no longer has its recorded sha256" in again["artifact_rebuilt_because"]
