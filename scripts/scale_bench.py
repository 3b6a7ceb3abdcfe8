"""Time benchctl's readers and writers at team scale: N series × M nights of 1000-sample runs.

Builds a synthetic history (`benchctl.results.synthetic`: steps, drifts, environment shifts,
failures, hot and drifting runs) through the store's own batched ingest, on SQLite or on a real
PostgreSQL started here (initdb/pg_ctl in a temporary folder, as the test suite does), then runs
each command as a user would (`python -m benchctl …`, a fresh process each) and records its
wall time and peak memory (the child's max RSS). Goals (issue 19): ≤ 3 s per command at 10 k
runs, ≤ 20 s at 100 k, ingest ≤ 10 ms per 1000-sample run. `--compare-labels` re-runs the
nightly analysis in this process with ruptures' own `Pelt` as the change-point search and
reports any series whose label or change points differ.

    .venv/bin/python scripts/scale_bench.py                      # 51 × 200 = 10 200 runs, SQLite
    .venv/bin/python scripts/scale_bench.py --series 500 --nights 200     # 100 k runs
    .venv/bin/python scripts/scale_bench.py --backend postgresql --compare-labels
    .venv/bin/python scripts/scale_bench.py --quick              # 12 × 30, a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres(root: Path) -> Iterator[str]:
    """A throwaway PostgreSQL server (fsync off), its URL; stopped and removed after."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    bin_dir = Path(os.environ.get("BENCHCTL_PG_BIN") or (found[0].parent if found else ""))
    if not (bin_dir / "pg_ctl").is_file():
        sys.exit("error: PostgreSQL's initdb/pg_ctl not found; apt-get install postgresql")
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def run(*argv: str) -> None:
        subprocess.run([*as_user, *argv], check=True, capture_output=True, timeout=120)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
        "--no-sync", "--no-instructions")  # fmt: skip
    opts = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o", opts,
        "-w", "-t", "60", "start")  # fmt: skip
    try:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", autocommit=True) as c:
            c.execute("create database bench")
            c.execute("create database pushed")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def build(url: str, series: int, nights: int, samples: int, seed: int) -> dict[str, Any]:
    from benchctl.results import synthetic
    from benchctl.results.store import ResultStore

    store = ResultStore.open(url)
    t0 = time.perf_counter()
    n = store.ingest_many(synthetic.history(series, nights, samples_per_run=samples, seed=seed))
    batched = time.perf_counter() - t0
    # One run at a time, as `benchctl run` stores it: the per-run ingest goal.
    extra = list(synthetic.history(series, nights + 1, samples_per_run=samples, seed=seed))
    single = []
    for record in extra[-min(series, 30) :]:
        t = time.perf_counter()
        store.ingest(record)
        single.append(time.perf_counter() - t)
    store.engine.dispose()
    return {
        "runs": n + len(single),
        "build_s": round(batched, 1),
        "batched_ms_per_run": round(1e3 * batched / max(n, 1), 2),
        "single_ingest_ms_median": round(1e3 * statistics.median(single), 2),
        "single_ingest_ms_max": round(1e3 * max(single), 2),
    }


# The CLI in a child that reports its own memory high-water mark (VmHWM, reset at exec) on exit:
# the child's rusage max RSS would carry this parent's size over from the fork (Linux keeps it
# across exec).
_CHILD = """
import atexit, os, runpy, sys
def _hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            open(os.environ["BENCH_HWM"], "w").write(line.split()[1])
atexit.register(_hwm)
sys.argv = ["benchctl", *sys.argv[1:]]
runpy.run_module("benchctl", run_name="__main__")
"""


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS MiB, exit code, last stderr line) of one CLI process."""
    hwm = Path(env["BENCH_CWD"]) / "hwm.txt"
    hwm.unlink(missing_ok=True)
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *argv],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**env, "BENCH_HWM": str(hwm)},
            cwd=env["BENCH_CWD"],
            check=False,
        )
        wall = time.perf_counter() - t0
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-1:] or [""]
    rss = int(hwm.read_text()) / 1024 if hwm.is_file() else float("nan")
    return wall, rss, done.returncode, tail[0]


def two_runs(url: str) -> tuple[str, str]:
    from benchctl.results.store import ResultStore

    rows = ResultStore.open(url, create=False).runs(status="ok", limit=400)
    a = rows[0]
    b = next(r for r in rows[1:] if r.series_key == a.series_key)
    return b.run_id, a.run_id


def compare_labels(url: str) -> dict[str, Any]:
    """Labels and change points with the prefix-sum search vs ruptures' own Pelt."""
    import numpy as np
    import ruptures as rpt

    from benchctl.results.regress import changepoint, nightly
    from benchctl.results.store import ResultStore

    store = ResultStore.open(url, create=False)

    def summary() -> tuple[dict[str, Any], float]:
        t = time.perf_counter()
        report = nightly(store)
        doc = {s.key: (s.screening.label, [c.run_id for c in s.changes]) for s in report.series}
        return doc, time.perf_counter() - t

    ours, ours_s = summary()
    real = changepoint.pelt_l2

    def reference(y: np.ndarray, pen: float, min_size: int) -> list[int]:
        algo = rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(y.reshape(-1, 1))
        return [int(c) for c in algo.predict(pen=pen)[:-1]]

    changepoint.pelt_l2 = reference
    try:
        theirs, theirs_s = summary()
    finally:
        changepoint.pelt_l2 = real
    differ = sorted(k for k in ours if ours[k] != theirs.get(k))
    return {
        "series": len(ours),
        "labels_differ": len(differ),
        "differing_series": differ[:10],
        "nightly_s_prefix_sum": round(ours_s, 1),
        "nightly_s_ruptures": round(theirs_s, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=51)
    ap.add_argument("--nights", type=int, default=200)
    ap.add_argument("--samples", type=int, default=1000, help="samples per run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--quick", action="store_true", help="12 series × 30 nights, 200 samples")
    ap.add_argument("--compare-labels", action="store_true", help="vs ruptures' Pelt (slow)")
    ap.add_argument("--keep", type=Path, help="build the SQLite database here and keep it")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.series, args.nights, args.samples = 12, 30, 200
    if min(args.series, args.nights, args.samples) < 1:
        ap.error("--series, --nights and --samples must be ≥ 1")
    runs = args.series * args.nights
    goal = 3.0 if runs <= 10_500 else 20.0
    tmp = Path(tempfile.mkdtemp(prefix="benchctl-scale-"))
    doc: dict[str, Any] = {
        "series": args.series,
        "nights": args.nights,
        "samples_per_run": args.samples,
        "backend": args.backend,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "goal_s": goal,
    }
    try:
        pg = postgres(Path(tempfile.mkdtemp(prefix="benchctl-scale-pg-")))
        with pg if args.backend == "postgresql" else _nothing(tmp) as server:
            if server:
                url, target = server + "bench", server + "pushed"
            else:
                path = args.keep or tmp / "results.sqlite"
                url, target = f"sqlite:///{path}", str(tmp / "pushed.sqlite")
            print(f"building {runs} runs ({args.backend}) …", file=sys.stderr)
            doc["ingest"] = build(url, args.series, args.nights, args.samples, args.seed)
            env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_CWD": str(tmp)}
            env["BENCHCTL_HOME"] = str(tmp / "home")
            a, b = two_runs(url)
            out = tmp / "out"
            commands = {
                "report nightly (md)": ["report", "nightly", "-o", str(out / "r.md")],
                "report nightly (html)": ["report", "nightly", "-f", "html",
                                          "-o", str(out / "r.html")],
                "report nightly (json)": ["report", "nightly", "-f", "json",
                                          "-o", str(out / "r.json")],
                "export csv": ["export", "csv", "-o", str(out / "runs.csv")],
                "export csv --rows models": ["export", "csv", "--rows", "models",
                                             "--published-facts-only", "-o", str(out / "m.csv")],
                "export parquet": ["export", "parquet", "-o", str(out / "runs.parquet")],
                "export parquet --rows models": ["export", "parquet", "--rows", "models",
                                                 "--published-facts-only",
                                                 "-o", str(out / "m.parquet")],
                "results list": ["results", "list"],
                "compare": ["compare", a, b],
                "db push": ["db", "push", "--to", target],
            }  # fmt: skip
            out.mkdir()
            doc["commands"] = []
            for name, argv_ in commands.items():
                print(f"  {name} …", file=sys.stderr)
                wall, rss, code, tail = timed([*argv_, "--db", url], env)
                doc["commands"].append(
                    {
                        "command": name,
                        "seconds": round(wall, 2),
                        "peak_rss_mib": round(rss),
                        "exit": code,
                        "ok": code in (0, 4) and wall <= goal,
                        **({"stderr": tail} if code not in (0, 4) else {}),
                    }
                )
            if args.compare_labels:
                print("  labels vs ruptures' Pelt …", file=sys.stderr)
                doc["labels"] = compare_labels(url)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    doc["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    ing = doc["ingest"]
    print(
        f"## scale_bench: {ing['runs']} runs ({args.series} series × {args.nights} nights, "
        f"{args.samples} samples each), {args.backend}; {doc['cpus']} CPUs, load average "
        f"{doc['load_average'][0]} before, {doc['load_average_after'][0]} after\n"
    )
    print(
        f"ingest: batched build {ing['build_s']} s ({ing['batched_ms_per_run']} ms/run); one run "
        f"at a time (`ingest`) median {ing['single_ingest_ms_median']} ms, max "
        f"{ing['single_ingest_ms_max']} ms (goal ≤ 10 ms)\n"
    )
    print(f"| command | seconds | peak RSS MiB | goal ≤ {goal:g} s |")
    print("|---|---|---|---|")
    for c in doc["commands"]:
        mark = (
            "yes"
            if c["ok"]
            else ("**no**" + (f" (exit {c['exit']})" if c["exit"] not in (0, 4) else ""))
        )
        print(f"| {c['command']} | {c['seconds']} | {c['peak_rss_mib']} | {mark} |")
        if "stderr" in c:
            print(f"|  | {c['stderr']} | | |")
    if "labels" in doc:
        lab = doc["labels"]
        print(
            f"\nlabels and change points vs ruptures' Pelt: {lab['labels_differ']} of "
            f"{lab['series']} series differ (nightly in-process: {lab['nightly_s_prefix_sum']} s "
            f"prefix-sum, {lab['nightly_s_ruptures']} s ruptures)"
        )
    return 0


@contextmanager
def _nothing(_: Path) -> Iterator[None]:
    yield None


if __name__ == "__main__":
    raise SystemExit(main())
