"""Indexes for reading a year of history: (series_key, created_at, run_id) covers the nightly
report's first read of every run; (created_at, run_id) serves newest-first listings and exports
without sorting the table.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_runs_series_created", "runs", ["series_key", "created_at", "run_id"], unique=False
    )
    op.create_index("ix_runs_created_run", "runs", ["created_at", "run_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_runs_created_run", table_name="runs")
    op.drop_index("ix_runs_series_created", table_name="runs")
