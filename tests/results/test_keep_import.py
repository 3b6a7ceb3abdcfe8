"""No measurement is lost: a run whose database write fails (the file deleted or replaced during
the run, SQLite full, the database locked past its timeout) keeps its complete record in
`runs/<id>/record.json`, says the command that stores it, and `benchctl results import` stores it
later — validated like a fresh result, idempotent on run id."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.errors import ConfigError, NotStoredError
from benchctl.harness.run import RunRequest, run_benchmark
from benchctl.results import keep
from benchctl.results.store import ResultStore, make_engine

REQ = RunRequest(model="test_mobileone", iterations=20, warmup=2)


class OnStage:
    """Run hooks that do something real (delete a file…) when a stage begins."""

    def __init__(self, when: str, action) -> None:
        self.when, self.action, self.done = when, action, False

    def stage(self, text: str) -> None:
        if not self.done and text.startswith(self.when):
            self.done = True
            self.action()

    def progress(self, phase: str, done: int, total: int) -> None:
        return None


@pytest.fixture
def home(shared_home, tiny_artifact, monkeypatch):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))  # the cached tiny artifact
    return shared_home


def _kept(exc: NotStoredError) -> Path:
    assert exc.kept is not None
    path = Path(exc.kept)
    assert path.is_file() and path.name == "record.json"
    assert exc.hint is not None and f"benchctl results import {path}" in exc.hint
    return path


def _samples_of(run_dir: Path) -> list[int]:
    return json.loads((run_dir / "result.json").read_text())["timing_ns"]["samples"]


def test_a_database_deleted_during_the_run_is_never_named_as_where_it_went(home, tmp_path):
    db = tmp_path / "results.sqlite"
    store = ResultStore.open(str(db))
    with pytest.raises(NotStoredError) as caught:
        run_benchmark(REQ, store, OnStage("running on", db.unlink))
    message = str(caught.value)
    assert "was deleted during the run" in message and "not stored" in message
    kept = _kept(caught.value)
    assert not db.exists()  # nothing pretended to write there
    # Later: store it; a second import changes nothing.
    fresh = ResultStore.open(str(tmp_path / "again.sqlite"))
    record = keep.load(kept.parent)
    assert fresh.ingest(record) is True and fresh.ingest(record) is False
    assert fresh.samples(record.run_id) == _samples_of(kept.parent)
    assert fresh.run(record.run_id).status == "ok"


def test_a_database_replaced_during_the_run_is_not_written(home, tmp_path):
    db = tmp_path / "results.sqlite"
    store = ResultStore.open(str(db))
    other = tmp_path / "other.sqlite"
    ResultStore.open(str(other))

    with pytest.raises(NotStoredError, match="was replaced during the run"):
        run_benchmark(REQ, store, OnStage("running on", lambda: shutil.move(other, db)))
    assert ResultStore.open(str(db)).runs() == []


def test_a_full_database_keeps_the_run_and_import_stores_it(home, tmp_path):
    """SQLITE_FULL, the error a full disk gives, from SQLite's own page limit."""
    db = tmp_path / "results.sqlite"
    store = ResultStore.open(str(db))
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]

    @event.listens_for(store.engine, "connect")
    def _full(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    store.engine.dispose()
    big = RunRequest(model="test_mobileone", iterations=3000, warmup=2)  # needs new pages
    with pytest.raises(NotStoredError, match="full") as caught:
        run_benchmark(big, store)
    kept = _kept(caught.value)
    done = CliRunner().invoke(app, ["results", "import", str(kept), "--db", str(db), "--json"])
    assert done.exit_code == 0, done.output
    [doc] = json.loads(done.stdout)
    assert doc["stored"] is True and doc["status"] == "ok"
    again = CliRunner().invoke(app, ["results", "import", str(kept.parent), "--db", str(db)])
    assert again.exit_code == 0 and "already stored" in again.stdout


def test_a_database_locked_past_its_timeout_keeps_the_run(home, tmp_path):
    db = tmp_path / "results.sqlite"
    ResultStore.open(str(db))
    engine = make_engine("sqlite:///" + str(db))
    engine.dispose()
    from sqlalchemy import create_engine

    impatient = ResultStore(create_engine("sqlite:///" + str(db), connect_args={"timeout": 0.5}))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(NotStoredError, match="locked") as caught:
            run_benchmark(REQ, impatient)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    record = keep.load(_kept(caught.value))
    assert ResultStore.open(str(db)).ingest(record) is True


def test_a_result_pulled_by_hand_is_checked_against_its_runs_spec(home, tmp_path):
    db = tmp_path / "results.sqlite"
    store = ResultStore.open(str(db))
    with pytest.raises(NotStoredError) as caught:
        run_benchmark(REQ, store, OnStage("running on", db.unlink))
    run_dir = _kept(caught.value).parent
    pulled = tmp_path / "pulled"
    pulled.mkdir()
    result = json.loads((run_dir / "result.json").read_text())

    tampered = dict(result, timing_ns={**result["timing_ns"], "samples": [5] * 19})
    (pulled / "result.json").write_text(json.dumps(tampered))
    with pytest.raises(ConfigError, match="19 samples"):
        keep.load(pulled / "result.json")

    (pulled / "result.json").write_text(json.dumps(result))
    record = keep.load(pulled / "result.json")  # its record is found in this project's runs/
    assert record.samples == result["timing_ns"]["samples"] and record.status == "ok"


@pytest.mark.parametrize(
    "doc, needle",
    [
        ({"schema": "benchctl.spec"}, "not a benchctl run record"),
        ({"schema": "benchctl.record", "version": 9}, "version 9"),
        ({"schema": "benchctl.record", "version": 1, "run_id": "x"}, "not a valid run record"),
    ],
)
def test_import_refuses_what_is_not_a_run_with_one_line(tmp_path, doc, needle):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=needle):
        keep.load(path)
