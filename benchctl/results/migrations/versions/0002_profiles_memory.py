"""Per-operator profiles (profiles, profile_ops) and the runner's memory on runs.

Every existing row is kept: the new run columns are nullable (old runs measured no memory), and
the new tables start empty.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MEMORY_COLUMNS = ("rss_after_load_bytes", "peak_rss_bytes", "device_peak_bytes")


def upgrade() -> None:
    for name in MEMORY_COLUMNS:
        op.add_column("runs", sa.Column(name, sa.BigInteger(), nullable=True))
    op.create_table(
        "profiles",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("profiler", sa.String(length=200), nullable=False),
        sa.Column("timed", sa.Boolean(), nullable=False),
        sa.Column("iterations", sa.Integer(), nullable=True),
        sa.Column("wall_median_ns", sa.BigInteger(), nullable=True),
        sa.Column("operator_count", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("partitions", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_table(
        "profile_ops",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("op_type", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("time_ns", sa.BigInteger(), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["profiles.run_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "position"),
    )
    op.create_index(op.f("ix_profile_ops_op_type"), "profile_ops", ["op_type"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_profile_ops_op_type"), table_name="profile_ops")
    op.drop_table("profile_ops")
    op.drop_table("profiles")
    with op.batch_alter_table("runs") as batch:
        for name in MEMORY_COLUMNS:
            batch.drop_column(name)
