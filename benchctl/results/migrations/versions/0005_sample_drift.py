"""Each run's within-run drift, computed once: `runs.sample_drift` and `sample_drift_fraction`.

The validity gate fell back to decompressing an ok run's samples whenever the harness had not
recorded a drift check of its own (older runs, other runners): the largest part of the nightly
report's and the exports' reads. Ingest now stores the figure; this revision adds the columns
and fills them for every stored run from its samples, with the gate's definition at its
default fraction (median of the last 10 % over median of the first 10 %, minus one), frozen
here as it was at this revision. A run whose stored `sample_count` disagrees with its samples
keeps both columns NULL, and the gate reads its samples as before. Every existing row is kept.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import context, op

if TYPE_CHECKING:
    import numpy as np  # imported where used: Alembic loads every revision to run any one

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FRACTION = 0.10  # DetectorSettings.drift_fraction at this revision
ENCODING = "int64le+zlib"
BATCH = 1000


def _median_of_sorted(s: np.ndarray) -> float:
    half = s.size // 2
    if s.size % 2:
        return float(s[half])
    return (float(s[half - 1]) + float(s[half])) / 2.0


def _drift(x: np.ndarray) -> float | None:
    """validity.within_run_drift(x, FRACTION, 1) as it stood at this revision."""
    import numpy as np

    k = max(1, int(x.size * FRACTION))
    early, late = _median_of_sorted(np.sort(x[:k])), _median_of_sorted(np.sort(x[-k:]))
    return late / early - 1.0 if early > 0 else None


def upgrade() -> None:
    op.add_column("runs", sa.Column("sample_drift", sa.Float(), nullable=True))
    op.add_column("runs", sa.Column("sample_drift_fraction", sa.Float(), nullable=True))
    bind = op.get_bind()
    runs = sa.table(
        "runs",
        sa.column("run_id", sa.String),
        sa.column("sample_count", sa.Integer),
        sa.column("sample_drift", sa.Float),
        sa.column("sample_drift_fraction", sa.Float),
    )
    samples = sa.table(
        "samples",
        sa.column("run_id", sa.String),
        sa.column("encoding", sa.String),
        sa.column("data", sa.LargeBinary),
    )
    update = (
        runs.update()
        .where(runs.c.run_id == sa.bindparam("id"))
        .values(sample_drift=sa.bindparam("drift"), sample_drift_fraction=sa.bindparam("fraction"))
    )
    progress = context.config.attributes.get("progress")
    total = bind.scalar(sa.select(sa.func.count()).select_from(samples)) or 0
    done, last = 0, ""
    while True:  # keyset pages by run id: each page is one bounded read, then its updates
        page = bind.execute(
            sa.select(runs.c.run_id, runs.c.sample_count, samples.c.encoding, samples.c.data)
            .select_from(runs.join(samples, samples.c.run_id == runs.c.run_id))
            .where(runs.c.run_id > last)
            .order_by(runs.c.run_id)
            .limit(BATCH)
        ).all()
        if not page:
            break
        import numpy as np  # only with runs to fill (not for a new database)

        values = []
        for run_id, count, encoding, data in page:
            if encoding != ENCODING:
                continue
            x = np.frombuffer(zlib.decompress(data), dtype="<i8")
            if x.size == 0 or x.size != count:
                continue
            values.append({"id": run_id, "drift": _drift(x), "fraction": FRACTION})
        if values:
            bind.execute(update, values)
        last = page[-1][0]
        done += len(page)
        if progress is not None:
            progress(f"revision 0005: the drift of {done} of {total} runs", -(-total // BATCH))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("sample_drift_fraction")
        batch.drop_column("sample_drift")
