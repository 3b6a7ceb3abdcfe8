"""Schema revisions of the results database, driven through Alembic's Python API.

A new database is created by running every migration (so the migration path is the only path);
an existing one must already be at the head revision, or it refuses to open with the exact
command that upgrades it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from benchctl.errors import SchemaVersionError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
Progress = Callable[[str, int], None]  # called once per step: (what is done, steps in all)

# The newest revision in migrations/versions/, which every database must be at to open. Written
# here so that opening a database imports no Alembic (half a second of every command's start);
# tests/results/test_scale_paths.py fails when it is not Alembic's own head: a new revision
# changes this line too.
HEAD = "0006"


def _config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head() -> str:
    """The revision this code expects."""
    return HEAD


def script_head() -> str:
    """The head of the migration scripts, as Alembic reads them (tests compare it with HEAD)."""
    from alembic.script import ScriptDirectory

    rev = ScriptDirectory.from_config(_config()).get_current_head()
    assert rev is not None  # a package without migrations is a packaging bug, not user input
    return rev


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    return [s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()]


def current(engine: Engine) -> str | None:
    """The database's revision, or None for a database without benchctl tables."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revisions(engine: Engine) -> list[str] | None:
    """The rows of Alembic's version table, read with one query (None: no such table)."""
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("select version_num from alembic_version"))]
    except DBAPIError:
        return None


def upgrade(engine: Engine, revision: str = "head", progress: Progress | None = None) -> None:
    """Run the migrations up to `revision` in one transaction; a revision that rewrites every
    run (0005 computes each run's drift) calls `progress(text, total)` once per batch."""
    with engine.begin() as conn:
        upgrade_in(conn, revision, progress)


def upgrade_in(conn: Connection, revision: str = "head", progress: Progress | None = None) -> None:
    """`upgrade` inside the caller's transaction on `conn` (`results.newdb`)."""
    from alembic import command

    cfg = _config(conn.engine)
    cfg.attributes["connection"] = conn
    cfg.attributes["progress"] = progress
    command.upgrade(cfg, revision)


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def at_head(engine: Engine) -> bool:
    """Whether the database is at the head revision, by one query and no reflection (the
    everyday case of every command: `inspect` cost a tenth of a second on PostgreSQL)."""
    return _stored_revisions(engine) == [head()]


def check(engine: Engine, url_for_message: str) -> None:
    """Raise SchemaVersionError unless the database is at the head revision."""
    expected = head()
    if at_head(engine):
        return  # the everyday case, without importing Alembic
    rev = current(engine)
    if rev == expected:
        return
    if rev is None:
        raise SchemaVersionError(
            f"{url_for_message} has tables but no benchctl schema revision; "
            "it is not a benchctl results database (use another --db)"
        )
    if rev not in known_revisions():
        raise SchemaVersionError(
            f"results database is at revision {rev}, newer than this benchctl knows ({expected}); "
            "upgrade benchctl: pip install -U benchctl"
        )
    raise SchemaVersionError(
        f"results database is at revision {rev}, this benchctl expects {expected}; "
        f"run: benchctl db upgrade --db {url_for_message}"
    )
