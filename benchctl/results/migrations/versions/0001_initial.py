"""Initial schema: artifacts, runs (with the recomputed summary) and raw samples.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "artifacts",
        sa.Column("sha256", sa.String(length=71), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("model_name", sa.String(length=200), nullable=False),
        sa.Column("cache_key", sa.String(length=64), nullable=False),
        sa.Column("source_hash", sa.String(length=71), nullable=False),
        sa.Column("exporter", sa.String(length=100), nullable=False),
        sa.Column("exporter_version", sa.String(length=200), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("parity", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_index(op.f("ix_artifacts_model_name"), "artifacts", ["model_name"], unique=False)
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("model_name", sa.String(length=200), nullable=False),
        sa.Column("model_source_hash", sa.String(length=71), nullable=True),
        sa.Column("artifact_sha256", sa.String(length=71), nullable=True),
        sa.Column("artifact_format", sa.String(length=32), nullable=False),
        sa.Column("precision", sa.String(length=16), nullable=False),
        sa.Column("runtime", sa.String(length=64), nullable=False),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("accelerator_requested", sa.String(length=32), nullable=False),
        sa.Column("accelerator_actual", sa.String(length=32), nullable=True),
        sa.Column("device_name", sa.String(length=100), nullable=False),
        sa.Column("device_class", sa.JSON(), nullable=False),
        sa.Column("input_shape", sa.JSON(), nullable=False),
        sa.Column("threads", sa.Integer(), nullable=True),
        sa.Column("iterations_requested", sa.Integer(), nullable=False),
        sa.Column("warmup_iters", sa.Integer(), nullable=False),
        sa.Column("series_key", sa.String(length=71), nullable=False),
        sa.Column("protocol_version", sa.Integer(), nullable=False),
        sa.Column("harness_version", sa.String(length=32), nullable=False),
        sa.Column("harness_git_sha", sa.String(length=40), nullable=True),
        sa.Column("runtime_version", sa.String(length=64), nullable=True),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("host", sa.JSON(), nullable=False),
        sa.Column("device_facts", sa.JSON(), nullable=True),
        sa.Column("environment", sa.JSON(), nullable=True),
        sa.Column("load_ns", sa.BigInteger(), nullable=True),
        sa.Column("first_inference_ns", sa.BigInteger(), nullable=True),
        sa.Column("warmup_total_ns", sa.BigInteger(), nullable=True),
        sa.Column("clock", sa.String(length=64), nullable=True),
        sa.Column("clock_resolution_ns", sa.BigInteger(), nullable=True),
        sa.Column("loop_overhead_ns", sa.BigInteger(), nullable=True),
        sa.Column("sample_count", sa.Integer(), nullable=True),
        sa.Column("min_ns", sa.Float(), nullable=True),
        sa.Column("median_ns", sa.Float(), nullable=True),
        sa.Column("mean_ns", sa.Float(), nullable=True),
        sa.Column("p90_ns", sa.Float(), nullable=True),
        sa.Column("p99_ns", sa.Float(), nullable=True),
        sa.Column("max_ns", sa.Float(), nullable=True),
        sa.Column("std_ns", sa.Float(), nullable=True),
        sa.Column("mad_ns", sa.Float(), nullable=True),
        sa.Column("iqr_ns", sa.Float(), nullable=True),
        sa.Column("cv", sa.Float(), nullable=True),
        sa.Column("ci95_low_ns", sa.Float(), nullable=True),
        sa.Column("ci95_high_ns", sa.Float(), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["artifact_sha256"],
            ["artifacts.sha256"],
        ),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_index(op.f("ix_runs_created_at"), "runs", ["created_at"], unique=False)
    op.create_index(op.f("ix_runs_device_name"), "runs", ["device_name"], unique=False)
    op.create_index(op.f("ix_runs_model_name"), "runs", ["model_name"], unique=False)
    op.create_index(op.f("ix_runs_series_key"), "runs", ["series_key"], unique=False)
    op.create_index(op.f("ix_runs_status"), "runs", ["status"], unique=False)
    op.create_table(
        "samples",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id"),
    )


def downgrade() -> None:
    op.drop_table("samples")
    op.drop_index(op.f("ix_runs_status"), table_name="runs")
    op.drop_index(op.f("ix_runs_series_key"), table_name="runs")
    op.drop_index(op.f("ix_runs_model_name"), table_name="runs")
    op.drop_index(op.f("ix_runs_device_name"), table_name="runs")
    op.drop_index(op.f("ix_runs_created_at"), table_name="runs")
    op.drop_table("runs")
    op.drop_index(op.f("ix_artifacts_model_name"), table_name="artifacts")
    op.drop_table("artifacts")
