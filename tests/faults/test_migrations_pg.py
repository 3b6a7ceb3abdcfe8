"""Every committed database of an older revision (tests/results/assets/db_<rev>.sqlite), loaded
into a PostgreSQL at that revision and upgraded to head, keeps every row and every sample
(tests/results/test_upgrade_assets.py checks the same on SQLite)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, func, select

from benchctl.results import migrate
from benchctl.results.regress.validity import within_run_drift
from benchctl.results.stats import summarize
from benchctl.results.store import ResultStore, make_engine
from benchctl.results.sync import as_utc

ASSETS = sorted((Path(__file__).parents[1] / "results" / "assets").glob("db_*.sqlite"))
# foreign keys point backwards in this order; an asset holds the tables of its revision
ALL_TABLES = ("artifacts", "runs", "samples", "profiles", "profile_ops")


def _tables(engine) -> tuple[str, ...]:
    from sqlalchemy import inspect

    have = set(inspect(engine).get_table_names())
    return tuple(t for t in ALL_TABLES if t in have)


def _counts(engine, tables: tuple[str, ...]) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(bind=engine, only=tables)
    with engine.connect() as conn:
        return {t: conn.scalar(select(func.count()).select_from(meta.tables[t])) for t in tables}


@pytest.mark.parametrize("asset", ASSETS, ids=[p.name for p in ASSETS])
def test_old_database_upgrades_on_postgresql_with_every_row(asset, tmp_path, pg_url, figures):
    revision = asset.stem.removeprefix("db_")
    copy = tmp_path / asset.name
    shutil.copyfile(asset, copy)
    src = create_engine(f"sqlite:///{copy}")
    assert migrate.current(src) == revision
    dst = make_engine(pg_url)
    migrate.upgrade(dst, revision)
    assert migrate.current(dst) == revision
    tables = _tables(src)
    src_meta, dst_meta = MetaData(), MetaData()
    src_meta.reflect(bind=src, only=tables)
    dst_meta.reflect(bind=dst, only=tables)
    with src.connect() as inp, dst.begin() as out:
        for name in tables:
            rows = [{k: as_utc(v) for k, v in r._mapping.items()} for r in inp.execute(
                select(src_meta.tables[name]))]  # fmt: skip
            if rows:
                out.execute(dst_meta.tables[name].insert(), rows)
    before = _counts(src, tables)
    assert before["runs"] > 0 and _counts(dst, tables) == before
    migrate.upgrade(dst)
    assert migrate.current(dst) == migrate.head() and _counts(dst, tables) == before
    migrate.upgrade(make_engine(f"sqlite:///{copy}"))  # the source read through today's store
    store, old = ResultStore.open(pg_url), ResultStore.open(str(copy))
    for row in store.runs():
        samples = store.samples(row.run_id)
        assert samples == old.samples(row.run_id) and len(samples) == row.sample_count
        if samples:
            assert summarize(samples).median == row.median_ns
            # revision 0005 computed the gate's drift on the server's copy as on SQLite's
            assert row.sample_drift_fraction == 0.10
            assert row.sample_drift == within_run_drift(samples, 0.10, 1)
    figures(fault=f"upgrade {asset.name} on PostgreSQL", rows=before, rows_lost=0)
