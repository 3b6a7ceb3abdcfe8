"""4 writer processes × 250 runs each into one database (SQLite in WAL mode, and PostgreSQL):
every run and every sample blob must be there, each exactly once."""

from __future__ import annotations

import multiprocessing
import time

import pytest
from conftest import make_record
from sqlalchemy import text

from benchctl.results.store import ResultStore

WRITERS, RUNS_EACH = 4, 250


def _samples(writer: int, i: int) -> list[int]:
    return [1_000_000 + writer * 10_000 + i + k for k in range(8)]


def _write(url: str, writer: int, start: multiprocessing.Event, errors: multiprocessing.Queue):
    store = ResultStore.open(url)
    start.wait(30)
    failed = 0
    for i in range(RUNS_EACH):
        try:
            store.ingest(make_record(f"{writer:02x}{i:030x}", _samples(writer, i)))
        except Exception as exc:  # counted and reported by the parent: a lost row
            failed += 1
            errors.put(f"writer {writer} run {i}: {type(exc).__name__}: {exc}"[:300])
    errors.put(("done", writer, failed))


@pytest.fixture(params=["sqlite-wal", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite-wal":
        return f"sqlite:///{tmp_path / 'results.sqlite'}"
    return request.getfixturevalue("pg_url")


def test_concurrent_writers_lose_nothing(url, figures, request):
    store = ResultStore.open(url)  # created (migrated) once, before the writers start
    ctx = multiprocessing.get_context("fork")
    start, errors = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_write, args=(url, w, start, errors)) for w in range(WRITERS)]
    for p in procs:
        p.start()
    began = time.perf_counter()
    start.set()
    messages, done = [], 0
    while done < WRITERS:
        item = errors.get(timeout=240)
        if isinstance(item, tuple):
            done += 1
        else:
            messages.append(item)
    wall = time.perf_counter() - began
    for p in procs:
        p.join(30)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    with store.engine.connect() as conn:
        runs = conn.execute(text("select count(*), count(distinct run_id) from runs")).one()
        blobs = conn.execute(text("select count(*) from samples")).scalar_one()
        if store.engine.dialect.name == "sqlite":
            assert conn.execute(text("pragma journal_mode")).scalar_one() == "wal"
    expected = WRITERS * RUNS_EACH
    lost = expected - runs[0]
    figures(
        fault=f"{WRITERS} concurrent writers × {RUNS_EACH} runs",
        backend=request.node.callspec.id,
        runs_written=runs[0],
        sample_blobs=blobs,
        rows_lost=lost,
        writer_errors=len(messages),
        wall_s=round(wall, 2),
    )
    assert messages == [] and lost == 0 and runs[1] == expected and blobs == expected
    for writer, i in ((0, 0), (1, 137), (3, RUNS_EACH - 1)):
        assert store.samples(f"{writer:02x}{i:030x}") == _samples(writer, i)
