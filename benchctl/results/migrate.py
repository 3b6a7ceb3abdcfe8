"""Schema revisions of the results database, driven through Alembic's Python API.

A new database is created by running every migration (so the migration path is the only path);
an existing one must already be at the head revision, or it refuses to open with the exact
command that upgrades it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from benchctl.errors import SchemaVersionError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head() -> str:
    """The revision this code expects."""
    rev = ScriptDirectory.from_config(_config()).get_current_head()
    assert rev is not None  # a package without migrations is a packaging bug, not user input
    return rev


def known_revisions() -> list[str]:
    return [s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()]


def current(engine: Engine) -> str | None:
    """The database's revision, or None for a database without benchctl tables."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as conn:
        cfg = _config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def check(engine: Engine, url_for_message: str) -> None:
    """Raise SchemaVersionError unless the database is at the head revision."""
    rev = current(engine)
    expected = head()
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
