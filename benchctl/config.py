"""Where benchctl keeps its files: one `.benchctl/` folder in the user's project.

`BENCHCTL_HOME` moves it; `BENCHCTL_DB` (or `--db`) points the results at another database.
Deleting the folder resets everything (artifacts are rebuilt, results are gone).
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The project's benchctl folder (not created here)."""
    env = os.environ.get("BENCHCTL_HOME")
    return Path(env).expanduser().resolve() if env else Path.cwd().resolve() / ".benchctl"


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
    return "sqlite:///" + str(Path(value).expanduser().resolve())
