"""The nightly analysis spread over worker processes: each series is read and analysed on its own
(`nightly.analyse_series`), so the series are split into chunks and the chunks go to a pool of
processes, one per CPU, and the parent only merges what they send back.

Reading and analysing had been about 1.5 s of the whole report's 2.3–2.6 s on the 10 k-run
PostgreSQL history (51 series), and most of its 12–20 s on the 100 k-run SQLite one (500
series), in one process on this 2-core machine; with two workers the report took 2.0–2.3 s and
8.3–9.0 s (the database server and the parent's merging share the same two cores).

The workers are forked, not spawned: a forked worker starts with the parent's imports (SQLAlchemy,
NumPy, SciPy) already done, where a spawned one would import them again, about a second each. So
workers are used by default only where fork is the platform's usual start method (Linux), only
with at least two CPUs and `MIN_SERIES_PER_WORKER` series for each worker; elsewhere, and with
`workers=0`, everything runs in this process. Each worker gets the store through the fork (a
module global set just before the pool starts), drops the pooled connections it inherited
without touching them (`Engine.dispose(close=False)`, as SQLAlchemy prescribes after a fork) and
opens its own; it ignores SIGINT, so Ctrl-C reaches only the parent, which cancels the chunks not
started and tells the workers to stop after the series they are on (read-only work: nothing is
left half-done).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from benchctl.results.regress.history import iter_series
from benchctl.runner.contention import affinity

if TYPE_CHECKING:
    from benchctl.results.regress.nightly import SeriesReport
    from benchctl.results.regress.settings import RegressConfig
    from benchctl.results.store import ResultStore

    Analyse = Callable[[ResultStore, Any], SeriesReport]

MIN_SERIES_PER_WORKER = 8  # below that, starting a worker costs more than it saves
CHUNKS_PER_WORKER = 4  # chunks a worker takes in turn: the pool stays busy to the end

# (store, config, analyse, stop) for the workers, inherited through the fork; set only while a
# pool runs. `stop` is set when the parent stops early (Ctrl-C, an error): a chunk already handed
# to a worker cannot be cancelled (the pool queues one ahead per worker), so workers look at it
# before each series.
_STATE: tuple[ResultStore, RegressConfig, Analyse, Any] | None = None


def default_workers(series: int) -> int:
    """Worker processes for `series` series by default: one per CPU, each with at least
    `MIN_SERIES_PER_WORKER` series; 0 (this process) off Linux or where that makes fewer than 2."""
    if not sys.platform.startswith("linux"):
        return 0
    n = min(len(affinity()), series // MIN_SERIES_PER_WORKER)
    return n if n >= 2 else 0


def chunks(keys: Sequence[str], n: int) -> list[list[str]]:
    """`keys` dealt into at most `n` chunks, round robin (neighbours by name, often alike in
    length, land in different chunks); none empty."""
    return [c for c in (list(keys[i::n]) for i in range(n)) if c]


def _start_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    assert _STATE is not None
    _STATE[0].engine.dispose(close=False)


def _analyse_chunk(keys: list[str]) -> list[SeriesReport]:
    assert _STATE is not None
    store, config, analyse, stop = _STATE
    done = []
    for series in iter_series(store, config, keys):
        if stop.is_set():  # the parent is not waiting for the rest
            break
        done.append(analyse(store, series))
    return done


def analysed_in_workers(
    store: ResultStore,
    config: RegressConfig,
    keys: Sequence[str],
    workers: int,
    analyse: Analyse,
) -> Iterator[list[SeriesReport]]:
    """The reports of the series `keys`, a chunk at a time as the `workers` processes finish
    them (in no particular order). An error in a worker is raised here, as it was raised there."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # what the analysis imports lazily, imported once here for every worker instead of in each
    import scipy.special  # noqa: F401 (changepoint.welch_p)

    import benchctl.results.profiles  # noqa: F401 (nightly.analyse_series)

    global _STATE
    parts = chunks(keys, workers * CHUNKS_PER_WORKER)
    fork = multiprocessing.get_context("fork")
    stop = fork.Event()
    _STATE = (store, config, analyse, stop)
    pool = ProcessPoolExecutor(min(workers, len(parts)), mp_context=fork, initializer=_start_worker)
    try:
        futures = [pool.submit(_analyse_chunk, part) for part in parts]
        for done in as_completed(futures):
            yield done.result()
    finally:
        stop.set()  # a no-op once every chunk is in; else the workers end at their next series
        pool.shutdown(wait=True, cancel_futures=True)
        _STATE = None
