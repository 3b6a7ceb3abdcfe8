"""Shared fixtures: every test runs in its own project folder with its own `.benchctl/`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Real PostgreSQL and Redis servers started by the suite itself: tests/conftest_services.py
pytest_plugins = ["conftest_services"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Hardware markers run only where the hardware is (BENCHCTL_TEST_HARDWARE=gpu,android…)."""
    wanted = {m.strip() for m in os.environ.get("BENCHCTL_TEST_HARDWARE", "").split(",") if m}
    for item in items:
        for marker in ("gpu", "edgetpu", "android", "ios"):
            if marker in item.keywords and marker not in wanted:
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"needs {marker} hardware; set BENCHCTL_TEST_HARDWARE={marker}"
                    )
                )


@pytest.fixture(autouse=True)
def isolated_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh project folder as the working directory; no inherited BENCHCTL_* settings."""
    for var in ("BENCHCTL_DB", "BENCHCTL_HOME", "BENCHCTL_DEBUG", "BENCHCTL_TRT_CACHE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("BENCHCTL_CONFIG_DIR", str(tmp_path / "config"))  # no user devices.toml
    monkeypatch.setenv("BENCHCTL_LOCK_DIR", str(tmp_path / "locks"))  # device locks per test
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    return project


@pytest.fixture(scope="session")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `.benchctl` folder shared by tests that only need a cached tiny artifact."""
    return tmp_path_factory.mktemp("shared") / ".benchctl"


@pytest.fixture(scope="session")
def tiny_artifact(shared_home: Path):
    """test_mobileone exported to ONNX once per test session."""
    from benchctl.harness.convert import get_artifact
    from benchctl.harness.convert.cache import ArtifactCache

    return get_artifact("test_mobileone", "onnx", ArtifactCache(shared_home / "artifacts"))


@pytest.fixture(scope="session")
def adb_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An adb key pair as adb makes it (adb-shell's keygen: adbkey, adbkey.pub), once per session:
    the emulated phones authorize its public half; the host's direct-mode client signs with it."""
    from adb_shell.auth.keygen import keygen

    path = tmp_path_factory.mktemp("adbkey") / "adbkey"
    keygen(str(path))
    return path
