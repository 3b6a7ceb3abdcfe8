"""`db push` from one SQLite file into another, inside SQLite: the source is attached (read-only)
to a connection on the target and each batch is a handful of `INSERT … SELECT` statements, so no
row passes through Python (a 9.4 k-run push spent most of its 4 s turning rows into Python values
and back).

The rows land exactly as stored in the source (SQLite values copied as they are: the same JSON
text, the same time strings, the same sample bytes), which is what the row-by-row path
(`sync._copy_batch`) also writes. Each batch is one write transaction on the target, taken
before the target is read (`BEGIN IMMEDIATE`), so no other writer can store one of the batch's
runs between the check and the copy: a run lands with its samples and profile, or not at all.
Into a new file, the whole push is one such transaction (`load_into_empty`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from sqlalchemy import Table

    from benchctl.results.sync import PushReport


def _uri(path: Path, mode: str) -> str:
    return "file:" + quote(str(path.resolve())) + "?mode=" + mode


def connect(target: Path, source: Path) -> sqlite3.Connection:
    """A connection on `target` (foreign keys checked, as the store's own) with `source`
    attached read-only as `src`; transactions are begun and ended explicitly."""
    conn = sqlite3.connect(_uri(target, "rw"), uri=True, timeout=60, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA main.journal_mode=WAL")
    # Each commit still lands whole; NORMAL only skips the fsync of the log at every batch's
    # commit (a power cut may lose the last batches, which the next push copies again).
    conn.execute("PRAGMA synchronous=NORMAL")
    # The log is copied into the file every 64 MiB instead of every 4 (each copy syncs the file:
    # half a 10 k-run push's time); what is left is copied when the push ends (`finish`).
    conn.execute("PRAGMA wal_autocheckpoint=16384")
    # A batch's index pages stay in memory until its commit instead of being spilled to the log
    # and read back (the default cache is 2 MiB; a 5000-run batch touches ~40 MiB at 100 k runs).
    conn.execute("PRAGMA main.cache_size=-65536")
    conn.execute("ATTACH DATABASE ? AS src", (_uri(source, "ro"),))
    conn.execute("CREATE TEMP TABLE push_batch (run_id TEXT PRIMARY KEY)")
    return conn


def _columns(table: Table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.columns)


def push_runs(
    conn: sqlite3.Connection,
    tables: dict[str, Table],
    batch_size: int,
    report: PushReport,
    on_batch: Callable[[PushReport], None] | None,
) -> None:
    """Copy, `batch_size` source runs per transaction (in run-id order), every run the target
    lacks, with its artifact, samples, profile and profile operators."""
    cols = {name: _columns(table) for name, table in tables.items()}
    last = ""
    while True:
        conn.execute("BEGIN IMMEDIATE")  # the target's write lock before it is read
        try:
            found = _next_batch(conn, last, batch_size)
            if found is None:
                conn.execute("ROLLBACK")
                return
            last, total = found
            # the batch's runs the target already has are skipped
            have = conn.execute(
                f"DELETE FROM temp.push_batch WHERE run_id IN (SELECT run_id FROM main.runs "
                f"WHERE run_id IN {_IN_BATCH})"
            ).rowcount
            report.runs_skipped += have
            if have < total:
                _copy_batch(conn, cols, report)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        report.batches += 1
        if on_batch is not None:
            on_batch(report)


def load_into_empty(
    conn: sqlite3.Connection,
    tables: dict[str, Table],
    batch_size: int,
    report: PushReport,
    on_batch: Callable[[PushReport], None] | None,
) -> bool:
    """Into a new target (its tables just made by this push, no results in them): every source
    run in one transaction, without the per-batch check for runs already there, with the
    target's secondary indexes dropped first and made again from their own `CREATE INDEX` text
    once the rows are in (one sort each instead of a search per row), and written through a
    rollback journal, not the log (new pages go to the file once, not to the log and then the
    file: 10 k runs 0.95 → 0.7 s). False, with nothing done, where the target holds results
    (another push stored some first; the batched push applies).

    Interrupted, the transaction rolls back whole: the target is left with its empty tables and
    all its indexes, and the next push copies everything in batches.
    """
    if _holds_results(conn):
        return False
    cols = {name: _columns(table) for name, table in tables.items()}
    journal = _journal_mode(conn, "DELETE")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if _holds_results(conn):  # stored by another writer meanwhile
                conn.execute("ROLLBACK")
                return False
            indexes = conn.execute(
                "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "ORDER BY name"
            ).fetchall()
            for name, _ in indexes:
                conn.execute(f'DROP INDEX main."{name}"')
            last = ""
            while (found := _next_batch(conn, last, batch_size)) is not None:
                last, _ = found
                _copy_batch(conn, cols, report)
                report.batches += 1
                if on_batch is not None:
                    on_batch(report)
            for _, sql in indexes:
                conn.execute(sql)  # on main's table: the source is attached read-only
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        if journal != "wal":
            _journal_mode(conn, "WAL")
    return True


_IN_BATCH = "(SELECT run_id FROM temp.push_batch)"


def _holds_results(conn: sqlite3.Connection) -> bool:
    """Whether the target holds any run, artifact or measured accuracy."""
    return bool(
        conn.execute(
            "SELECT EXISTS (SELECT 1 FROM main.runs) OR EXISTS (SELECT 1 FROM main.artifacts) "
            "OR EXISTS (SELECT 1 FROM main.accuracy)"
        ).fetchone()[0]
    )


def _journal_mode(conn: sqlite3.Connection, mode: str) -> str:
    """Set the target's journal mode; the one it is in after (leaving WAL needs the file to
    itself: while another connection has it open, it stays WAL and the rows go through the log)."""
    try:
        return str(conn.execute(f"PRAGMA main.journal_mode={mode}").fetchone()[0]).lower()
    except sqlite3.OperationalError:  # "database is locked": another connection has it open
        return "wal"


def _copy_batch(conn: sqlite3.Connection, cols: dict[str, str], report: PushReport) -> None:
    """Copy the runs in `temp.push_batch` (none of them in the target) with their artifacts
    (those the target lacks), samples, profiles and profile operators."""
    report.artifacts_copied += conn.execute(
        f"INSERT INTO main.artifacts ({cols['artifacts']}) "
        f"SELECT {cols['artifacts']} FROM src.artifacts WHERE sha256 IN "
        f"(SELECT artifact_sha256 FROM src.runs WHERE run_id IN {_IN_BATCH}) "
        "AND sha256 NOT IN (SELECT sha256 FROM main.artifacts) ORDER BY sha256"
    ).rowcount
    report.runs_copied += _copy(conn, "runs", cols, _IN_BATCH)
    report.samples_copied += _copy(conn, "samples", cols, _IN_BATCH)
    _copy(conn, "profiles", cols, _IN_BATCH)
    _copy(conn, "profile_ops", cols, _IN_BATCH, order="run_id, position")


def _next_batch(conn: sqlite3.Connection, last: str, batch_size: int) -> tuple[str, int] | None:
    """The source's next `batch_size` run ids after `last`, into `temp.push_batch`; the last of
    them and how many (None: no more runs)."""
    conn.execute("DELETE FROM temp.push_batch")
    total = conn.execute(
        "INSERT INTO temp.push_batch SELECT run_id FROM src.runs WHERE run_id > ? "
        "ORDER BY run_id LIMIT ?",
        (last, batch_size),
    ).rowcount
    if not total:
        return None
    (newest,) = conn.execute("SELECT max(run_id) FROM temp.push_batch").fetchone()
    return newest, total


def _copy(
    conn: sqlite3.Connection,
    table: str,
    cols: dict[str, str],
    in_batch: str,
    order: str = "run_id",
) -> int:
    """Copy `table`'s rows of the batch's (new) runs; how many."""
    return conn.execute(
        f"INSERT INTO main.{table} ({cols[table]}) SELECT {cols[table]} FROM src.{table} "
        f"WHERE run_id IN {in_batch} ORDER BY {order}"
    ).rowcount


def finish(conn: sqlite3.Connection) -> None:
    """Copy the log into the database file and empty it, so the next reader of the target does
    not start by reading tens of megabytes of log."""
    conn.execute("PRAGMA main.wal_checkpoint(TRUNCATE)")  # the source is attached read-only
