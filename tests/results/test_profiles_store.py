"""Profiles and memory in the store on both engines: ingested with their run, read back in
order with shares, compared by op type, and carried by `db push`."""

from __future__ import annotations

import pytest

from benchctl.errors import ConfigError
from benchctl.results import profiles, sync
from benchctl.results.store import ResultStore
from benchctl.results.testing import make_accuracy_record, make_record


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'results.sqlite'}"
    return request.getfixturevalue("pg_url")


def _profile(conv_ns: int, gemm_ns: int, relu_ns: int = 100) -> dict:
    return {
        "profiler": "onnxruntime session profiling",
        "timed": True,
        "iterations": 5,
        "wall_median_ns": conv_ns + gemm_ns + relu_ns + 50,
        "operators": [
            {"name": "c0", "op_type": "Conv", "unit": "cpu", "time_ns": conv_ns // 2, "calls": 5},
            {"name": "r0", "op_type": "Relu", "unit": "cpu", "time_ns": relu_ns, "calls": 5},
            {"name": "c1", "op_type": "Conv", "unit": "cpu", "time_ns": conv_ns // 2, "calls": 5},
            {"name": "g0", "op_type": "Gemm", "unit": "cpu", "time_ns": gemm_ns, "calls": 5},
        ],
    }


def test_profile_and_memory_round_trip_with_shares_and_types(db_url):
    store = ResultStore.open(db_url)
    store.ingest(
        make_record(
            "a" * 32, profile=_profile(800, 100), rss_after_load_bytes=10, peak_rss_bytes=20
        )
    )
    assert store.ingest(make_record("a" * 32, profile=_profile(1, 1))) is False  # idempotent
    row = store.run("a" * 32)
    assert (row.rss_after_load_bytes, row.peak_rss_bytes, row.device_peak_bytes) == (10, 20, None)
    p = profiles.load(store, "aaaa")
    assert [o["name"] for o in p.operators] == ["c0", "r0", "c1", "g0"]  # execution order
    assert p.total_ns == 1000
    assert [o["share"] for o in p.operators] == [0.4, 0.1, 0.4, 0.1]
    assert [(t["op_type"], t["count"], t["time_ns"]) for t in p.by_type()] == [
        ("Conv", 2, 800),
        ("Gemm", 1, 100),
        ("Relu", 1, 100),
    ]


def test_compare_names_the_op_types_that_moved_most(db_url):
    store = ResultStore.open(db_url)
    store.ingest(make_record("a" * 32, profile=_profile(800, 100)))
    store.ingest(make_record("b" * 32, profile=_profile(820, 600)))
    moved = profiles.top_moved(store, "a" * 32, "b" * 32, n=2)
    assert [m["op_type"] for m in moved] == ["Gemm", "Conv"]
    assert moved[0]["delta_ms"] == pytest.approx(500 / 1e6)
    assert moved[0]["rel_change"] == pytest.approx(5.0)
    store.ingest(make_record("c" * 32))
    assert profiles.top_moved(store, "a" * 32, "c" * 32) is None  # no profile: nothing to name


def test_placement_only_profiles_cannot_be_compared_by_time(db_url):
    store = ResultStore.open(db_url)
    placed = {
        "profiler": "litert placement",
        "timed": False,
        "operators": [{"name": "0:CONV_2D", "op_type": "CONV_2D", "unit": "xnnpack"}],
    }
    store.ingest(make_record("a" * 32, profile=placed))
    store.ingest(make_record("b" * 32, profile=_profile(1, 1)))
    p = profiles.load(store, "a" * 32)
    assert p.total_ns is None and p.units() == {"xnnpack": 1}
    with pytest.raises(ConfigError, match="placement only"):
        profiles.compare(p, profiles.load(store, "b" * 32))


def test_push_carries_profiles_once(tmp_path, db_url):
    if db_url.startswith("sqlite"):
        db_url = f"sqlite:///{tmp_path / 'team.sqlite'}"
    laptop = str(tmp_path / "laptop.sqlite")
    store = ResultStore.open(laptop)
    store.ingest(make_record("a" * 32, profile=_profile(800, 100), peak_rss_bytes=7))
    store.ingest(make_record("b" * 32))
    sync.push(laptop, db_url)
    sync.push(laptop, db_url)
    team = ResultStore.open(db_url)
    assert team.run("a" * 32).peak_rss_bytes == 7
    copied = profiles.load(team, "a" * 32)
    assert [o["name"] for o in copied.operators] == ["c0", "r0", "c1", "g0"]
    assert team.profile("b" * 32) is None


def test_push_carries_measured_accuracy_once_with_its_artifact(tmp_path, db_url):
    if db_url.startswith("sqlite"):
        db_url = f"sqlite:///{tmp_path / 'team.sqlite'}"
    laptop = str(tmp_path / "laptop.sqlite")
    store = ResultStore.open(laptop)
    assert store.ingest_accuracy(make_accuracy_record(top1=71.0))
    assert store.ingest_accuracy(
        make_accuracy_record(top1=55.5, dataset_name="other", dataset_sha256="sha256:" + "f" * 64)
    )
    first = sync.push(laptop, db_url)
    again = sync.push(laptop, db_url)
    assert (first.accuracy_copied, first.accuracy_skipped) == (2, 0)
    assert first.artifacts_copied == 1
    assert (again.accuracy_copied, again.accuracy_skipped) == (0, 2)
    team = ResultStore.open(db_url)
    assert sorted(a.top1 for a in team.accuracies(model="m")) == [55.5, 71.0]
    assert {a.key for a in team.accuracies()} == {a.key for a in store.accuracies()}
