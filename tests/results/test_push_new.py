"""`db push` into an empty PostgreSQL database (`results.newdb`, `sync_postgres.push_into_new`):
one transaction that runs the migrations, sets the secondary indexes and foreign keys aside,
loads every run and builds them again. The database it leaves must be the one `db upgrade` makes
(every column, index and constraint, the revision at head), with every row; one interrupted must
be left empty; two at once must copy each run once."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import inspect, text
from test_store_backends import _laptop, _profiled, _stored

from benchctl.results import migrate, sync
from benchctl.results.store import ResultStore, make_engine

# The schema as the catalog spells it: every column (in table order, with its type, nullability
# and storage), every index's and every constraint's definition.
CATALOG = {
    "columns": """SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
                         a.attnotnull, a.attstorage
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                    AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2""",
    "indexes": """SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
                  JOIN pg_class c ON c.oid = i.indrelid
                  WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1""",
    "constraints": """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                      ORDER BY 1, 2""",
}


def _catalog(url: str) -> dict[str, list[tuple]]:
    engine = ResultStore.open(url, create=False).engine
    with engine.connect() as conn:
        found = {name: [tuple(r) for r in conn.execute(text(q))] for name, q in CATALOG.items()}
    engine.dispose()
    return found


def test_a_push_into_an_empty_postgresql_makes_the_migrated_schema(
    tmp_path, postgres_server, pg_url
):
    laptop = _laptop(tmp_path, 12, "fa")
    report = sync.push(laptop, pg_url, batch_size=5)
    assert (report.runs_copied, report.batches, report.artifacts_copied) == (12, 3, 2)
    migrated = postgres_server.url("migrated_" + pg_url.rsplit("_", 1)[1])
    postgres_server.admin(f'create database "{migrated.rsplit("/", 1)[1]}"')
    try:
        ResultStore.open(migrated).engine.dispose()  # `db upgrade`'s schema
        pushed, expected = _catalog(pg_url), _catalog(migrated)
        assert pushed == expected
        assert any("ix_runs_series_created" in d for (d,) in pushed["indexes"])
        # revision 0006: the (zlib-compressed) samples stored without a compression attempt
        assert ("samples", "data", "e") in {(t, c, mode) for t, _, c, *_, mode in pushed["columns"]}
        assert any("FOREIGN KEY" in d for *_, d in pushed["constraints"])
    finally:
        postgres_server.admin(f'drop database "{migrated.rsplit("/", 1)[1]}" with (force)')
    assert migrate.current(ResultStore.open(pg_url, create=False).engine) == migrate.head()
    rows, source = _stored(pg_url), _stored(laptop)
    assert rows["runs"] == source["runs"] and rows["samples"] == source["samples"]
    assert rows["artifacts"] == source["artifacts"]
    again = sync.push(laptop, pg_url, batch_size=5)  # now a target with runs: the batched path
    assert (again.runs_copied, again.runs_skipped) == (0, 12)


def test_an_interrupted_push_into_an_empty_postgresql_leaves_it_empty(tmp_path, pg_url):
    laptop = _laptop(tmp_path, 12, "fb")

    def interrupt(report: sync.PushReport) -> None:
        if report.batches == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync.push(laptop, pg_url, batch_size=5, on_batch=interrupt)
    target = make_engine(pg_url)
    assert inspect(target).get_table_names() == []  # no table, no run, no revision
    target.dispose()
    done = sync.push(laptop, pg_url, batch_size=5)
    assert (done.runs_copied, done.runs_skipped) == (12, 0)
    assert _stored(pg_url)["samples"] == _stored(laptop)["samples"]


def _push_into(source: str, target: str, queue: multiprocessing.Queue) -> None:
    report = sync.push(source, target, batch_size=4)
    queue.put((report.runs_copied, report.runs_skipped))


def test_two_pushes_at_once_into_an_empty_postgresql_copy_each_run_once(tmp_path, pg_url):
    laptop = _laptop(tmp_path, 12, "fc")
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_push_into, args=(laptop, pg_url, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    reports = sorted([queue.get(timeout=5), queue.get(timeout=5)])
    assert reports == [(0, 12), (12, 0)]  # one loaded the new database, the other found it full
    assert _stored(pg_url)["samples"] == _stored(laptop)["samples"]


def test_a_push_from_postgresql_into_an_empty_one_copies_every_row(
    tmp_path, postgres_server, pg_url
):
    """PostgreSQL to a new PostgreSQL: batches are spans of ids read in one snapshot of the
    source, each table's rows piped COPY to COPY."""
    laptop = _laptop(tmp_path, 11, "fd")
    ResultStore.open(laptop).ingest(_profiled("fd" * 16))
    sync.push(laptop, pg_url, batch_size=100)
    team2 = postgres_server.url("new_" + pg_url.rsplit("_", 1)[1])
    postgres_server.admin(f'create database "{team2.rsplit("/", 1)[1]}"')
    try:
        batches: list[int] = []
        report = sync.push(
            pg_url, team2, batch_size=5, on_batch=lambda r: batches.append(r.runs_copied)
        )
        assert batches == [5, 10, 12] and report.samples_copied == 9  # 3 of 12 failed
        copied = _stored(team2)
        assert copied == _stored(pg_url)
        assert len(copied["profile_ops"]) == 1 and len(copied["runs"]) == 12
        assert _catalog(team2) == _catalog(pg_url)
    finally:
        postgres_server.admin(f'drop database "{team2.rsplit("/", 1)[1]}" with (force)')


# --- into a new SQLite file (`sync_sqlite.load_into_empty`) ----------------------------------


def _sqlite_schema(path) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()


def _journal_mode(path) -> str:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_a_push_into_a_new_sqlite_file_makes_the_migrated_schema(tmp_path):
    laptop = _laptop(tmp_path, 12, "fe")
    target = tmp_path / "team.sqlite"
    batches: list[tuple[int, int]] = []

    def committed(report: sync.PushReport) -> None:
        import sqlite3

        with sqlite3.connect(target) as other:  # what another reader sees meanwhile
            batches.append(
                (report.runs_copied, other.execute("SELECT count(*) FROM runs").fetchone()[0])
            )

    report = sync.push(laptop, str(target), batch_size=5, on_batch=committed)
    assert batches == [(5, 0), (10, 0), (12, 0)]  # one transaction: nothing seen before its end
    assert report.artifacts_copied == 2
    migrated = tmp_path / "migrated.sqlite"
    ResultStore.open(str(migrated)).engine.dispose()
    schema = _sqlite_schema(target)
    assert schema == _sqlite_schema(migrated)
    assert ("index", "ix_runs_series_created") in {row[:2] for row in schema}
    assert _journal_mode(target) == "wal"  # loaded through a rollback journal, then back
    assert _stored(str(target)) == _stored(laptop)
    again = sync.push(laptop, str(target), batch_size=5)
    assert (again.runs_copied, again.runs_skipped) == (0, 12)


def test_an_interrupted_push_into_a_new_sqlite_file_leaves_it_empty(tmp_path):
    laptop = _laptop(tmp_path, 12, "ff")
    target = tmp_path / "team.sqlite"

    def interrupt(report: sync.PushReport) -> None:
        if report.batches == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync.push(laptop, str(target), batch_size=5, on_batch=interrupt)
    migrated = tmp_path / "migrated.sqlite"
    ResultStore.open(str(migrated)).engine.dispose()
    assert _sqlite_schema(target) == _sqlite_schema(migrated)  # every index back
    assert all(not rows for rows in _stored(str(target)).values() if rows != [("0006",)])
    done = sync.push(laptop, str(target), batch_size=5)
    assert (done.runs_copied, done.runs_skipped) == (12, 0)
    assert _stored(str(target)) == _stored(laptop)


def test_a_push_into_a_new_database_imports_no_numpy(tmp_path):
    """Making the schema runs every migration, and revision 0005 fills stored runs with numpy:
    with no runs to fill, neither it nor the push imports numpy (0.1–0.2 s of a push)."""
    import subprocess
    import sys

    laptop = _laptop(tmp_path, 2, "f0")
    code = (
        "import sys\nfrom benchctl.results import sync\n"
        f"sync.push({laptop!r}, {str(tmp_path / 'team.sqlite')!r})\n"
        "print('NUMPY', 'numpy' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "NUMPY False" in proc.stdout, proc.stdout + proc.stderr
    assert len(_stored(str(tmp_path / "team.sqlite"))["runs"]) == 2


def test_a_push_into_an_empty_postgresql_refused_midway_is_one_line_and_leaves_it_empty(
    tmp_path, pg_url
):
    import sqlite3

    from benchctl.errors import StoreUnavailableError

    laptop = _laptop(tmp_path, 12, "f1")
    with sqlite3.connect(laptop) as conn:  # a document the server will not take, in batch 2
        conn.execute("UPDATE runs SET host = '{not json' WHERE run_id = ?", (f"f1{7:030x}",))
    with pytest.raises(StoreUnavailableError, match=r"db push to .* failed \(.*json"):
        sync.push(laptop, pg_url, batch_size=5)
    target = make_engine(pg_url)
    assert inspect(target).get_table_names() == []
    target.dispose()
