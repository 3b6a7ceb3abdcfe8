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
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("runs", "samples", "artifacts")}


@pytest.mark.parametrize("asset", ASSETS, ids=[p.name for p in ASSETS])
def test_old_database_upgrades_with_every_row(asset, tmp_path):
    db = tmp_path / asset.name
    shutil.copyfile(asset, db)
    before = _counts(db)
    assert before["runs"] > 0
    migrate.upgrade(make_engine(f"sqlite:///{db}"))
    assert _counts(db) == before
    store = ResultStore.open(str(db))
    for row in store.runs():
        samples = store.samples(row.run_id)
        assert len(samples) == row.sample_count
        assert summarize(samples).median == row.median_ns


def test_there_is_an_asset_for_every_revision():
    have = {p.stem.removeprefix("db_") for p in ASSETS}
    assert have == set(migrate.known_revisions())
