"""Measured accuracy: one row per artifact × dataset × preprocessing × runtime (benchctl eval).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accuracy",
        sa.Column("key", sa.String(length=71), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model_name", sa.String(length=200), nullable=False),
        sa.Column("model_source_hash", sa.String(length=71), nullable=True),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("artifact_format", sa.String(length=32), nullable=False),
        sa.Column("precision", sa.String(length=16), nullable=False),
        sa.Column("artifact_sha256", sa.String(length=71), nullable=True),
        sa.Column("module_sha256", sa.String(length=71), nullable=True),
        sa.Column("weights_sha256", sa.String(length=71), nullable=True),
        sa.Column("runtime", sa.String(length=64), nullable=False),
        sa.Column("runtime_version", sa.String(length=64), nullable=True),
        sa.Column("dataset_name", sa.String(length=200), nullable=False),
        sa.Column("dataset_path", sa.Text(), nullable=False),
        sa.Column("dataset_layout", sa.String(length=16), nullable=False),
        sa.Column("dataset_sha256", sa.String(length=71), nullable=False),
        sa.Column("dataset_size", sa.Integer(), nullable=False),
        sa.Column("sample_limit", sa.Integer(), nullable=True),
        sa.Column("num_samples", sa.Integer(), nullable=False),
        sa.Column("preprocessing", sa.JSON(), nullable=False),
        sa.Column("preprocessing_sha256", sa.String(length=71), nullable=False),
        sa.Column("top1", sa.Float(), nullable=False),
        sa.Column("top5", sa.Float(), nullable=True),
        sa.Column("correct1", sa.Integer(), nullable=False),
        sa.Column("correct5", sa.Integer(), nullable=True),
        sa.Column("reference_top1", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("harness_version", sa.String(length=32), nullable=False),
        sa.Column("harness_git_sha", sa.String(length=40), nullable=True),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["artifact_sha256"], ["artifacts.sha256"]),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_accuracy_artifact_sha256"), "accuracy", ["artifact_sha256"])
    op.create_index(op.f("ix_accuracy_created_at"), "accuracy", ["created_at"])
    op.create_index(op.f("ix_accuracy_dataset_sha256"), "accuracy", ["dataset_sha256"])
    op.create_index(op.f("ix_accuracy_model_name"), "accuracy", ["model_name"])


def downgrade() -> None:
    op.drop_index(op.f("ix_accuracy_model_name"), table_name="accuracy")
    op.drop_index(op.f("ix_accuracy_dataset_sha256"), table_name="accuracy")
    op.drop_index(op.f("ix_accuracy_created_at"), table_name="accuracy")
    op.drop_index(op.f("ix_accuracy_artifact_sha256"), table_name="accuracy")
    op.drop_table("accuracy")
