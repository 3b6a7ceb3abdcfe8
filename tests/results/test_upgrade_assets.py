"""Databases written by earlier revisions (committed under assets/) open after `db upgrade` with
every row and every sample kept (Optuna's upgrade-assets test). Add a file per new revision."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from benchctl.results import migrate
from benchctl.results.stats import summarize
from benchctl.results.store import ResultStore, make_engine

ASSETS = sorted((Path(__file__).parent / "assets").glob("db_*.sqlite"))


def _counts(path: Path) -> dict[str, int]:
    """Rows in every benchctl table of the file (a later revision's tables start empty)."""
    with sqlite3.connect(path) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select name from sqlite_master where type = 'table' and name != 'alembic_version'"
            )
        ]
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


@pytest.mark.parametrize("asset", ASSETS, ids=[p.name for p in ASSETS])
def test_old_database_upgrades_with_every_row(asset, tmp_path):
    db = tmp_path / asset.name
    shutil.copyfile(asset, db)
    before = _counts(db)
    assert before["runs"] > 0
    migrate.upgrade(make_engine(f"sqlite:///{db}"))
    after = _counts(db)
    assert {t: after[t] for t in before} == before
    assert {"profiles", "profile_ops", "accuracy"} <= set(after)
    store = ResultStore.open(str(db))
    for row in store.runs():
        samples = store.samples(row.run_id)
        assert len(samples) == row.sample_count
        assert summarize(samples).median == row.median_ns


def test_profiles_and_memory_written_at_0002_survive_the_upgrade(tmp_path):
    db = tmp_path / "db_0002.sqlite"
    shutil.copyfile(Path(__file__).parent / "assets" / "db_0002.sqlite", db)
    migrate.upgrade(make_engine(f"sqlite:///{db}"))
    store = ResultStore.open(str(db))
    profiled = [r for r in store.runs() if store.profile(r.run_id) is not None]
    assert len(profiled) == 2
    assert all(r.peak_rss_bytes and r.peak_rss_bytes > r.rss_after_load_bytes for r in profiled)
    meta, ops = store.profile("7" * 32)
    assert meta.timed and [o.op_type for o in ops] == ["Conv", "Relu", "Gemm"]
    assert [o.time_ns for o in ops] == [900_000, 100_000, 300_000]
    meta, ops = store.profile("8" * 32)
    assert not meta.timed and meta.partitions[0]["unit"] == "xnnpack"
    assert [o.time_ns for o in ops] == [None, None]


def test_there_is_an_asset_for_every_revision():
    have = {p.stem.removeprefix("db_") for p in ASSETS}
    assert have == set(migrate.known_revisions())
