"""Alembic environment for the results database (shipped inside the package, Optuna-style).

Called programmatically by `benchctl.results.migrate`, which hands over an open connection.
"""

from __future__ import annotations

from alembic import context

from benchctl.results.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through benchctl (benchctl db upgrade), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch mode for ALTERs
)
with context.begin_transaction():
    context.run_migrations()
