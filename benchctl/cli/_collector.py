"""Python's cyclic garbage collector, set for a process that lives a few seconds.

A `benchctl` command imports SQLAlchemy, NumPy, SciPy and psycopg (about 300 k objects the
collector tracks) and then reads thousands of rows. With the default thresholds the collector
ran hundreds of young collections and two or three full ones over that heap while a nightly
report ran, and one more full collection at interpreter exit: measured on the 10 k-run
PostgreSQL history of `scripts/scale_bench.py`, about 0.3 s during and 0.25 s after the work
of `report nightly --format json` (2.9 s in all).

So the console script (`run`) raises the young generation's threshold (the older generations
keep their ratios, so cyclic garbage is still reclaimed and a long `benchctl lab worker` stays
bounded), and when the command is done it closes the results databases' connections and
freezes the heap (`gc.freeze`): the final collection then has nothing to walk. Closing first
matters: a SQLite connection left to the collector would never be closed, leaving its `-wal`
file unmerged beside the database. Atexit handlers, `weakref.finalize` and the interpreter's
own teardown still run as usual. `main()` called in-process (tests, the Python API) is left
alone: freezing there would keep a caller's garbage for good.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

YOUNG_THRESHOLD = 50_000  # default 700: allocations (net of frees) between young collections


def short_lived(main: Callable[[], None]) -> None:
    """Run `main` (which ends with `sys.exit`) with the collector set for a short process."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    try:
        main()
    finally:
        store = sys.modules.get("benchctl.results.store")  # loaded only if a command used it
        if store is not None:
            store.dispose_engines()
        gc.freeze()
