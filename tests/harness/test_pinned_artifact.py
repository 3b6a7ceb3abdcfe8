"""Re-running exactly a stored run's artifact (what `benchctl confirm` needs for a real A/B)."""

from __future__ import annotations

import pytest

from benchctl.errors import ConfigError
from benchctl.harness.run import RunRequest, run_benchmark
from benchctl.results.store import ResultStore


def test_a_pinned_artifact_is_run_as_is_and_bad_pins_are_refused():
    store = ResultStore.open()
    first = run_benchmark(RunRequest(model="test_mobileone", iterations=10, warmup=1), store)
    sha = first.artifact.sha256
    again = run_benchmark(
        RunRequest(model="test_mobileone", iterations=10, warmup=1, artifact_sha256=sha), store
    )
    assert again.record.status == "ok" and again.artifact.sha256 == sha
    assert again.artifact.path == first.artifact.path
    with pytest.raises(ConfigError, match="is not in"):
        run_benchmark(RunRequest(model="test_mobileone", artifact_sha256="sha256:" + "0" * 64),
                      store)  # fmt: skip
    with pytest.raises(ConfigError, match="not test_mobileone for litert"):
        run_benchmark(RunRequest(model="test_mobileone", runtime="litert", artifact_sha256=sha),
                      store)  # fmt: skip
    assert len(store.runs()) == 2  # refused pins stored nothing
