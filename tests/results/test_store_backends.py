"""The store's contract on both engines: the same tests on SQLite and on a real PostgreSQL.

`db push` (results/sync.py) is checked here too: a laptop's SQLite merged into a team database,
idempotently, with every sample intact.
"""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from test_store import ARTIFACT, record
from typer.testing import CliRunner

from benchctl.errors import ConfigError, SchemaVersionError
from benchctl.results import migrate, sync
from benchctl.results.schema import Base
from benchctl.results.stats import summarize
from benchctl.results.store import ResultStore


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'results.sqlite'}"
    return request.getfixturevalue("pg_url")


def _counts(store: ResultStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t: conn.execute(text(f"select count(*) from {t}")).scalar_one()
            for t in ("runs", "samples", "artifacts")
        }


def test_ingest_is_idempotent_and_keeps_samples_in_order(db_url):
    store = ResultStore.open(db_url)
    assert store.ingest(record()) is True
    assert store.ingest(record()) is False
    assert _counts(store) == {"runs": 1, "samples": 1, "artifacts": 1}
    assert store.samples("1" * 32) == [3, 1, 2, 10]


def test_a_stored_run_ingested_again_adds_not_even_its_artifact(db_url):
    store = ResultStore.open(db_url)
    assert store.ingest(record()) is True
    other = {**ARTIFACT, "sha256": "sha256:" + "7" * 64}
    assert store.ingest(record(artifact=other, samples=[9])) is False  # rolled back whole
    assert store.ingest_many([record(artifact=other), record()]) == 0
    assert _counts(store) == {"runs": 1, "samples": 1, "artifacts": 1}
    assert store.samples("1" * 32) == [3, 1, 2, 10]


def test_summary_is_recomputed_and_large_samples_survive(db_url):
    store = ResultStore.open(db_url)
    values = [5, 4, 3_599_999_999_999, 2, 1, 100]
    store.ingest(record(samples=values))
    row = store.run("111")
    s = summarize(values)
    assert (row.min_ns, row.median_ns, row.max_ns, row.sample_count) == (s.min, s.median, s.max, 6)
    assert store.samples(row.run_id) == values


def test_times_come_back_as_stored(db_url):
    store = ResultStore.open(db_url)
    at = datetime(2026, 11, 21, 23, 41, 35, 800322, tzinfo=UTC)
    store.ingest(record(created_at=at))
    got = store.run("111").created_at
    assert got.replace(tzinfo=got.tzinfo or UTC) == at


def test_a_failed_ingest_leaves_nothing_behind(db_url):
    store = ResultStore.open(db_url)
    broken = record(artifact={**ARTIFACT, "sha256": "sha256:" + "c" * 64, "format": None})
    with pytest.raises(Exception):  # noqa: B017  (the engine's own integrity error)
        store.ingest(broken)
    assert _counts(store) == {"runs": 0, "samples": 0, "artifacts": 0}


def test_failure_rows_have_no_samples_and_lookups_work(db_url):
    store = ResultStore.open(db_url)
    store.ingest(record(run_id="ab" + "0" * 30))
    store.ingest(
        record(
            run_id="ac" + "0" * 30,
            status="error",
            samples=[],
            artifact=None,
            error_code="RUNNER_NO_RESULT",
            error_message="killed",
        )
    )
    failed = store.run("ac")
    assert failed.status == "error" and failed.median_ns is None
    assert store.samples(failed.run_id) == []
    assert [r.run_id[:2] for r in store.runs(status="ok")] == ["ab"]
    with pytest.raises(ConfigError, match="ambiguous"):
        store.run("a")
    with pytest.raises(ConfigError, match="not a run id"):
        store.run("'; drop table runs; --")
    assert _counts(store)["runs"] == 2


def test_migrations_build_exactly_the_orm_schema(db_url):
    store = ResultStore.open(db_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert migrate.current(store.engine) == migrate.head()


def test_a_database_ahead_of_the_code_refuses_to_open(db_url):
    store = ResultStore.open(db_url)
    with store.engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '0099'"))
    with pytest.raises(SchemaVersionError, match="upgrade benchctl"):
        ResultStore.open(db_url)


def _ingest_same(url: str, queue: multiprocessing.Queue) -> None:
    queue.put(ResultStore.open(url).ingest(record(run_id="e" * 32)))


def test_two_processes_ingesting_the_same_run_store_it_once(db_url):
    ResultStore.open(db_url)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_ingest_same, args=(db_url, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert sorted([queue.get(timeout=5), queue.get(timeout=5)]) == [False, True]
    assert _counts(ResultStore.open(db_url))["runs"] == 1


# --- db push ---------------------------------------------------------------------------------


def _laptop(tmp_path, n: int, prefix: str) -> str:
    path = tmp_path / f"{prefix}.sqlite"
    store = ResultStore.open(str(path))
    for i in range(n):
        status = "ok" if i % 5 else "error"
        store.ingest(
            record(
                run_id=f"{prefix}{i:030x}",
                samples=[1000 + i, 999 + i, 1001 + 2 * i] if status == "ok" else [],
                status=status,
                error_code=None if status == "ok" else "RUNNER_NO_RESULT",
                artifact=dict(ARTIFACT) if i % 2 else {**ARTIFACT, "sha256": "sha256:" + "d" * 64},
                host={"hostname": prefix, "os_release": "6.1.0", "cpus": [0, 1]},
                versions={"runner": "0.1.0", "numpy": "2.3"},
                environment={"before": {"thermal_state": "nominal", "max_temp_c": 41.5 + i}},
            )
        )
    return str(path)


def test_push_merges_idempotently_in_batches(tmp_path, db_url):
    if db_url.startswith("sqlite"):
        db_url = f"sqlite:///{tmp_path / 'team.sqlite'}"
    a, b = _laptop(tmp_path, 23, "aa"), _laptop(tmp_path, 7, "bb")
    batches: list[int] = []
    first = sync.push(a, db_url, batch_size=5, on_batch=lambda r: batches.append(r.runs_copied))
    assert (first.runs_copied, first.runs_skipped, first.batches) == (23, 0, 5)
    assert batches == [5, 10, 15, 20, 23]
    assert first.artifacts_copied == 2 and first.samples_copied == 23 - 5  # 5 failures: none
    again = sync.push(a, db_url, batch_size=5)
    assert (again.runs_copied, again.runs_skipped, again.artifacts_copied) == (0, 23, 0)
    other = sync.push(b, db_url)
    assert (other.runs_copied, other.artifacts_copied) == (7, 0)
    team, laptop = ResultStore.open(db_url), ResultStore.open(a)
    assert _counts(team) == {"runs": 30, "samples": 18 + 5, "artifacts": 2}
    for row in laptop.runs():
        copy = team.run(row.run_id)
        assert team.samples(row.run_id) == laptop.samples(row.run_id)
        assert (copy.status, copy.median_ns, copy.series_key) == (
            row.status,
            row.median_ns,
            row.series_key,
        )
        # documents copied as their text, times as UTC: the same values read back
        assert (copy.host, copy.versions, copy.input_shape, copy.result, copy.environment) == (
            row.host,
            row.versions,
            row.input_shape,
            row.result,
            row.environment,
        )
        assert copy.created_at.replace(tzinfo=None) == row.created_at.replace(tzinfo=None)


def test_push_cli_json_and_bad_input(tmp_path, db_url):
    from benchctl.cli.app import app

    if db_url.startswith("sqlite"):
        db_url = f"sqlite:///{tmp_path / 'team.sqlite'}"
    laptop = _laptop(tmp_path, 3, "cc")
    runner = CliRunner()
    result = runner.invoke(app, ["db", "push", "--db", laptop, "--to", db_url, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["runs_copied"], doc["runs_skipped"]) == (3, 0)
    for argv, message in (
        (["--db", str(tmp_path / "nope.sqlite")], "no results database at"),
        (["--db", laptop, "--batch-size", "0"], "--batch-size must be"),
        (["--db", laptop, "--to", laptop], "is the database being pushed"),
    ):
        bad = runner.invoke(app, ["db", "push", "--to", db_url, *argv])
        assert isinstance(bad.exception, ConfigError), bad.output
        assert bad.exception.exit_code == 2 and message in str(bad.exception)
    assert not (tmp_path / "nope.sqlite").exists()


def test_push_to_an_unreachable_server_is_one_clear_line(tmp_path):
    from conftest_services import free_port

    laptop = _laptop(tmp_path, 1, "dd")
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/team"
    with pytest.raises(ConfigError, match="cannot open .* check the URL"):
        sync.push(laptop, url)


def _profiled(run_id: str, **fields):
    """A run with a timed profile of one operator whose name holds COPY's separators."""
    profile = {
        "profiler": "p",
        "timed": True,
        "partitions": [{"unit": "cpu"}],
        "operators": [{"name": "c\t0\n", "op_type": "Conv", "time_ns": 5, "cost": 0.5}],
    }
    return record(run_id=run_id, profile=profile, **fields)


def _stored(url: str) -> dict[str, list[tuple]]:
    """Every row of every results table, in key order, as SQLAlchemy reads it (times as UTC)."""
    from sqlalchemy import select

    engine = ResultStore.open(url, create=False).engine
    with engine.connect() as conn:
        return {
            name: [
                tuple(sync.as_utc(v) for v in row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for name, table in Base.metadata.tables.items()
        }


def test_push_from_postgresql_to_postgresql_copies_every_row(tmp_path, postgres_server, pg_url):
    laptop = _laptop(tmp_path, 7, "ee")
    ResultStore.open(laptop).ingest(_profiled("ef" * 16, host={"hostname": "é ☃ \\n"}))
    # A second database at the same revision, made from the first while it is still empty
    # (quicker than running the migrations again).
    ResultStore.open(pg_url).engine.dispose()
    postgres_server.admin(f'create database "team2" template "{pg_url.rsplit("/", 1)[1]}"')
    sync.push(laptop, pg_url, batch_size=5)  # SQLite → PostgreSQL (binary COPY of rows)
    try:
        team2 = postgres_server.url("team2")
        first = sync.push(pg_url, team2, batch_size=5)  # PostgreSQL → PostgreSQL (COPY piped)
        assert (first.runs_copied, first.samples_copied, first.artifacts_copied) == (8, 6, 2)
        copied = _stored(team2)
        assert copied == _stored(pg_url)
        assert {k: len(v) for k, v in copied.items() if k != "alembic_version"} == {
            "artifacts": 2, "runs": 8, "samples": 6, "profiles": 1, "profile_ops": 1,
            "accuracy": 0,
        }  # fmt: skip
        laptop_rows = _stored(laptop)
        assert copied["runs"] == laptop_rows["runs"] and copied["samples"] == laptop_rows["samples"]
    finally:
        postgres_server.admin('drop database "team2" with (force)')


def test_a_push_failing_mid_batch_keeps_only_whole_runs(tmp_path, db_url):
    from benchctl.errors import StoreUnavailableError

    if db_url.startswith("sqlite"):
        db_url = f"sqlite:///{tmp_path / 'team.sqlite'}"
    laptop = _laptop(tmp_path, 12, "ab")
    failing = f"ab{7:030x}"  # in the second batch of five; its run row is inserted first
    team = ResultStore.open(db_url)
    with team.engine.begin() as conn:
        if db_url.startswith("sqlite"):
            conn.execute(
                text(
                    "create trigger boom before insert on samples when new.run_id = "
                    f"'{failing}' begin select raise(abort, 'boom'); end"
                )
            )
        else:
            conn.execute(
                text(
                    "create function boom() returns trigger language plpgsql as $$ begin "
                    f"if new.run_id = '{failing}' then raise exception 'boom'; end if; "
                    "return new; end $$"
                )
            )
            conn.execute(
                text(
                    "create trigger boom before insert on samples for each row "
                    "execute function boom()"
                )
            )
    with pytest.raises(StoreUnavailableError, match="boom"):
        sync.push(laptop, db_url, batch_size=5)
    assert [r.run_id for r in team.runs()] and sorted(r.run_id for r in team.runs()) == [
        f"ab{i:030x}" for i in range(5)
    ]
    assert _counts(team) == {"runs": 5, "samples": 4, "artifacts": 2}
    with team.engine.begin() as conn:
        conn.execute(
            text("drop trigger boom" + ("" if db_url.startswith("sqlite") else " on samples"))
        )
    done = sync.push(laptop, db_url, batch_size=5)
    assert (done.runs_copied, done.runs_skipped, done.samples_copied) == (7, 5, 5)
    assert _stored(db_url)["samples"] == _stored(laptop)["samples"]


def test_the_nightly_report_reads_the_same_histories_on_postgresql(pg_url):
    """The report's reads (series index, one series' newest runs, the samples its gate needs)
    give the same verdicts, change points and histories on PostgreSQL as on SQLite."""
    from benchctl.results import synthetic
    from benchctl.results.regress import nightly

    def summary(store: ResultStore) -> list[tuple]:
        store.ingest_many(synthetic.history(5, 30, samples_per_run=40, seed=3))
        return [
            (
                s.key,
                s.screening.label,
                s.screening.level_ns,
                [c.run_id for c in s.changes],
                [(p.run_id, p.usable, p.validity.reasons) for p in s.points],
            )
            for s in nightly(store).series
        ]

    here, reference = summary(ResultStore.open(pg_url)), summary(ResultStore.open())
    assert here == reference and len(here) == 5
    assert {label for _, label, *_ in here} - {"ok"}  # something for the screen to find


def _push_into(source: str, target: str, queue: multiprocessing.Queue) -> None:
    report = sync.push(source, target, batch_size=3)
    queue.put((report.runs_copied, report.runs_skipped))


def test_two_pushes_at_once_copy_each_run_once(tmp_path, db_url):
    if db_url.startswith("sqlite"):
        db_url = f"sqlite:///{tmp_path / 'team.sqlite'}"
    laptop = _laptop(tmp_path, 12, "ac")
    ResultStore.open(db_url).engine.dispose()  # the schema first, so neither push makes it
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_push_into, args=(laptop, db_url, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    reports = [queue.get(timeout=5), queue.get(timeout=5)]
    assert sum(copied for copied, _ in reports) == 12
    assert all(copied + skipped == 12 for copied, skipped in reports)
    assert _stored(db_url)["samples"] == _stored(laptop)["samples"]


def test_the_exports_are_the_same_on_postgresql(pg_url, tmp_path):
    """`export csv|parquet` (runs and models) read the same rows, samples and verdicts on
    PostgreSQL as on SQLite: the same CSV, the same Parquet table, the same models. Except
    `created_at`, which PostgreSQL gives with its UTC offset (timestamptz) and SQLite without
    (both exports did so before issue 19 too)."""
    import csv
    import io

    import pyarrow.parquet as pq

    from benchctl.results import frame, synthetic
    from benchctl.results.export import write_csv_values, write_parquet

    def exports(store: ResultStore, name: str) -> tuple[list, list, object]:
        store.ingest_many(synthetic.history(4, 12, samples_per_run=40, seed=5))
        text = io.StringIO()
        write_csv_values(
            frame.iter_run_values(store), text, frame.RUN_COLUMNS, frame.NUMBER_COLUMNS
        )
        rows = list(csv.reader(io.StringIO(text.getvalue())))
        at = rows[0].index("created_at")
        for row in rows[1:]:
            row[at] = row[at].removesuffix("+00:00")
        path = tmp_path / f"{name}.parquet"
        write_parquet(frame.iter_run_values(store), path, frame.RUN_COLUMNS, frame.RUN_TYPES, 7)
        models = frame.model_dicts(store, compute_facts=False)
        for d in models:
            d["created_at"] = d["created_at"].removesuffix("+00:00")
        return rows, models, pq.read_table(path).drop_columns(["created_at"])

    here = exports(ResultStore.open(pg_url), "pg")
    reference = exports(ResultStore.open(), "sqlite")
    assert here[0] == reference[0] and len(here[0]) == 4 * 12 + 1
    assert here[1] == reference[1] and len(here[1]) == 4
    assert here[2].equals(reference[2]) and here[2].num_rows == 4 * 12
