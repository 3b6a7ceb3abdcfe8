from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from benchctl.errors import SchemaVersionError
from benchctl.results import migrate
from benchctl.results.schema import Base
from benchctl.results.stats import summarize
from benchctl.results.store import ResultStore, decode_samples, encode_samples
from benchctl.results.testing import SAMPLE_ARTIFACT, make_record

ARTIFACT = SAMPLE_ARTIFACT
record = make_record


def test_ingest_is_idempotent_and_keeps_samples_in_order():
    store = ResultStore.open()
    assert store.ingest(record()) is True
    assert store.ingest(record()) is False
    assert len(store.runs()) == 1
    assert store.samples("1" * 32) == [3, 1, 2, 10]


def test_summary_columns_are_recomputed_from_samples():
    store = ResultStore.open()
    store.ingest(record(samples=[5, 4, 3, 2, 1, 100]))
    row = store.run("111")
    s = summarize([5, 4, 3, 2, 1, 100])
    assert (row.min_ns, row.median_ns, row.p99_ns, row.cv) == (s.min, s.median, s.p99, s.cv)
    assert row.sample_count == 6


def test_a_failed_ingest_leaves_nothing_behind():
    store = ResultStore.open()
    broken = record(artifact={**ARTIFACT, "sha256": "sha256:" + "c" * 64, "format": None})
    with pytest.raises(Exception):  # noqa: B017  (the database's own integrity error)
        store.ingest(broken)
    with store.engine.connect() as conn:
        for table in ("runs", "samples", "artifacts"):
            assert conn.execute(text(f"select count(*) from {table}")).scalar() == 0


def test_failure_rows_have_no_samples():
    store = ResultStore.open()
    store.ingest(
        record(
            run_id="2" * 32,
            status="conversion_failed",
            samples=[],
            artifact=None,
            error_code="CONVERSION_FAILED",
            error_message="boom",
        )
    )
    row = store.run("2" * 32)
    assert row.status == "conversion_failed" and row.median_ns is None
    assert store.samples(row.run_id) == []


def test_run_lookup_by_prefix_and_errors():
    from benchctl.errors import ConfigError

    store = ResultStore.open()
    store.ingest(record(run_id="ab" + "0" * 30))
    store.ingest(record(run_id="ac" + "0" * 30))
    assert store.run("ab").run_id.startswith("ab")
    with pytest.raises(ConfigError, match="ambiguous"):
        store.run("a")
    with pytest.raises(ConfigError, match="no run"):
        store.run("ff")
    with pytest.raises(ConfigError, match="not a run id"):
        store.run("'; drop table runs; --")


def test_sample_encoding_round_trips_large_values():
    values = [1, 2**40, 3_599_999_999_999, 17]
    assert decode_samples(encode_samples(values)) == values


def test_migrations_build_exactly_the_orm_schema():
    store = ResultStore.open()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert migrate.current(store.engine) == migrate.head()


def test_a_database_behind_the_code_refuses_with_the_upgrade_command(monkeypatch):
    store = ResultStore.open()
    url = store.location
    ahead = f"{int(migrate.head()) + 1:04d}"  # a revision one past this code's head
    known = [ahead, *migrate.known_revisions()]
    monkeypatch.setattr(migrate, "head", lambda: ahead)
    monkeypatch.setattr(migrate, "known_revisions", lambda: known)
    with pytest.raises(SchemaVersionError) as exc:
        ResultStore.open()
    assert f"run: benchctl db upgrade --db {url}" in str(exc.value)


def test_a_database_ahead_of_the_code_asks_for_a_newer_benchctl():
    store = ResultStore.open()
    with store.engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '0099'"))
    with pytest.raises(SchemaVersionError, match="upgrade benchctl"):
        ResultStore.open()


def test_a_foreign_database_is_not_touched(tmp_path):
    import sqlite3

    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("create table users (id integer)")
    with pytest.raises(SchemaVersionError, match="not a benchctl results database"):
        ResultStore.open(str(path))
