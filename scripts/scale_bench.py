"""Time benchctl's readers and writers at team scale: N series × M nights of 1000-sample runs.

Builds a synthetic history (`benchctl.results.synthetic`: steps, drifts, environment shifts,
failures, hot and drifting runs) through the store's own batched ingest, on SQLite or on a real
PostgreSQL started here (initdb/pg_ctl in a temporary folder, as the test suite does), then runs
each command as a user would (`python -m benchctl …`, a fresh process each) and records its
wall time and peak memory (the child's max RSS), with benchctl's modules byte-compiled first
as an installed benchctl's are (`--no-bytecode`: each process compiles them from source, as a
checkout does under PYTHONDONTWRITEBYTECODE=1; about 0.4 s more per command on this machine).
Goals (issue 19): ≤ 3 s per command at 10 k
runs, ≤ 20 s at 100 k, ingest ≤ 10 ms per 1000-sample run. `--compare-labels` re-runs the
nightly analysis in this process with ruptures' own `Pelt` as the change-point search and
reports any series whose label or change points differ.

    .venv/bin/python scripts/scale_bench.py                      # 51 × 200 = 10 200 runs, SQLite
    .venv/bin/python scripts/scale_bench.py --series 500 --nights 200     # 100 k runs
    .venv/bin/python scripts/scale_bench.py --backend postgresql --compare-labels
    .venv/bin/python scripts/scale_bench.py --quick              # 12 × 30, a smoke run

Before/after on one database, interleaved (each command alternately with the other tree's code
and this one's, `--repeat` times; the two nightly JSON reports compared series by series):

    git worktree add /tmp/base main
    .venv/bin/python scripts/scale_bench.py --keep /tmp/10k.sqlite          # build once
    .venv/bin/python scripts/scale_bench.py --db /tmp/10k.sqlite --against /tmp/base --repeat 3

When the other tree is at an older schema revision, it reads its own copy, not upgraded
(`cp` before `benchctl db upgrade`): `--against /tmp/base --against-db /tmp/10k-old.sqlite`.

On a PostgreSQL server of your own (built once, timed many times; `db push` goes to NAME_pushed
on the same server, dropped and made again before each push):

    .venv/bin/python scripts/scale_bench.py --keep postgresql+psycopg://postgres@127.0.0.1:5432/b10k
    .venv/bin/python scripts/scale_bench.py --db postgresql+psycopg://postgres@127.0.0.1:5432/b10k
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
from typing import Any, NamedTuple

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
    t0, c0 = time.perf_counter(), time.process_time()
    n = store.ingest_many(synthetic.history(series, nights, samples_per_run=samples, seed=seed))
    batched, batched_cpu = time.perf_counter() - t0, time.process_time() - c0
    store.engine.dispose()
    one = single_ingests(url, series, nights, samples, seed)
    return {
        "runs": n + one.pop("ingested"),
        "build_s": round(batched, 1),
        "build_cpu_s": round(batched_cpu, 1),  # the synthetic histories' making included
        "batched_ms_per_run": round(1e3 * batched / max(n, 1), 2),
        **{k: v for k, v in one.items() if k != "runs"},
    }


def single_ingests(url: str, series: int, nights: int, samples: int, seed: int) -> dict[str, Any]:
    """One run at a time, as `benchctl run` stores it (the per-run ingest goal): night `nights`
    of the first 31 series, new runs of series the database holds; the first is not timed (it
    also connects and imports what ingest uses)."""
    from benchctl.results import synthetic
    from benchctl.results.store import ResultStore

    plans = synthetic.plan(series, nights + 1, seed)[:31]
    records = [synthetic.night_record(p, nights, nights + 1, samples, seed) for p in plans]
    store = ResultStore.open(url, create=False)
    ingested = len(records)
    if len(records) > 1:
        store.ingest(records.pop(0))
    wall, cpu = [], []
    for record in records:
        t, c = time.perf_counter(), time.process_time()
        store.ingest(record)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    store.engine.dispose()
    return {
        "runs": len(wall),
        "ingested": ingested,  # the untimed first one included
        "single_ingest_ms_median": round(1e3 * statistics.median(wall), 2),
        "single_ingest_ms_max": round(1e3 * max(wall), 2),
        "single_ingest_cpu_ms_median": round(1e3 * statistics.median(cpu), 2),
    }


def ingest_into_copy(url: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    """`single_ingests` into a copy of the database timed (an SQLite file copied; a PostgreSQL
    database made from it as a template, dropped after), so the database stays as built."""
    if not url.startswith("postgresql"):
        copy = tmp / "ingest-copy.sqlite"
        shutil.copyfile(url.removeprefix("sqlite:///"), copy)
        return single_ingests(
            f"sqlite:///{copy}", args.series, args.nights, args.samples, args.seed
        )
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    admin = dict(host=u.host, port=u.port, user=u.username, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as c:
        c.execute('drop database if exists "scale_ingest_copy"')
        c.execute(f'create database "scale_ingest_copy" template "{u.database}"')
    try:
        copy = u.set(database="scale_ingest_copy").render_as_string(hide_password=False)
        return single_ingests(copy, args.series, args.nights, args.samples, args.seed)
    finally:
        with psycopg.connect(**admin) as c:
            c.execute('drop database if exists "scale_ingest_copy"')


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


class Timing(NamedTuple):
    wall: float  # seconds
    cpu: float  # the child's user + system seconds: steadier than wall time on a busy machine
    rss_mib: float  # the child's peak memory
    exit: int
    stderr: str  # its last line


def timed(argv: list[str], env: dict[str, str], code: Path = ROOT) -> Timing:
    """One CLI process, running the benchctl of the source tree `code`."""
    hwm = Path(env["BENCH_CWD"]) / "hwm.txt"
    hwm.unlink(missing_ok=True)
    with tempfile.TemporaryFile() as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *argv],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**env, "BENCH_HWM": str(hwm), "PYTHONPATH": str(code)},
            cwd=env["BENCH_CWD"],
            check=False,
        )
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-1:] or [""]
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    rss = int(hwm.read_text()) / 1024 if hwm.is_file() else float("nan")
    return Timing(wall, cpu, rss, done.returncode, tail[0])


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


def commands(out: Path, a: str, b: str, target: str) -> dict[str, list[str]]:
    return {
        "report nightly (md)": ["report", "nightly", "-o", str(out / "r.md")],
        "report nightly (html)": ["report", "nightly", "-f", "html", "-o", str(out / "r.html")],
        "report nightly (json)": ["report", "nightly", "-f", "json", "-o", str(out / "r.json")],
        "export csv": ["export", "csv", "-o", str(out / "runs.csv")],
        "export csv --rows models": ["export", "csv", "--rows", "models",
                                     "--published-facts-only", "-o", str(out / "m.csv")],
        "export parquet": ["export", "parquet", "-o", str(out / "runs.parquet")],
        "export parquet --rows models": ["export", "parquet", "--rows", "models",
                                         "--published-facts-only", "-o", str(out / "m.parquet")],
        "results list": ["results", "list"],
        "compare": ["compare", a, b],
        "db push": ["db", "push", "--to", target],
    }  # fmt: skip


def same_report(mine: Path, theirs: Path) -> dict[str, Any]:
    """The two trees' `report nightly --format json` outputs, series by series (everything but
    the time it was generated and the database's location, which `--against-db` makes differ):
    labels, change points, every number."""
    docs = [json.loads(p.read_text()) for p in (mine, theirs)]
    for doc in docs:
        doc.pop("generated_at", None)
        doc.pop("database", None)
    series = [{s["series_key"]: s for s in doc.pop("series")} for doc in docs]
    differ = sorted(
        k for k in series[0].keys() | series[1].keys() if series[0].get(k) != series[1].get(k)
    )
    labels = sum(
        1
        for k in series[0]
        if k in series[1]
        and series[0][k]["screening"]["label"] != series[1][k]["screening"]["label"]
    )
    return {
        "series": len(series[0]),
        "series_differ": len(differ),
        "labels_differ": labels,
        "header_same": docs[0] == docs[1],
        "differing_series": differ[:10],
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
    ap.add_argument(
        "--keep",
        help="build the database here and keep it: an SQLite file, or the URL of an existing, "
        "empty PostgreSQL database (postgresql+psycopg://user@host:port/name)",
    )
    ap.add_argument(
        "--db",
        help="time a database built before (--keep) instead of building: an SQLite file or a "
        "PostgreSQL URL (the push target is NAME_pushed on the same server, dropped and made "
        "again before each push)",
    )
    ap.add_argument(
        "--against",
        type=Path,
        help="another benchctl source tree (e.g. `git worktree add /tmp/base main`): each command "
        "runs alternately with its code and this one's, and the two nightly JSON reports are "
        "compared",
    )
    ap.add_argument(
        "--against-db",
        help="the --against tree's own copy of the database (an SQLite file or a PostgreSQL URL), "
        "for a tree at an older schema revision: the same runs, not upgraded",
    )
    ap.add_argument("--repeat", type=int, default=1, help="runs of each command (median shown)")
    ap.add_argument("--only", action="append", help="only the commands whose name has this")
    ap.add_argument(
        "--no-bytecode",
        action="store_true",
        help="time the CLI compiling every benchctl module from source in each process (a "
        "checkout run with PYTHONDONTWRITEBYTECODE=1); by default each tree's modules are "
        "byte-compiled first, as an installed benchctl's are",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.series, args.nights, args.samples = 12, 30, 200
    if min(args.series, args.nights, args.samples, args.repeat) < 1:
        ap.error("--series, --nights, --samples and --repeat must be ≥ 1")
    if args.db and args.keep:
        ap.error("--db times a database built before; --keep builds one: not both")
    if args.db and "://" not in args.db and not Path(args.db).is_file():
        ap.error(f"--db {args.db}: no such file (build it first with --keep)")
    given = args.db or args.keep
    if given and "://" in given:
        args.backend = "postgresql" if given.startswith("postgresql") else "sqlite"
    if args.against and not (args.against / "benchctl" / "__init__.py").is_file():
        ap.error(f"--against {args.against}: not a benchctl source tree")
    if args.against_db and not (args.db and args.against):
        ap.error("--against-db goes with --db and --against")
    tmp = Path(tempfile.mkdtemp(prefix="benchctl-scale-"))
    doc: dict[str, Any] = {
        "backend": args.backend,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        throwaway = args.backend == "postgresql" and not given
        pg = postgres(Path(tempfile.mkdtemp(prefix="benchctl-scale-pg-"))) if throwaway else None
        with pg or _nothing(tmp) as server:
            if server:
                url, target = server + "bench", server + "pushed"
            elif given and "://" in given:
                url = given
                target = url + "_pushed" if url.startswith("postgresql") else str(tmp / "p.sqlite")
            else:
                path = Path(given) if given else tmp / "results.sqlite"
                url, target = f"sqlite:///{path.resolve()}", str(tmp / "pushed.sqlite")
            if args.db:
                print("  one run at a time into a copy …", file=sys.stderr)
                doc["ingest"] = {"single": ingest_into_copy(url, tmp, args)}
            else:
                runs = args.series * args.nights
                print(f"building {runs} runs ({args.backend}) …", file=sys.stderr)
                doc["ingest"] = build(url, args.series, args.nights, args.samples, args.seed)
            doc.update(describe_db(url))
            goal = 3.0 if doc["runs"] <= 10_500 else 20.0
            doc["goal_s"] = goal
            env = {**os.environ, "BENCH_CWD": str(tmp), "BENCHCTL_HOME": str(tmp / "home")}
            doc["bytecode"] = not args.no_bytecode
            if not args.no_bytecode:
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                for tree in (ROOT, *([args.against] if args.against else [])):
                    subprocess.run(
                        [sys.executable, "-m", "compileall", "-q", str(tree / "benchctl")],
                        check=True,
                        env=env,
                    )
            a, b = two_runs(url)
            trees = {"this": ROOT, **({"against": args.against} if args.against else {})}
            db_of = {"this": url, "against": _url(args.against_db) if args.against_db else url}
            outs = {name: tmp / f"out-{name}" for name in trees}
            for folder in outs.values():
                folder.mkdir()
            doc["commands"] = []
            for name in commands(tmp, a, b, target):
                if args.only and not any(o in name for o in args.only):
                    continue
                print(f"  {name} …", file=sys.stderr)
                times: dict[str, list[Timing]] = {t: [] for t in trees}
                for _ in range(args.repeat):
                    for tree in reversed(list(trees)):  # the other tree first, then this one
                        if name == "db push":
                            reset_target(target)
                        argv_ = commands(outs[tree], a, b, target)[name]
                        times[tree].append(timed([*argv_, "--db", db_of[tree]], env, trees[tree]))
                entry = {"command": name}
                for tree, got in times.items():
                    wall = statistics.median(t.wall for t in got)
                    code = got[-1].exit
                    entry[tree] = {
                        "seconds": round(wall, 2),
                        "cpu_seconds": round(statistics.median(t.cpu for t in got), 2),
                        "all_seconds": [round(t.wall, 2) for t in got],
                        "peak_rss_mib": round(max(t.rss_mib for t in got)),
                        "exit": code,
                        "ok": code in (0, 4) and wall <= goal,
                        **({"stderr": got[-1].stderr} if code not in (0, 4) else {}),
                    }
                if args.against:
                    for key in ("seconds", "cpu_seconds"):
                        entry[f"speedup_{key}"] = round(
                            entry["against"][key] / max(entry["this"][key], 1e-3), 2
                        )
                doc["commands"].append(entry)
            if args.against and (outs["this"] / "r.json").is_file():
                doc["same_report"] = same_report(
                    outs["this"] / "r.json", outs["against"] / "r.json"
                )
            if args.compare_labels:
                print("  labels vs ruptures' Pelt …", file=sys.stderr)
                doc["labels"] = compare_labels(url)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # outputs and copies; a kept database is elsewhere
    doc["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    print_markdown(doc, args)
    return 0


def _url(db: str) -> str:
    """An SQLite path as a URL; a URL as it is."""
    return db if "://" in db else f"sqlite:///{Path(db).resolve()}"


def describe_db(url: str) -> dict[str, Any]:
    """How many runs and series the database holds, and its size on disk (SQLite)."""
    from sqlalchemy import func, select

    from benchctl.results.schema import RunRow
    from benchctl.results.store import ResultStore, sqlite_file

    store = ResultStore.open(url, create=False)
    with store.engine.connect() as conn:
        runs = conn.scalar(select(func.count()).select_from(RunRow))
        series = conn.scalar(select(func.count(func.distinct(RunRow.series_key))))
    file = sqlite_file(store.engine)
    store.engine.dispose()
    size = round(file.stat().st_size / 2**20) if file else None
    return {"runs": runs, "series_count": series, "db_mib": size}


def reset_target(target: str) -> None:
    """An empty push target before each `db push`, so every repeat copies everything."""
    if not target.startswith("postgresql"):
        Path(target.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(target)
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, dbname="postgres", autocommit=True
    ) as c:
        c.execute(f'drop database if exists "{u.database}"')
        c.execute(f'create database "{u.database}"')


def print_markdown(doc: dict[str, Any], args: argparse.Namespace) -> None:
    ing = doc["ingest"]
    print(
        f"## scale_bench: {doc['runs']} runs ({doc['series_count']} series"
        + (f" × {args.nights} nights, {args.samples} samples each" if ing and not args.db else "")
        + f"), {args.backend}"
        + (f", {doc['db_mib']} MiB" if doc.get("db_mib") is not None else "")
        + (", modules byte-compiled" if doc.get("bytecode") else ", modules compiled per process")
        + f"; {doc['cpus']} CPUs, load average {doc['load_average'][0]} before, "
        f"{doc['load_average_after'][0]} after\n"
    )
    if ing and "single" in ing:
        one = ing["single"]
        print(
            f"ingest, one run at a time into a copy of this database ({one['runs']} runs): "
            f"median {one['single_ingest_ms_median']} ms (CPU {one['single_ingest_cpu_ms_median']}"
            f" ms), max {one['single_ingest_ms_max']} ms (goal ≤ 10 ms)\n"
        )
    elif ing:
        print(
            f"ingest: batched build {ing['build_s']} s ({ing['batched_ms_per_run']} ms/run); one "
            f"run at a time (`ingest`) median {ing['single_ingest_ms_median']} ms (CPU "
            f"{ing['single_ingest_cpu_ms_median']} ms), max {ing['single_ingest_ms_max']} ms "
            "(goal ≤ 10 ms)\n"
        )
    goal = doc["goal_s"]
    against = args.against is not None
    head = f"| command | seconds | CPU s | peak RSS MiB | goal ≤ {goal:g} s |"
    if against:
        head += " before: seconds | CPU s | speedup (wall, CPU) |"
    print(head)
    print("|---|---|---|---|---|" + ("---|---|---|" if against else ""))
    for c in doc["commands"]:
        this = c["this"]
        mark = "yes" if this["ok"] else "**no**"
        if this["exit"] not in (0, 4):
            mark += f" (exit {this['exit']})"
        line = (
            f"| {c['command']} | {this['seconds']} | {this['cpu_seconds']} "
            f"| {this['peak_rss_mib']} | {mark} |"
        )
        if against:
            was = c["against"]
            line += (
                f" {was['seconds']} | {was['cpu_seconds']} | {c['speedup_seconds']}×, "
                f"{c['speedup_cpu_seconds']}× |"
            )
        print(line)
        if "stderr" in this:
            print(f"|  | {this['stderr']} | | |")
    if "same_report" in doc:
        same = doc["same_report"]
        print(
            f"\nnightly JSON vs --against: {same['series_differ']} of {same['series']} series "
            f"differ ({same['labels_differ']} labels); header "
            f"{'same' if same['header_same'] else '**differs**'}"
        )
    if "labels" in doc:
        lab = doc["labels"]
        print(
            f"\nlabels and change points vs ruptures' Pelt: {lab['labels_differ']} of "
            f"{lab['series']} series differ (nightly in-process: {lab['nightly_s_prefix_sum']} s "
            f"prefix-sum, {lab['nightly_s_ruptures']} s ruptures)"
        )


@contextmanager
def _nothing(_: Path) -> Iterator[None]:
    yield None


if __name__ == "__main__":
    raise SystemExit(main())
