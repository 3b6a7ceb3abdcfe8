"""scripts/scale_bench.py stays runnable: a tiny history built through the store, kept, then
timed again from the kept file (`--db`, with one-run ingests into a copy), one command each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "scale_bench.py"


def _bench(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--series", "2", "--nights", "6", "--samples", "40",
         "--only", "results list", "--json", *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_scale_bench_builds_keeps_and_times_a_kept_database(tmp_path):
    db = tmp_path / "tiny.sqlite"
    built = _bench("--keep", str(db))
    assert built["runs"] == built["ingest"]["runs"] >= 10 and db.is_file()
    assert [c["command"] for c in built["commands"]] == ["results list"]
    assert built["commands"][0]["this"]["exit"] == 0
    again = _bench("--db", str(db))
    assert again["runs"] == built["runs"]  # the ingests went into a copy
    assert again["ingest"]["single"]["runs"] == 1  # two series: one warm-up, one timed
    assert again["commands"][0]["this"]["exit"] == 0
