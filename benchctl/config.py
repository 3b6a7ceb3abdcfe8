"""Where benchctl keeps its files: one `.benchctl/` folder in the user's project.

`BENCHCTL_HOME` moves it; `BENCHCTL_DB` (or `--db`) points the results at another database.
Deleting the folder resets everything (artifacts are rebuilt, results are gone).
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The project's benchctl folder (not created here); a path that exists and is not a folder
    is a ConfigError naming BENCHCTL_HOME (it would otherwise fail deep inside a run)."""
    env = os.environ.get("BENCHCTL_HOME")
    path = Path(env).expanduser().resolve() if env else Path.cwd().resolve() / ".benchctl"
    if path.exists() and not path.is_dir():
        from benchctl.errors import ConfigError

        what = f"BENCHCTL_HOME={env}" if env else str(path)
        raise ConfigError(f"{what} is a file, not a folder; point BENCHCTL_HOME at a folder")
    return path


def artifacts_dir() -> Path:
    return home() / "artifacts"


def runs_dir() -> Path:
    return home() / "runs"


def default_db_url() -> str:
    env = os.environ.get("BENCHCTL_DB")
    if env:
        return db_url(env)
    return "sqlite:///" + str(home() / "results.sqlite")


def db_url(value: str | None) -> str:
    """A database URL from `--db`: a URL as given, or a filesystem path meaning SQLite."""
    if value is None:
        return default_db_url()
    if value.startswith(("postgresql://", "postgres://")):
        # The driver we ship (psycopg 3) is not SQLAlchemy's default for a bare postgresql:// URL.
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    from benchctl.errors import ConfigError

    if value == ":memory:":
        raise ConfigError("--db :memory: would keep nothing after this command; give a file path")
    if "\x00" in value:  # no file system takes it (Path.resolve raises ValueError)
        raise ConfigError(f"database path {value!r} holds a NUL character; give a file path")
    return "sqlite:///" + str(Path(value).expanduser().resolve())
