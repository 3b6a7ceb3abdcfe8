"""Time benchctl's fixed start-up cost: commands that do (almost) nothing, each in a fresh process.

Every database command pays the same floor (the interpreter, typer building the command tree,
SQLAlchemy and the ORM tables, numpy) before it reads a row; at 10 k runs each command has 3 s,
so this floor is measured on its own. Each command runs `--repeat` times, alternately with the
code of `--against` (another source tree, e.g. `git worktree add /tmp/base main`) and this one's;
the medians of wall and CPU (user + system) seconds are printed. CPU seconds are the steadier
figure on a busy machine.

    .venv/bin/python scripts/startup_bench.py --db /tmp/10k.sqlite --against /tmp/base --repeat 9
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def commands(db: str, tiny: str, out: Path) -> dict[str, list[str]]:
    return {
        "--help": ["--help"],
        "report nightly --help": ["report", "nightly", "--help"],
        "--version": ["--version"],
        "db current": ["db", "current", "--db", db],
        "results list --limit 1": ["results", "list", "--db", db, "--limit", "1"],
        "export csv (tiny db)": ["export", "csv", "--db", tiny, "-o", str(out / "tiny.csv")],
    }


def timed(argv: list[str], code: Path, cwd: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, exit code) of one `python -m benchctl` with the tree `code` first (run in
    `cwd`, elsewhere than either tree: `-m` puts the working directory first on the path)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchctl", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(code)},
        cwd=cwd,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, done.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True, help="an SQLite database (read only)")
    ap.add_argument("--tiny", type=Path, help="a small SQLite database for `export csv`")
    ap.add_argument("--against", type=Path, help="another benchctl source tree")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", action="append", help="only the commands whose name has this")
    ap.add_argument(
        "--out",
        type=Path,
        default=Path("/tmp"),
        help="where exports are written (and the working directory)",
    )
    args = ap.parse_args(argv)
    trees = {"this": ROOT} | ({"against": args.against.resolve()} if args.against else {})
    cmds = commands(
        f"sqlite:///{args.db.resolve()}",
        f"sqlite:///{(args.tiny or args.db).resolve()}",
        args.out,
    )
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs; medians of {args.repeat}")
    print(f"{'command':26} " + " ".join(f"{t + ' wall/cpu s':>22}" for t in trees))
    for name, argv_ in cmds.items():
        if args.only and not any(o in name for o in args.only):
            continue
        runs: dict[str, list[tuple[float, float, int]]] = {t: [] for t in trees}
        for _ in range(args.repeat):
            for tree, code in trees.items():
                runs[tree].append(timed(argv_, code, args.out))
        cells = []
        for tree in trees:
            wall = statistics.median(r[0] for r in runs[tree])
            cpu = statistics.median(r[1] for r in runs[tree])
            bad = {r[2] for r in runs[tree]} - {0}
            cells.append(f"{wall:>10.3f} / {cpu:.3f}" + (f" exit {bad}" if bad else ""))
        print(f"{name:26} " + " ".join(f"{c:>22}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
