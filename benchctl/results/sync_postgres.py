"""`db push` into PostgreSQL with COPY: each batch's rows reach the server as one binary COPY
per table (psycopg 3's `Cursor.copy`) instead of an INSERT's parameters per row (a 9.4 k-run
push spent 20 s building, sending and parsing those).

From another PostgreSQL the rows are not even read: the source's `COPY (SELECT …) TO STDOUT`
is written as it comes into the target's `COPY … FROM STDIN` (both binary; both databases are at
the same schema revision, so the columns and their types are the same). From SQLite each row is
read as stored and turned into the values SQLAlchemy's own SQLite types would read (times as
UTC, flags as booleans), JSON documents kept as their text, which the server still parses.

The rules are those of `sync._copy_batch`: one target transaction per batch, and a run the
target has is skipped. Instead of `INSERT … ON CONFLICT DO NOTHING` (which COPY has not), each
batch's transaction first takes a transaction-level advisory lock (`_PUSH_LOCK`), so concurrent
pushes into one database take turns batch by batch and the runs found missing are still missing
when they are copied (a run pushed by another push meanwhile is skipped, as before). A writer
that is not a push and stores the very same run id meanwhile makes the batch fail and roll back
whole (one line; the next push skips that run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

    from benchctl.results.store import ResultStore
    from benchctl.results.sync import PushReport

_JSON_OID, _TEXT_OID = 114, 25
# The advisory lock a push's batch holds on the target ("benchpush"): pushes take turns, batch by
# batch, so the runs one finds missing are still missing when it copies them.
_PUSH_LOCK = int.from_bytes(b"benchpush"[:8], "big") >> 1
# Each table's rows of a batch, in the order the batch writes them (the foreign keys point at the
# earlier ones).
_ORDER = {
    "runs": "run_id",
    "samples": "run_id",
    "profiles": "run_id",
    "profile_ops": "run_id, position",
}


@dataclass(frozen=True)
class Span:
    """The source's runs whose ids are in (after, upto], read in one snapshot of it."""

    after: str
    upto: str


def _spans(conn: Connection, batch_size: int) -> Iterator[Span]:
    """The source's runs, `batch_size` at a time in id order, as spans of ids (read in the
    snapshot of `conn`'s transaction, in which they are exactly those runs)."""
    raw = _driver(conn)
    after = ""
    while True:
        upto, count = raw.execute(
            "SELECT max(run_id), count(*) FROM (SELECT run_id FROM runs WHERE run_id > %s "
            "ORDER BY run_id LIMIT %s) AS batch",
            (after, batch_size),
        ).fetchone()
        if not count:
            return
        yield Span(after, upto)
        after = upto


class Copier:
    """Copies batches of runs from `src` into the PostgreSQL `dst`."""

    def __init__(
        self,
        src: ResultStore,
        dst: ResultStore,
        tables: dict[str, Table],
        target: Connection | None = None,
    ) -> None:
        """`target`: the connection whose transaction made the tables (`push_into_new`)."""
        self.src, self.dst, self.tables = src, dst, tables
        self.from_postgres = src.engine.dialect.name == "postgresql"
        self.columns = {
            name: ", ".join(f'"{c.name}"' for c in tables[name].columns) for name in _ORDER
        }
        with nullcontext(target) if target is not None else dst.engine.connect() as conn:
            self.types = {name: _binary_types(conn, name, tables[name]) for name in _ORDER}
        self.readers = {} if self.from_postgres else {n: _sqlite_reader(tables[n]) for n in _ORDER}

    def copy_batch(self, ids: list[str], report: PushReport) -> None:
        """Copy the runs `ids` the target lacks, in one target transaction; a database's refusal
        (the server gone, a constraint) is one line, and the batch leaves nothing behind."""
        import sqlite3

        import psycopg

        from benchctl.errors import StoreUnavailableError

        try:
            self._copy_batch(ids, report)
        except (psycopg.Error, sqlite3.Error) as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise StoreUnavailableError(
                f"db push to {self.dst.location} failed ({reason})"
            ) from None

    def _copy_batch(self, ids: list[str], report: PushReport) -> None:
        with self.dst.engine.begin() as out:  # one transaction per batch
            cur = _driver(out).cursor()
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_PUSH_LOCK,))
            # pushes take turns here (released at commit or rollback); then read what is stored
            have = {
                r[0] for r in cur.execute("SELECT run_id FROM runs WHERE run_id = ANY(%s)", (ids,))
            }
            missing = [i for i in ids if i not in have]
            report.runs_skipped += len(have)
            if missing:
                self.copy_runs(out, cur, missing, report)

    def copy_runs(
        self,
        out: Connection,
        cur: Any,
        runs: list[str] | Span,
        report: PushReport,
        source: Connection | None = None,
    ) -> None:
        """Copy `runs` (ids, or a span of them), none of which the target has, with their
        artifacts (those it lacks), samples and profiles, in the transaction of `out` (`cur`: a
        cursor of it); read on `source` (a span: in the snapshot that chose it) or a new
        connection."""
        from benchctl.results.sync import _fetch, _insert_new

        arts_t = self.tables["artifacts"]
        with nullcontext(source) if source is not None else self.src.engine.connect() as conn:
            shas = sorted({s for (s,) in self._rows(conn, "runs", runs, "artifact_sha256") if s})
            arts = _fetch(conn, arts_t, arts_t.c.sha256.in_(shas))
            report.artifacts_copied += len(_insert_new(out, arts_t, arts, "sha256"))
            report.runs_copied += self._copy(conn, cur, "runs", runs)
            report.samples_copied += self._copy(conn, cur, "samples", runs)
            self._copy(conn, cur, "profiles", runs)
            self._copy(conn, cur, "profile_ops", runs)

    def _where(self, runs: list[str] | Span) -> tuple[str, list[Any]]:
        """The condition on `run_id` that selects `runs` in the source, with its parameters: a
        span is a range of the primary key (read in order, nothing to sort or filter)."""
        mark = "%s" if self.from_postgres else "?"
        if isinstance(runs, Span):
            return f"run_id > {mark} AND run_id <= {mark}", [runs.after, runs.upto]
        if self.from_postgres:
            return "run_id = ANY(%s)", [list(runs)]
        return f"run_id IN ({', '.join('?' * len(runs))})", list(runs)

    def _rows(
        self, conn: Connection, table: str, runs: list[str] | Span, columns: str
    ) -> list[Any]:
        """`columns` of `table`'s rows of `runs`, read with the source's own driver."""
        where, params = self._where(runs)
        query = f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {_ORDER[table]}"
        return _driver(conn).execute(query, params).fetchall()

    def _copy(self, conn: Connection, cur: Any, table: str, runs: list[str] | Span) -> int:
        """COPY `table`'s rows of `runs` from the source into the target; how many."""
        cols = self.columns[table]
        copy_in = f"COPY {table} ({cols}) FROM STDIN (FORMAT BINARY)"
        if self.from_postgres:
            where, params = self._where(runs)
            copy_out = (
                f"COPY (SELECT {cols} FROM {table} WHERE {where} "
                f"ORDER BY {_ORDER[table]}) TO STDOUT (FORMAT BINARY)"
            )
            scur = _driver(conn).cursor()
            with scur.copy(copy_out, params) as source, cur.copy(copy_in) as target:
                for block in source:
                    target.write(block)
            return cur.rowcount
        rows = self._rows(conn, table, runs, cols)
        convert = self.readers[table]
        with cur.copy(copy_in) as target:
            target.set_types(self.types[table])
            for row in rows:
                target.write_row(convert(row))
        return len(rows)


def push_into_new(
    src: ResultStore,
    dst: ResultStore,
    tables: dict[str, Table],
    batch_size: int,
    report: PushReport,
    on_batch: Callable[[PushReport], None] | None,
) -> bool:
    """Load every run of `src` into the empty database `dst` in one transaction, which first
    makes the schema (the migrations) and sets aside its secondary indexes and foreign keys, and
    ends by building them again (`results.newdb`); False, with nothing done, if `dst` has
    tables by the time this push holds the push lock (another push made them first).

    Nobody else sees the tables before the commit, so no run can be there already: there is no
    check per batch. A failure anywhere, or an interruption, rolls everything back and leaves
    the database empty, for the next push to load again.
    """
    import sqlite3

    import psycopg
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from benchctl.errors import StoreUnavailableError
    from benchctl.results import newdb
    from benchctl.results.sync import _batches

    try:
        with dst.engine.begin() as out:
            cur = _driver(out).cursor()
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_PUSH_LOCK,))
            if inspect(out).get_table_names():
                return False
            deferred = newdb.create(out)
            copier = Copier(src, dst, tables, target=out)

            def done() -> None:
                report.batches += 1
                if on_batch is not None:
                    on_batch(report)

            if copier.from_postgres:
                # one snapshot of the source for the whole push: its batches are spans of ids
                with src.engine.connect() as conn:
                    conn.execution_options(isolation_level="REPEATABLE READ")
                    with conn.begin():
                        for span in _spans(conn, batch_size):
                            copier.copy_runs(out, cur, span, report, source=conn)
                            done()
            else:
                for ids in _batches(src, batch_size):
                    copier.copy_runs(out, cur, ids, report)
                    done()
            newdb.finish(out, deferred)
    except (psycopg.Error, sqlite3.Error, SQLAlchemyError) as exc:
        orig = getattr(exc, "orig", None) or exc
        reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        raise StoreUnavailableError(f"db push to {dst.location} failed ({reason})") from None
    return True


def _driver(conn: Connection) -> Any:
    """The DBAPI connection under an SQLAlchemy one (psycopg's or sqlite3's)."""
    found = conn.connection.driver_connection
    assert found is not None  # an open SQLAlchemy connection always has one
    return found


def _binary_types(conn: Connection, name: str, table: Table) -> list[int]:
    """The type oids of `table`'s columns on the target, as binary COPY writes them: JSON as text
    (its binary form is the document's text, checked by the server)."""
    raw = _driver(conn)
    found = dict(
        raw.execute(
            "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped",
            (name,),
        ).fetchall()
    )
    return [_TEXT_OID if found[c.name] == _JSON_OID else found[c.name] for c in table.columns]


def _sqlite_reader(table: Table) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """A function from a row as SQLite stores it to the values SQLAlchemy reads from it (its
    SQLite types' result processors: times, flags), times as UTC; JSON text unchanged."""
    from sqlalchemy import JSON, DateTime
    from sqlalchemy.dialects import sqlite

    from benchctl.results.sync import as_utc

    dialect = sqlite.dialect()
    steps: list[tuple[int, Callable[[Any], Any]]] = []
    for i, column in enumerate(table.columns):
        if isinstance(column.type, JSON):
            continue
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if isinstance(column.type, DateTime):
            steps.append((i, _then_utc(process, as_utc)))
        elif process is not None:
            steps.append((i, process))
    if not steps:
        return lambda row: row

    def convert(row: Sequence[Any]) -> Sequence[Any]:
        values = list(row)
        for i, process in steps:
            values[i] = process(values[i])
        return values

    return convert


def _then_utc(
    process: Callable[[Any], Any] | None, as_utc: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    if process is None:
        return as_utc
    return lambda value: as_utc(process(value))
