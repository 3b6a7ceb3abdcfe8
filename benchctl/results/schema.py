"""The results database's tables (SQLAlchemy 2, typed; the same on SQLite and PostgreSQL).

Identity in three tiers (docs/architecture.md): the *series key* hashes what makes two runs
comparable; the *versions under test* (harness, converter, runtime, artifact sha256) are recorded,
not hashed; the *environment* (host facts, thermal state) is recorded only. Raw samples are kept
in order, compressed, one row per run; summary columns are recomputed from them at ingest.
Rows are never edited after ingest.

Changing these tables needs a new Alembic revision in `migrations/versions/`; so does changing the
declared statistics (`results.stats.Summary`), whose columns `RunRow` takes from the declaration
(tests/results/test_statistics.py fails while the two disagree).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from benchctl.results.stats import STATISTICS

SQL_TYPES = {int: Integer, float: Float}


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ArtifactRow(Base):
    """One converted model file, by content hash."""

    __tablename__ = "artifacts"

    sha256: Mapped[str] = mapped_column(String(71), primary_key=True)
    format: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    model_name: Mapped[str] = mapped_column(String(200), index=True)
    cache_key: Mapped[str] = mapped_column(String(64))
    source_hash: Mapped[str] = mapped_column(String(71))
    exporter: Mapped[str] = mapped_column(String(100))
    exporter_version: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, Any]]
    inputs: Mapped[list[Any]]
    parity: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _summary_columns() -> type:
    """A declarative mixin with one nullable column per declared statistic (`results.stats`):
    NULL for a run without samples, else recomputed from them at ingest (never runner-supplied)."""
    columns = {s.column: mapped_column(SQL_TYPES[s.type], nullable=True) for s in STATISTICS}
    return type("SummaryColumns", (), columns)


class RunRow(_summary_columns(), Base):  # type: ignore[misc]
    """One benchmark run: a success with its summary, or a failure with its status and error."""

    __tablename__ = "runs"
    # Revision 0004: the nightly report reads every run's (series, time, id) from the first
    # index alone, and newest-first listings walk the second instead of sorting the table.
    __table_args__ = (
        Index("ix_runs_series_created", "series_key", "created_at", "run_id"),
        Index("ix_runs_created_run", "created_at", "run_id"),
    )

    run_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(
        String(32), index=True
    )  # ok, error, timeout, conversion_failed…
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    # what was run
    model_name: Mapped[str] = mapped_column(String(200), index=True)
    model_source_hash: Mapped[str | None] = mapped_column(String(71))
    artifact_sha256: Mapped[str | None] = mapped_column(ForeignKey("artifacts.sha256"))
    artifact_format: Mapped[str] = mapped_column(String(32))
    precision: Mapped[str] = mapped_column(String(16))
    runtime: Mapped[str] = mapped_column(String(64))
    backend: Mapped[str] = mapped_column(String(64))
    accelerator_requested: Mapped[str] = mapped_column(String(32))
    accelerator_actual: Mapped[str | None] = mapped_column(String(32))
    device_name: Mapped[str] = mapped_column(String(100), index=True)
    device_class: Mapped[dict[str, Any]]
    input_shape: Mapped[list[Any]]
    threads: Mapped[int | None] = mapped_column(Integer)
    iterations_requested: Mapped[int] = mapped_column(Integer)
    warmup_iters: Mapped[int] = mapped_column(Integer)
    series_key: Mapped[str] = mapped_column(String(71), index=True)
    protocol_version: Mapped[int] = mapped_column(Integer)
    # versions under test
    harness_version: Mapped[str] = mapped_column(String(32))
    harness_git_sha: Mapped[str | None] = mapped_column(String(40))
    runtime_version: Mapped[str | None] = mapped_column(String(64))
    versions: Mapped[dict[str, Any]]  # library → version on the host and in the runner
    # environment (recorded only)
    host: Mapped[dict[str, Any]]
    device_facts: Mapped[dict[str, Any] | None]
    environment: Mapped[dict[str, Any] | None]
    # phases, integer nanoseconds
    load_ns: Mapped[int | None] = mapped_column(BigInteger)
    first_inference_ns: Mapped[int | None] = mapped_column(BigInteger)
    warmup_total_ns: Mapped[int | None] = mapped_column(BigInteger)
    clock: Mapped[str | None] = mapped_column(String(64))
    clock_resolution_ns: Mapped[int | None] = mapped_column(BigInteger)
    loop_overhead_ns: Mapped[int | None] = mapped_column(BigInteger)
    # summary of the raw samples: a column per declared statistic, from the mixin above. The
    # type checker sees only these, the ones code reads by attribute (test_statistics checks
    # they are declared); others are read by `Statistic.column`.
    if TYPE_CHECKING:
        sample_count: Mapped[int | None]
        min_ns: Mapped[float | None]
        median_ns: Mapped[float | None]
    # the documents themselves (result without its samples, which live in `samples`)
    spec: Mapped[dict[str, Any] | None]
    result: Mapped[dict[str, Any] | None]
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the runner process's memory, bytes (revision 0002; None: not measured)
    rss_after_load_bytes: Mapped[int | None] = mapped_column(BigInteger)
    peak_rss_bytes: Mapped[int | None] = mapped_column(BigInteger)
    device_peak_bytes: Mapped[int | None] = mapped_column(BigInteger)
    # The within-run drift of the samples (validity.within_run_drift at the fraction beside it),
    # computed once at ingest (revision 0005) so that readers of many runs need not decompress
    # their samples for the validity gate; both NULL: not computed (no samples, or an older run
    # whose stored count disagreed with its samples), a fraction with a NULL drift: computed, none.
    sample_drift: Mapped[float | None] = mapped_column(Float)
    sample_drift_fraction: Mapped[float | None] = mapped_column(Float)

    artifact: Mapped[ArtifactRow | None] = relationship()
    samples: Mapped[SampleRow | None] = relationship(back_populates="run")


class SampleRow(Base):
    """Every timed sample of one run, in measured order: little-endian int64 ns, zlib-compressed."""

    __tablename__ = "samples"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    count: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    run: Mapped[RunRow] = relationship(back_populates="samples")


class ProfileRow(Base):
    """The profiled pass of one run (`run --profile`): which profiler, how many iterations, and
    whether operators carry times or placement only (revision 0002)."""

    __tablename__ = "profiles"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    profiler: Mapped[str] = mapped_column(String(200))
    timed: Mapped[bool]
    iterations: Mapped[int | None] = mapped_column(Integer)
    wall_median_ns: Mapped[int | None] = mapped_column(BigInteger)
    operator_count: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    partitions: Mapped[list[Any] | None]


class ProfileOpRow(Base):
    """One operator of a profiled run, in execution order: its time is the median over the
    profiled iterations (None: the runtime gives placement only)."""

    __tablename__ = "profile_ops"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("profiles.run_id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    op_type: Mapped[str] = mapped_column(String(200), index=True)
    unit: Mapped[str | None] = mapped_column(String(64))
    time_ns: Mapped[int | None] = mapped_column(BigInteger)
    calls: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[float | None] = mapped_column(Float)


class AccuracyResultRow(Base):
    """A measured top-1/top-5 of one artifact (or of the PyTorch module it came from) on one
    dataset with one preprocessing, by one runtime: a result of its own, beside the latency runs
    of the same artifact sha256. Written once per key (`results.measured.AccuracyRecord.key`)."""

    __tablename__ = "accuracy"

    key: Mapped[str] = mapped_column(String(71), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    model_name: Mapped[str] = mapped_column(String(200), index=True)
    model_source_hash: Mapped[str | None] = mapped_column(String(71))
    target: Mapped[str] = mapped_column(String(32))  # conversion target, or "pytorch"
    artifact_format: Mapped[str] = mapped_column(String(32))
    precision: Mapped[str] = mapped_column(String(16))
    # what was evaluated: an artifact (by content), or the PyTorch module (its state's hash)
    artifact_sha256: Mapped[str | None] = mapped_column(ForeignKey("artifacts.sha256"), index=True)
    module_sha256: Mapped[str | None] = mapped_column(String(71))
    weights_sha256: Mapped[str | None] = mapped_column(String(71))
    runtime: Mapped[str] = mapped_column(String(64))
    runtime_version: Mapped[str | None] = mapped_column(String(64))
    # on what, and how it was preprocessed
    dataset_name: Mapped[str] = mapped_column(String(200))
    dataset_path: Mapped[str] = mapped_column(Text)
    dataset_layout: Mapped[str] = mapped_column(String(16))
    dataset_sha256: Mapped[str] = mapped_column(String(71), index=True)
    dataset_size: Mapped[int] = mapped_column(Integer)  # samples in the whole dataset
    sample_limit: Mapped[int | None] = mapped_column(Integer)  # --limit, None: all
    num_samples: Mapped[int] = mapped_column(Integer)  # samples evaluated
    preprocessing: Mapped[dict[str, Any]]
    preprocessing_sha256: Mapped[str] = mapped_column(String(71))
    # the result
    top1: Mapped[float] = mapped_column(Float)  # percent
    top5: Mapped[float | None] = mapped_column(Float)  # percent; None with fewer than 5 classes
    correct1: Mapped[int] = mapped_column(Integer)
    correct5: Mapped[int | None] = mapped_column(Integer)
    reference_top1: Mapped[float | None] = mapped_column(Float)  # PyTorch, same images, same run
    seconds: Mapped[float] = mapped_column(Float)
    harness_version: Mapped[str] = mapped_column(String(32))
    harness_git_sha: Mapped[str | None] = mapped_column(String(40))
    versions: Mapped[dict[str, Any]]
