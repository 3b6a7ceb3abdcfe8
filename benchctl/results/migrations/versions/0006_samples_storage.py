"""Samples stored without PostgreSQL's compression attempt: `samples.data` is zlib-compressed by
benchctl already, so the server's pglz pass over every blob (EXTENDED storage, the default for
bytea) only fails and wastes the time (a seventh of the server's CPU time loading 10 k runs into
a new database: 0.75 s with it, 0.65 s without); with EXTERNAL storage a blob over the TOAST
threshold is moved out of line as it is, as before.

Nothing else changes and every row is kept: the storage mode applies to rows written from now on
(rows already compressed or not read back the same either way). SQLite has no such setting.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE samples ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE samples ALTER COLUMN data SET STORAGE EXTENDED")
