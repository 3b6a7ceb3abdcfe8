"""Time `ResultStore.ingest` (what `benchctl run` does once per run) on SQLite and PostgreSQL.

Each backend gets a fresh database with `--history` runs already stored (`ingest_many`), then
`--runs` new 1000-sample runs from `benchctl.results.synthetic` are ingested one at a time; the
script prints, per backend, the median and max wall and CPU milliseconds per ingest, how many SQL
statements one ingest sends, and the time spent in summarising the samples (the part that is not
the database's). The PostgreSQL server is a throwaway one started here (`scale_bench.postgres`),
or an existing one (`--pg-url postgresql://…/`, a database named `ingest_bench` is made there).
Goal (issue 19): ≤ 10 ms wall per 1000-sample run on both.

    .venv/bin/python scripts/ingest_bench.py                  # SQLite and PostgreSQL, 40 runs
    .venv/bin/python scripts/ingest_bench.py --backend sqlite --runs 100 --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_bench import postgres  # noqa: E402  (the script's folder, not a package)


def measure(url: str, runs: int, history: int) -> dict[str, Any]:
    from sqlalchemy import event

    from benchctl.results import synthetic
    from benchctl.results.stats import summarize
    from benchctl.results.store import ResultStore

    store = ResultStore.open(url)
    nights = (history + 2 * runs) // 10 + 2
    records = list(synthetic.history(10, nights, samples_per_run=1000, seed=7))
    store.ingest_many(records[:history])
    fresh = [r for r in records[history:] if len(r.samples) == 1000][:runs]  # not the failures
    statements = [0]

    @event.listens_for(store.engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        statements[0] += 1

    wall, cpu, counts, summary = [], [], [], []
    for record in fresh:
        statements[0] = 0
        t, c = time.perf_counter(), time.process_time()
        assert store.ingest(record) is True
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        counts.append(statements[0])
        t = time.perf_counter()
        summarize(record.samples)
        summary.append(time.perf_counter() - t)
    statements[0] = 0
    assert store.ingest(fresh[0]) is False  # a stored run: nothing written
    again = statements[0]
    store.engine.dispose()

    def ms(values: list[float]) -> float:
        return round(1e3 * statistics.median(values), 2)

    return {
        "runs": len(wall),
        "wall_ms_median": ms(wall),
        "wall_ms_max": round(1e3 * max(wall), 2),
        "cpu_ms_median": ms(cpu),
        "summarize_ms_median": ms(summary),
        "statements_per_ingest": statistics.median(counts),
        "statements_for_a_stored_run": again,
    }


@contextmanager
def _server(pg_url: str | None) -> Iterator[str]:
    if pg_url:
        import psycopg

        base = pg_url.rstrip("/") + "/"
        with psycopg.connect(base.replace("+psycopg", "") + "postgres", autocommit=True) as c:
            c.execute("drop database if exists ingest_bench")
            c.execute("create database ingest_bench")
        yield base.replace("postgresql://", "postgresql+psycopg://") + "ingest_bench"
        return
    with postgres(Path(tempfile.mkdtemp(prefix="ingest-bench-pg-"))) as server:  # removes it
        yield server + "bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=40, help="runs ingested one at a time")
    parser.add_argument("--history", type=int, default=200, help="runs stored before")
    parser.add_argument("--pg-url", help="an existing server (postgresql://user@host:port/)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {}
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
            out["sqlite"] = measure(f"sqlite:///{tmp}/bench.sqlite", args.runs, args.history)
    if args.backend in ("postgresql", "both"):
        with _server(args.pg_url) as url:
            out["postgresql"] = measure(url, args.runs, args.history)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for backend, doc in out.items():
            print(
                f"{backend}: ingest median {doc['wall_ms_median']} ms wall, "
                f"{doc['cpu_ms_median']} ms CPU (max {doc['wall_ms_max']} ms; summarising the "
                f"samples {doc['summarize_ms_median']} ms); {doc['statements_per_ingest']} "
                f"statements per run, {doc['statements_for_a_stored_run']} for a stored one "
                f"({doc['runs']} runs)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
