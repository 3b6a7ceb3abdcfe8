"""The results store: open (and check the schema revision), ingest, query.

Invariants:
- ingest is one transaction: the run row, its artifact row and its samples land together or not
  at all, so a killed process never leaves a partial run;
- ingest is idempotent on run_id: a second ingest of the same run changes nothing;
- summary columns are recomputed from the raw samples here, never copied from a runner;
- rows are never updated after ingest.
"""

from __future__ import annotations

import collections
import functools
import json
import os
import weakref
import zlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    Text,
    and_,
    cast,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import DatabaseError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from benchctl import config
from benchctl.errors import ConfigError, DependencyMissingError, StoreUnavailableError
from benchctl.results import migrate
from benchctl.results.measured import AccuracyRecord
from benchctl.results.record import RunRecord
from benchctl.results.schema import (
    AccuracyResultRow,
    ArtifactRow,
    ProfileOpRow,
    ProfileRow,
    RunRow,
    SampleRow,
)
from benchctl.results.stats import STATISTICS, summarize

if TYPE_CHECKING:  # numpy is imported where samples are computed on, not with the module
    import numpy as np

SAMPLE_ENCODING = "int64le+zlib"


def encode_samples(samples: list[int]) -> bytes:
    import numpy as np

    return zlib.compress(np.asarray(samples, dtype="<i8").tobytes(), 6)


def decode_samples(data: bytes) -> list[int]:
    return decode_array(data).tolist()


def decode_array(data: bytes) -> np.ndarray:
    """The samples as an int64 array (read-only, over the decompressed bytes): for readers of
    many runs, which would spend more time building the list of ints than reading it."""
    import numpy as np

    return np.frombuffer(zlib.decompress(data), dtype="<i8")


def drift_values(samples: Sequence[int]) -> dict[str, float | None]:
    """A run's `sample_drift` and `sample_drift_fraction` columns: the validity gate's drift of
    these samples at its default fraction, computed once here so that readers of many runs
    need not decompress them (`validity.stored_drift`)."""
    from benchctl.results.regress.settings import DetectorSettings
    from benchctl.results.regress.validity import within_run_drift

    fraction = DetectorSettings.drift_fraction
    return {
        "sample_drift": within_run_drift(samples, fraction, 1) if samples else None,
        "sample_drift_fraction": fraction if samples else None,
    }


def profile_values(run_id: str, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a result's `profile` entry (already schema-checked by the host): the
    `profiles` row, then one `profile_ops` row per operator in execution order."""
    operators = doc.get("operators") or []
    rows: list[dict[str, Any]] = [
        dict(
            run_id=run_id,
            profiler=str(doc.get("profiler", "?"))[:200],
            timed=bool(doc.get("timed", any(o.get("time_ns") is not None for o in operators))),
            iterations=doc.get("iterations"),
            wall_median_ns=doc.get("wall_median_ns"),
            operator_count=len(operators),
            note=doc.get("note"),
            error=doc.get("error"),
            partitions=doc.get("partitions"),
        )
    ]
    rows.extend(
        dict(
            run_id=run_id,
            position=i,
            name=str(o["name"]),
            op_type=str(o["op_type"])[:200],
            unit=None if o.get("unit") is None else str(o["unit"])[:64],
            time_ns=o.get("time_ns"),
            calls=o.get("calls"),
            cost=o.get("cost"),
        )
        for i, o in enumerate(operators)
    )
    return rows


def artifact_values(art: dict[str, Any]) -> dict[str, Any]:
    """The `artifacts` row of an artifact document (`Artifact.to_json()`)."""
    created = art.get("created_at")
    return dict(
        sha256=art["sha256"],
        format=art["format"],
        size_bytes=art["size_bytes"],
        model_name=art["model_name"],
        cache_key=art["cache_key"],
        source_hash=art["source_hash"],
        exporter=art["exporter"],
        exporter_version=art["exporter_version"],
        options=art["options"],
        inputs=art["inputs"],
        parity=art.get("parity"),
        created_at=datetime.fromisoformat(created) if created else datetime.now(),
    )


class _RunRows(NamedTuple):
    """Every row one run adds, as column → value dicts (Core inserts, no ORM objects)."""

    run_id: str
    artifact: dict[str, Any] | None
    run: dict[str, Any]
    samples: dict[str, Any] | None
    profile: dict[str, Any] | None
    operators: list[dict[str, Any]]


class _AlreadyStored(Exception):
    """Raised inside an ingest's transaction to roll it back: the run is stored already."""


# Every engine `make_engine` made in this process, for `dispose_engines`.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def dispose_engines() -> None:
    """Close the pooled connections of every engine this process made (checked-in ones; a
    connection still in use is left to its owner). The console script calls this as a command
    ends (`benchctl.cli._collector`), so a SQLite database's last connection closes, and merges
    its `-wal` file, even though the collector will not run at exit."""
    for engine in list(_ENGINES):
        engine.dispose()


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for `url` (kept in `_ENGINES`). SQLite: WAL and foreign keys on every
    connection; `read_only` opens the file immutable (a database on a read-only mount can still
    be listed)."""
    engine = _make_engine(url, read_only=read_only)
    _ENGINES.add(engine)
    return engine


def _make_engine(url: str, *, read_only: bool) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.parent == config.home():
            path.parent.mkdir(parents=True, exist_ok=True)  # the project's own folder only
        if read_only:
            ro = create_engine(
                "sqlite:///file:" + str(path) + "?mode=ro&immutable=1&uri=true",
                connect_args={"timeout": 60},
            )

            @event.listens_for(ro, "connect")
            def _ro_pragmas(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.execute("PRAGMA foreign_keys=ON")

            return ro
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # concurrent readers while one writes
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def check_url(url: str) -> None:
    """A database URL benchctl can use, checked before any connection: a known kind with its
    driver installed, and for SQLite a file (not memory) in a folder that exists."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
        dialect = parsed.get_dialect()
    except NoSuchModuleError:  # before ArgumentError, its base class
        raise ConfigError(
            f"--db {url!r}: unknown database kind {url.split(':', 1)[0]!r}; give an SQLite "
            "path or a postgresql://user@host/db URL"
        ) from None
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(f"--db {url!r} is not a database URL ({exc})") from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        raise DependencyMissingError(
            f"--db {parsed.render_as_string(hide_password=True)} needs the Python driver "
            f"{exc.name or str(exc)!r}, which is not installed; benchctl ships drivers for "
            "SQLite and PostgreSQL (postgresql://…)"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ConfigError(f"--db {url!r} is in memory: it would keep nothing; give a file")
        path = Path(parsed.database)
        folder = path.parent
        if not folder.is_dir() and folder != config.home():
            raise ConfigError(
                f"the folder {folder} does not exist; create it, or give --db another path"
            )
        writable = os.access(path, os.W_OK) if path.exists() else os.access(folder, os.W_OK)
        if folder.is_dir() and not (writable and os.access(folder, os.W_OK)):
            raise ConfigError(
                f"{path} cannot be written here (read-only file system or permissions); give "
                "--db a writable path (reading it works: benchctl results list --db …)"
            )


def display_url(engine: Engine) -> str:
    """The URL as a user may pass it back (`--db`), password hidden."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database.removeprefix("file:")  # a read-only engine's URI form
    return url.render_as_string(hide_password=True)


def sqlite_file(engine: Engine) -> Path | None:
    """The file of an SQLite database (None for a server or an in-memory database)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database.removeprefix("file:"))
    return None


def _reason(exc: BaseException) -> str:
    """The first line of what the database driver said."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0][:300] if text else type(orig).__name__


def check_run_id_prefix(run_id: str) -> None:
    """A run id, or a prefix of one, is hex digits and nothing else (checked before any I/O)."""
    if not run_id or not all(c in "0123456789abcdef" for c in run_id):
        raise ConfigError(f"{run_id!r} is not a run id (hex digits; see: benchctl results list)")


def id_prefix(prefix: str) -> ColumnElement[bool]:
    """`runs.run_id` starts with `prefix` (hex, `check_run_id_prefix`), as a range the primary
    key's index answers (a LIKE reads the whole table on SQLite and PostgreSQL alike: a 10 k-run
    `compare` spent seconds there): every hex string that starts with it sorts in
    [prefix, prefix + "g"), in byte order and in any locale's collation; the LIKE stays, so the
    answer is exact whatever the collation."""
    column = RunRow.run_id
    return and_(column >= prefix, column < prefix + "g", column.startswith(prefix, autoescape=True))


def connect(url: str | None, *, must_exist: bool) -> Engine:
    """An engine for `--db` (default: the project's SQLite file); with `must_exist`, a missing
    SQLite file is an error instead of a new, empty database."""
    resolved = config.db_url(url)
    if must_exist and resolved.startswith("sqlite:///"):
        path = Path(resolved.removeprefix("sqlite:///"))
        if not path.is_file():
            raise ConfigError(
                f"no results database at {path}; run `benchctl run` first, "
                "or point --db / BENCHCTL_DB at one"
            )
        if not os.access(path.parent, os.W_OK) or not os.access(path, os.W_OK):
            return make_engine(resolved, read_only=True)  # a read-only mount: read it as it is
    check_url(resolved)
    return make_engine(resolved)


@contextmanager
def database_errors(engine: Engine) -> Iterator[None]:
    """Turn "this is not a database" (a text file, no server there) into one line for the user."""
    try:
        yield
    except DatabaseError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise ConfigError(
            f"cannot use {display_url(engine)} as a results database ({reason}); check --db"
        ) from None


@functools.lru_cache(maxsize=64)
def _row_type(columns: tuple[str, ...]) -> type[Any]:
    """A named-tuple class with these fields (made at run time: its fields are the columns)."""
    return collections.namedtuple("StoredRun", columns)


class _RowMaker:
    """SQLAlchemy rows → named tuples, decoding the `shared` JSON columns through a memo of
    their texts (bounded: cleared past `limit` distinct documents)."""

    def __init__(self, columns: tuple[str, ...], shared: Collection[str], limit: int = 4096):
        self.make = _row_type(columns)._make
        self.indices = [i for i, name in enumerate(columns) if name in shared]
        self.memo: dict[str, Any] = {}
        self.limit = limit

    def __call__(self, result: Iterable[Any]) -> Iterator[Any]:
        if not self.indices:
            yield from map(self.make, result)
            return
        memo = self.memo
        for row in result:
            values = list(row)
            for i in self.indices:
                text = values[i]
                if text is None:
                    continue
                found = memo.get(text, _MISSING)
                if found is _MISSING:
                    if len(memo) >= self.limit:
                        memo.clear()
                    found = memo[text] = json.loads(text)
                values[i] = found
            yield self.make(values)


_MISSING = object()


def _binary_rows(conn: Connection, query: Any, params: dict[str, Any]) -> list[Any]:
    """`query`'s rows from PostgreSQL in the binary format: psycopg reads text by default, in
    which the server hex-encodes every bytea (twice the bytes, then decoded here), half of a
    report's sample reads. The statement is SQLAlchemy's own, compiled for the connection."""
    compiled = query.compile(dialect=conn.dialect)
    raw = conn.connection.driver_connection
    if raw is None:
        raise StoreUnavailableError("the PostgreSQL connection was closed while reading samples")
    with raw.cursor(binary=True) as cursor:
        cursor.execute(str(compiled), compiled.construct_params(params))
        return cursor.fetchall()


def _table(row_class: type[Any]) -> Table:
    """A mapped class's table, as a `Table` (SQLAlchemy types `__table__` as any FromClause)."""
    table: Table = row_class.metadata.tables[row_class.__tablename__]
    return table


def _insert_new(conn: Connection, table: Table, key: str) -> Any:
    """An INSERT of `table` rows that skips those whose `key` is stored (`ON CONFLICT DO
    NOTHING`, SQLite and PostgreSQL); None for another kind of database."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=[key])
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing(index_elements=[key])
    return None


class ResultStore:
    """A results database at the code's schema revision."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._pinned: Connection | None = None  # the connection `reading` holds
        self._file = sqlite_file(engine)
        # The SQLite file this store opened, by (device, inode): a database deleted or replaced
        # while a run goes on is never written to (its open handle would take the write and lose
        # it with the inode), nor reported as where the run was stored.
        self._identity: tuple[int, int] | None = None
        if self._file is not None and self._file.exists():
            st = self._file.stat()
            self._identity = (st.st_dev, st.st_ino)

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> ResultStore:
        """Open the database at `url` (default: the project's SQLite file).

        `create=True` (commands that write results) makes a missing or empty database; readers
        pass `create=False`, so a mistyped `--db` is an error rather than an empty answer.
        """
        engine = connect(url, must_exist=not create)
        with database_errors(engine):
            if migrate.at_head(engine):
                return cls(engine)
            if migrate.is_empty(engine):
                if not create:
                    raise ConfigError(
                        f"{display_url(engine)} holds no benchctl results; check --db"
                    )
                migrate.upgrade(engine)
            migrate.check(engine, display_url(engine))
        return cls(engine)

    @property
    def location(self) -> str:
        return display_url(self.engine)

    def check_same_file(self) -> None:
        """StoreUnavailableError if the SQLite file this store opened is gone or replaced."""
        from benchctl.results.keep import same_file

        if self._file is not None and not same_file(self._file, self._identity):
            what = "replaced" if self._file.exists() else "deleted"
            raise StoreUnavailableError(f"the database {self._file} was {what} during the run")

    def ingest(self, record: RunRecord) -> bool:
        """Store one run; False (and no change) if its run_id is already stored.

        Any failure to write (the file deleted or replaced since open, the disk full, the database
        locked past its timeout, the server gone) is a StoreUnavailableError with the reason.
        """
        self.check_same_file()
        try:
            stored = self._ingest(record)
        except (SQLAlchemyError, OSError) as exc:
            raise StoreUnavailableError(
                f"{self.location} refused the write ({_reason(exc)})"
            ) from None
        self.check_same_file()  # deleted between the check and the commit: not stored either
        return stored

    @staticmethod
    def _values(record: RunRecord) -> dict[str, Any]:
        columns = RunRow.__table__.columns
        values = {f.name: getattr(record, f.name) for f in fields(record) if f.name in columns}
        values["series_key"] = record.series_key()
        values["artifact_sha256"] = record.artifact["sha256"] if record.artifact else None
        # every declared statistic's column (results.stats.Summary); NULL without samples
        values.update(dict.fromkeys((s.column for s in STATISTICS), None))
        values["sample_count"] = len(record.samples)
        values.update(drift_values(record.samples))
        if record.samples:
            summary = summarize(record.samples).to_dict()
            values.update({s.column: summary[s.name] for s in STATISTICS})
        return values

    @classmethod
    def _rows(cls, record: RunRecord) -> _RunRows:
        profile: list[dict[str, Any]] = []
        if record.profile is not None:
            profile = profile_values(record.run_id, record.profile)
        return _RunRows(
            run_id=record.run_id,
            artifact=artifact_values(record.artifact) if record.artifact is not None else None,
            run=cls._values(record),
            samples=dict(
                run_id=record.run_id,
                count=len(record.samples),
                encoding=SAMPLE_ENCODING,
                data=encode_samples(record.samples),
            )
            if record.samples
            else None,
            profile=profile[0] if profile else None,
            operators=profile[1:],
        )

    def _write(self, conn: Connection, batch: Sequence[_RunRows], *, one: bool = False) -> None:
        """Insert the rows of `batch` (runs not stored, as far as the caller knows), each table
        with one statement: artifacts unless stored, then runs, samples, profiles, operators.
        `one`: a single run, whose run row is inserted unless stored (`_AlreadyStored` then)."""
        arts = {r.artifact["sha256"]: r.artifact for r in batch if r.artifact is not None}
        if arts:
            new = _insert_new(conn, _table(ArtifactRow), "sha256")
            if new is not None:
                conn.execute(new, list(arts.values()))
            else:  # another database kind: look first
                table = _table(ArtifactRow)
                have = set(conn.scalars(select(table.c.sha256).where(table.c.sha256.in_(arts))))
                if len(have) < len(arts):
                    conn.execute(table.insert(), [a for k, a in arts.items() if k not in have])
        runs = _table(RunRow)
        if one:
            new = _insert_new(conn, runs, "run_id")
            if new is None:
                if conn.scalar(select(runs.c.run_id).where(runs.c.run_id == batch[0].run_id)):
                    raise _AlreadyStored
                new = runs.insert()
            # (rowcount of an INSERT is kept only on request, `preserve_rowcount`)
            done = conn.execute(new.execution_options(preserve_rowcount=True), batch[0].run)
            if done.rowcount == 0:
                raise _AlreadyStored
        else:
            conn.execute(runs.insert(), [r.run for r in batch])
        for table, rows in (
            (_table(SampleRow), [r.samples for r in batch if r.samples is not None]),
            (_table(ProfileRow), [r.profile for r in batch if r.profile is not None]),
            (_table(ProfileOpRow), [op for r in batch for op in r.operators]),
        ):
            if rows:
                conn.execute(table.insert(), rows)

    def _is_stored(self, run_id: str) -> bool:
        runs = _table(RunRow)
        with self.engine.connect() as conn:
            return conn.scalar(select(runs.c.run_id).where(runs.c.run_id == run_id)) is not None

    def _ingest(self, record: RunRecord) -> bool:
        rows = self._rows(record)
        for attempt in (1, 2):
            try:
                with self.engine.begin() as conn:
                    self._write(conn, [rows], one=True)
                return True
            except _AlreadyStored:
                return False  # and the transaction rolled back: nothing changed
            except IntegrityError:
                # A concurrent writer stored the same run's samples first: the idempotent
                # outcome. Or another constraint failed: once more, then the error.
                if self._is_stored(record.run_id):
                    return False
                if attempt == 2:
                    raise
        raise AssertionError("unreachable: the second attempt returns or raises")

    def ingest_many(self, records: Iterable[RunRecord], batch: int = 200) -> int:
        """Store many runs, `batch` per transaction (a lab's night, a backfill, an import);
        returns how many were new. Each run still lands whole or not at all and a stored run id
        is skipped, as `ingest`; one commit and one statement per table per batch instead of
        per run. A batch that meets a concurrent writer's rows is redone run by run
        (`ingest`'s idempotent path)."""
        stored = 0
        pending: list[RunRecord] = []
        runs = _table(RunRow)

        def flush() -> int:
            ids = [r.run_id for r in pending]
            try:
                with self.engine.begin() as conn:
                    # one query for the whole batch instead of a lookup per run
                    taken = set(conn.scalars(select(runs.c.run_id).where(runs.c.run_id.in_(ids))))
                    new: dict[str, RunRecord] = {}
                    for r in pending:
                        if r.run_id not in taken:
                            new.setdefault(r.run_id, r)
                    if new:
                        self._write(conn, [self._rows(r) for r in new.values()])
                    n = len(new)
            except IntegrityError:
                n = sum(self.ingest(r) for r in pending)
            pending.clear()
            return n

        for record in records:
            pending.append(record)
            if len(pending) >= batch:
                stored += flush()
        if pending:
            stored += flush()
        return stored

    @staticmethod
    def _ensure_artifact(session: Session, art: dict[str, Any]) -> None:
        if session.get(ArtifactRow, art["sha256"]) is not None:
            return
        session.add(ArtifactRow(**artifact_values(art)))
        session.flush()

    def runs(
        self,
        *,
        model: str | None = None,
        device: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[RunRow]:
        """Runs, newest first."""
        query = select(RunRow).order_by(RunRow.created_at.desc(), RunRow.run_id)
        if model:
            query = query.where(RunRow.model_name == model)
        if device:
            query = query.where(RunRow.device_name == device)
        if status:
            query = query.where(RunRow.status == status)
        if limit:
            query = query.limit(limit)
        with self._session() as session:
            return list(session.scalars(query))

    def rows(
        self,
        columns: Sequence[str],
        *,
        model: str | None = None,
        device: str | None = None,
        status: str | None = None,
        run_ids: Sequence[str] | None = None,
        oldest_first: bool = False,
        shared: Collection[str] = (),
        limit: int | None = None,
        batch: int = 1000,
        series_key: str | None = None,
    ) -> Iterator[Any]:
        """Runs as rows of only these `columns`, newest first (or oldest first) as `runs` orders
        them, streamed `batch` rows at a time: for readers of every run, which need neither the
        documents (spec, result) nor ORM objects.

        Each row is a named tuple: attribute access like a `RunRow`'s at the cost of a tuple's
        (an SQLAlchemy `Row`'s attribute access was a third of an export's time). `shared` names
        JSON columns in which many runs hold the same document (host, versions, input shape):
        they are read as text and decoded once per distinct text, so rows with equal documents
        share one object, which readers must not change. `limit` (without `run_ids`): the first
        `limit` rows only (None or 0: every row)."""
        table = RunRow.__table__
        wanted = set(shared)
        query = select(
            *(
                cast(table.c[name], Text).label(name) if name in wanted else table.c[name]
                for name in columns
            )
        )
        if oldest_first:
            query = query.order_by(table.c.created_at.asc(), table.c.run_id.desc())
        else:
            query = query.order_by(table.c.created_at.desc(), table.c.run_id)
        for name, value in (
            ("model_name", model),
            ("device_name", device),
            ("status", status),
            ("series_key", series_key),
        ):
            if value:
                query = query.where(table.c[name] == value)
        convert = _RowMaker(tuple(columns), wanted)
        if run_ids is not None:
            for start in range(0, len(run_ids), batch):
                chunk = run_ids[start : start + batch]
                with self.engine.connect() as conn:
                    yield from convert(conn.execute(query.where(table.c.run_id.in_(chunk))))
            return
        if limit:
            query = query.limit(limit)
        with self._connect() as conn:
            if limit and limit <= batch:  # one fetch: PostgreSQL needs no server-side cursor
                yield from convert(conn.execute(query).all())
                return
            yield from convert(conn.execution_options(yield_per=batch).execute(query))

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Reads inside share one connection (`rows`, `series_heads`, `samples_of`): a reader
        of many series makes two queries per series, and on PostgreSQL each checkout costs a
        ping and a transaction's round trips."""
        if self._pinned is not None:
            yield
            return
        with self.engine.connect() as conn:
            self._pinned = conn
            try:
                yield
            finally:
                self._pinned = None

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        if self._pinned is not None:
            yield self._pinned
            return
        with self.engine.connect() as conn:
            yield conn

    def series_heads(
        self, *, model: str | None = None, device: str | None = None
    ) -> list[tuple[str, datetime]]:
        """(series key, time of its newest run) of every series, read from the series index
        alone (`ix_runs_series_created`): what a reader of whole histories needs before it
        reads each series' runs."""
        table = RunRow.__table__
        query = select(table.c.series_key, func.max(table.c.created_at)).group_by(
            table.c.series_key
        )
        for name, value in (("model_name", model), ("device_name", device)):
            if value:
                query = query.where(table.c[name] == value)
        with self._connect() as conn:
            return [(key, newest) for key, newest in conn.execute(query)]

    def samples_of(
        self, run_ids: Iterable[str], batch: int = 500
    ) -> Iterator[tuple[str, np.ndarray]]:
        """(run id, samples as an int64 array) for each of `run_ids` that has samples, `batch`
        runs per query, so a reader of many runs holds only one batch of samples at a time."""
        table = SampleRow.__table__
        ids = list(run_ids)
        columns = select(table.c.run_id, table.c.encoding, table.c.data)
        on_postgresql = self.engine.dialect.name == "postgresql"
        if on_postgresql:
            from sqlalchemy import String, any_, bindparam
            from sqlalchemy.dialects.postgresql import ARRAY

            # one statement text whatever the batch's length, so the server plans (and psycopg
            # prepares) it once, not once per distinct IN list
            by_array = columns.where(table.c.run_id == any_(bindparam("ids", type_=ARRAY(String))))
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            with self._connect() as conn:
                if on_postgresql:
                    fetched = _binary_rows(conn, by_array, {"ids": chunk})
                else:
                    fetched = list(conn.execute(columns.where(table.c.run_id.in_(chunk))).all())
            for run_id, encoding, data in fetched:
                if encoding != SAMPLE_ENCODING:
                    raise ConfigError(f"run {run_id} has samples in unknown encoding {encoding!r}")
                yield run_id, decode_array(data)

    def run(self, run_id: str) -> RunRow:
        """One run by its id or a unique prefix of it."""
        check_run_id_prefix(run_id)
        with self._session() as session:
            rows = list(session.scalars(select(RunRow).where(id_prefix(run_id)).limit(2)))
        if not rows:
            raise ConfigError(f"no run {run_id!r} in {self.location}; see: benchctl results list")
        if len(rows) > 1:
            raise ConfigError(f"run id prefix {run_id!r} is ambiguous; give more characters")
        return rows[0]

    def ingest_accuracy(self, record: AccuracyRecord) -> bool:
        """Store one measured accuracy (with its artifact row); False if its key is stored."""
        columns = AccuracyResultRow.__table__.columns
        values = {f.name: getattr(record, f.name) for f in fields(record) if f.name in columns}
        values["key"] = record.key()
        values["artifact_sha256"] = record.artifact_sha256
        for attempt in (1, 2):
            try:
                with self._session.begin() as session:
                    if session.get(AccuracyResultRow, values["key"]) is not None:
                        return False
                    if record.artifact is not None:
                        self._ensure_artifact(session, record.artifact)
                    session.add(AccuracyResultRow(**values))
                return True
            except IntegrityError:
                with self._session() as session:  # a concurrent writer stored it first
                    if session.get(AccuracyResultRow, values["key"]) is not None:
                        return False
                if attempt == 2:
                    raise
        raise AssertionError("unreachable: the second attempt returns or raises")

    def accuracies(
        self, *, model: str | None = None, artifact_sha256: str | None = None
    ) -> list[AccuracyResultRow]:
        """Measured accuracies, newest first."""
        query = select(AccuracyResultRow).order_by(
            AccuracyResultRow.created_at.desc(), AccuracyResultRow.key
        )
        if model:
            query = query.where(AccuracyResultRow.model_name == model)
        if artifact_sha256:
            query = query.where(AccuracyResultRow.artifact_sha256 == artifact_sha256)
        with self._session() as session:
            return list(session.scalars(query))

    def artifact(self, sha256: str) -> ArtifactRow | None:
        with self._session() as session:
            return session.get(ArtifactRow, sha256)

    def artifact_parity(self, sha256: str) -> dict[str, Any] | None:
        """An artifact's recorded parity (None: none recorded, or no such artifact), by a Core
        query: the exports look up each distinct artifact of every run, and an ORM session's
        first query costs ~40 ms of set-up that nothing else in them needs."""
        table = _table(ArtifactRow)
        with self._connect() as conn:
            parity: dict[str, Any] | None = conn.scalar(
                select(table.c.parity).where(table.c.sha256 == sha256)
            )
        return parity

    def profile(self, run_id: str) -> tuple[Any, list[Any]] | None:
        """A run's profiled pass (its `profiles` row) and its operators (`profile_ops` rows) in
        execution order, as rows with the columns as attributes; None if not profiled. Core
        queries, no ORM session: the nightly report reads these beside each regression."""
        meta_t, ops_t = _table(ProfileRow), _table(ProfileOpRow)
        with self._connect() as conn:
            meta = conn.execute(select(meta_t).where(meta_t.c.run_id == run_id)).first()
            if meta is None:
                return None
            ops = conn.execute(
                select(ops_t).where(ops_t.c.run_id == run_id).order_by(ops_t.c.position)
            ).all()
        return meta, list(ops)

    def samples(self, run_id: str) -> list[int]:
        with self._session() as session:
            row = session.get(SampleRow, run_id)
        if row is None:
            return []
        if row.encoding != SAMPLE_ENCODING:
            raise ConfigError(f"run {run_id} has samples in unknown encoding {row.encoding!r}")
        return decode_samples(row.data)
