"""The `benchctl` process itself (`python -m benchctl`, the console script): the garbage collector
set for a short life, and what it must still close before it exits."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from benchctl.results.store import ResultStore
from benchctl.results.testing import make_record

# Runs benchctl's console entry (or `main` in-process) and prints, from the last exit handler,
# the young generation's threshold then and at the start, and how many objects were frozen.
PROBE = """
import atexit, gc, json, sys
start = gc.get_threshold()[0]
atexit.register(lambda: print(json.dumps({"young": gc.get_threshold()[0], "start": start,
    "frozen": gc.get_freeze_count()}), file=sys.stderr))
from benchctl.cli.app import main, run
sys.argv = ["benchctl", *sys.argv[2:]]
run() if sys.argv.pop(1) == "run" else main(sys.argv[1:])
"""


def _probe(entry: str, *args: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "-", entry, *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_the_console_entry_sets_the_collector_and_freezes_the_heap_at_the_end():
    got = _probe("run", "models", "list", "--json")
    assert got["young"] == 50_000 and got["frozen"] > 10_000


def test_main_in_process_leaves_the_collector_as_it_was():
    got = _probe("main", "models", "list", "--json")
    assert got["young"] == got["start"] != 50_000 and got["frozen"] == 0


def test_a_sqlite_database_is_closed_and_its_wal_merged_before_the_process_ends(tmp_path):
    """The collector does not run at exit any more; the store's connections are closed by
    `dispose_engines` instead, and SQLite's last close merges and removes the `-wal` file."""
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "results.sqlite"
    store = ResultStore.open(str(db))
    store.ingest(make_record("1" * 32, [20_123] * 4))
    store.engine.dispose()
    assert sorted(p.name for p in folder.iterdir()) == ["results.sqlite"]
    for argv in (["results", "list"], ["report", "nightly", "--format", "json"]):
        done = subprocess.run(
            [sys.executable, "-m", "benchctl", *argv, "--db", str(db)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "1111" in done.stdout
        left = sorted(p.name for p in folder.iterdir())
        assert left == ["results.sqlite"], left
