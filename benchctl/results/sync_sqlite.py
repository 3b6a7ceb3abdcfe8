"""`db push` from one SQLite file into another, inside SQLite: the source is attached (read-only)
to a connection on the target and each batch is a handful of `INSERT … SELECT` statements, so no
row passes through Python (a 9.4 k-run push spent most of its 4 s turning rows into Python values
and back).

The rows land exactly as stored in the source (SQLite values copied as they are: the same JSON
text, the same time strings, the same sample bytes), which is what the row-by-row path
(`sync._copy_batch`) also writes. Each batch is one write transaction on the target, taken
before the target is read (`BEGIN IMMEDIATE`), so no other writer can store one of the batch's
runs between the check and the copy: a run lands with its samples and profile, or not at all.
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
    in_batch = "(SELECT run_id FROM temp.push_batch)"
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
                f"WHERE run_id IN {in_batch})"
            ).rowcount
            report.runs_skipped += have
            if have < total:
                report.artifacts_copied += conn.execute(
                    f"INSERT INTO main.artifacts ({cols['artifacts']}) "
                    f"SELECT {cols['artifacts']} FROM src.artifacts WHERE sha256 IN "
                    f"(SELECT artifact_sha256 FROM src.runs WHERE run_id IN {in_batch}) "
                    "AND sha256 NOT IN (SELECT sha256 FROM main.artifacts) ORDER BY sha256"
                ).rowcount
                copied = _copy(conn, "runs", cols, in_batch)
                report.runs_copied += copied
                report.samples_copied += _copy(conn, "samples", cols, in_batch)
                _copy(conn, "profiles", cols, in_batch)
                _copy(conn, "profile_ops", cols, in_batch, order="run_id, position")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        report.batches += 1
        if on_batch is not None:
            on_batch(report)


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
