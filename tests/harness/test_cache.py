from __future__ import annotations

import pytest

import benchctl.harness.build as build
from benchctl.harness.convert import artifact_key, get_artifact
from benchctl.harness.convert.cache import ArtifactCache


def test_key_depends_on_what_decides_the_bytes():
    base = artifact_key("test_mobileone", "onnx", batch=1, seed=0)
    assert base == artifact_key("test_mobileone", "onnx", batch=1, seed=0)
    assert base != artifact_key("test_mobileone", "onnx", batch=2, seed=0)
    assert base != artifact_key("test_mobileone", "onnx", batch=1, seed=1)
    assert base != artifact_key("mobileone_s0", "onnx", batch=1, seed=0)


def test_second_request_reuses_without_building(tmp_path, monkeypatch):
    cache = ArtifactCache(tmp_path / "artifacts")
    first = get_artifact("test_mobileone", "onnx", cache)

    def refuse(*a, **k):
        raise AssertionError("a cache hit must not build the model")

    monkeypatch.setattr(build, "build_model", refuse)
    again = get_artifact("test_mobileone", "onnx", cache)
    assert again.reused and not first.reused
    assert again.sha256 == first.sha256 and again.path == first.path
    assert again.parity == first.parity and again.parity["passed"]


def test_a_tampered_entry_is_rebuilt(tmp_path):
    cache = ArtifactCache(tmp_path / "artifacts")
    first = get_artifact("test_mobileone", "onnx", cache)
    first.path.write_bytes(b"not a model")
    second = get_artifact("test_mobileone", "onnx", cache)
    assert not second.reused
    assert second.sha256 == first.sha256  # seeded build + export is deterministic


def test_unknown_format_is_a_config_error(tmp_path):
    from benchctl.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown conversion target .tflite-int9.; did you mean"):
        get_artifact("test_mobileone", "tflite-int9", ArtifactCache(tmp_path))
