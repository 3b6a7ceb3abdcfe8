"""How much does benchctl itself cost, and how repeatable is it? (a benchmark, not a test)

1. Overhead: benchctl's median vs a bare onnxruntime loop on the same artifact, both in fresh
   processes, interleaved ABBA over several rounds; target ratio ≤ 1.02.
2. Repeatability: `benchctl run` five times as separate processes; the CV of the five medians
   (goal ≤ 2 %), also pinned: `--cpus LIST --threads 1` (default CPU: the last one), with the
   load and each run's validity, since a figure taken on a busy machine measures the machine.
3. Wall time: a cold first run (build + export + 1000 iterations; target < 60 s here) and a cached
   rerun (target < 10 s plus the iterations themselves).

Usage: python scripts/bench_overhead.py [--model mobileone_s0] [--rounds 6] [--cpus 1] [--json]
Everything happens in a temporary project folder; nothing is written to yours.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_LOOP = r"""
import sys, time, numpy as np, onnxruntime as ort
path, iters, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
opts = ort.SessionOptions()
if len(sys.argv) > 4:  # pinned like `benchctl run --cpus … --threads 1`
    import os
    os.sched_setaffinity(0, {int(c) for c in sys.argv[4].split(",")})
    opts.intra_op_num_threads = 1
sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
inp = sess.get_inputs()[0]
x = np.random.default_rng(0).standard_normal(inp.shape, dtype=np.float32)
feeds = {inp.name: x}
sess.run(None, feeds)
for _ in range(warmup):
    sess.run(None, feeds)
clock = time.perf_counter_ns
samples = []
for _ in range(iters):
    t0 = clock()
    sess.run(None, feeds)
    samples.append(clock() - t0)
samples.sort()
print(samples[len(samples) // 2])
"""


def benchctl(args: list[str], env: dict[str, str]) -> tuple[dict, float]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "benchctl", *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"benchctl failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout), wall


def bare(path: str, iters: int, warmup: int, cpus: str | None = None) -> float:
    proc = subprocess.run(
        [sys.executable, "-c", BARE_LOOP, path, str(iters), str(warmup), *([cpus] if cpus else [])],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(proc.stdout.strip()) / 1e6


def cv(values: list[float]) -> float:
    return statistics.stdev(values) / statistics.mean(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mobileone_s0")
    parser.add_argument("--rounds", type=int, default=6, help="ABBA rounds for the overhead ratio")
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--cpus",
        default=str((os.cpu_count() or 1) - 1),
        help="CPUs for the pinned repeatability runs (--cpus LIST --threads 1); default the last",
    )
    args = parser.parse_args()

    project = Path(tempfile.mkdtemp(prefix="benchctl-bench-"))
    env = {**os.environ, "BENCHCTL_HOME": str(project / ".benchctl")}
    env.pop("BENCHCTL_DB", None)
    run_args = ["run", "--model", args.model, "--iterations", str(args.iterations)]

    cold, cold_wall = benchctl(run_args, env)
    cached, cached_wall = benchctl(run_args, env)
    iter_s = cached["mean_ms"] * args.iterations / 1e3
    artifact = next((project / ".benchctl" / "artifacts").glob("*/model.onnx"))

    ours: list[float] = []
    theirs: list[float] = []
    for i in range(args.rounds):  # ABBA: order effects cancel
        order = ("ours", "bare") if i % 2 == 0 else ("bare", "ours")
        for who in order:
            if who == "ours":
                ours.append(benchctl(run_args, env)[0]["median_ms"])
            else:
                theirs.append(bare(str(artifact), args.iterations, 50))
    ratio = statistics.median(ours) / statistics.median(theirs)
    per_round = [o / t for o, t in zip(ours, theirs, strict=True)]

    five = [benchctl(run_args, env)[0]["median_ms"] for _ in range(5)]
    pinned_args = [*run_args, "--cpus", args.cpus, "--threads", "1"]
    load_before = os.getloadavg()[0]
    pinned = [benchctl(pinned_args, env)[0] for _ in range(5)]
    load_after = os.getloadavg()[0]
    pinned_medians = [d["median_ms"] for d in pinned]
    report = {
        "model": args.model,
        "iterations": args.iterations,
        "overhead": {
            "benchctl_medians_ms": ours,
            "bare_medians_ms": theirs,
            "ratio_of_medians": ratio,
            "per_round_ratios": per_round,
            "target": "<= 1.02",
            "met": ratio <= 1.02,
        },
        "repeatability": {"medians_ms": five, "cv": cv(five)},
        "repeatability_pinned": {
            "cpus": args.cpus,
            "threads": 1,
            "medians_ms": pinned_medians,
            "cv": cv(pinned_medians),
            "target": "<= 0.02",
            "met": cv(pinned_medians) <= 0.02,
            "valid": [d["valid"] for d in pinned],
            "others_cpu_share": [d["others_cpu_share"] for d in pinned],
            "load_avg_1m": [load_before, load_after],
            "cpu_count": os.cpu_count(),
        },
        "cold_run": {
            "wall_s": cold_wall,
            "artifact_reused": cold["artifact_reused"],
            "target_s": 60,
            "met": cold_wall < 60,
        },
        "cached_run": {
            "wall_s": cached_wall,
            "artifact_reused": cached["artifact_reused"],
            "iterations_s": iter_s,
            "target_s": 10 + iter_s,
            "met": cached_wall < 10 + iter_s,
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    o = report["overhead"]
    print(f"model {args.model}, {args.iterations} timed iterations, project {project}")
    print(
        f"overhead: benchctl median {statistics.median(ours):.4f} ms vs bare onnxruntime "
        f"{statistics.median(theirs):.4f} ms → ratio {ratio:.4f} (target ≤ 1.02: "
        f"{'met' if o['met'] else 'NOT met'}); per-round ratios "
        + ", ".join(f"{r:.3f}" for r in per_round)
    )
    print(
        "repeatability: five separate `benchctl run` medians "
        + ", ".join(f"{m:.4f}" for m in five)
        + f" ms → CV {report['repeatability']['cv']:.2%}"
    )
    p = report["repeatability_pinned"]
    print(
        f"repeatability pinned (--cpus {args.cpus} --threads 1): medians "
        + ", ".join(f"{m:.4f}" for m in pinned_medians)
        + f" ms → CV {p['cv']:.2%} (target ≤ 2 %: {'met' if p['met'] else 'NOT met'}); valid "
        + ", ".join(str(v) for v in p["valid"])
        + "; others' share of the pinned CPU "
        + ", ".join(f"{o:.0%}" if o is not None else "?" for o in p["others_cpu_share"])
        + f"; load {load_before:.1f} → {load_after:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"cold first run: {cold_wall:.1f} s wall (target < 60 s)")
    print(
        f"cached rerun: {cached_wall:.1f} s wall, of which the iterations {iter_s:.1f} s "
        f"(target < {10 + iter_s:.1f} s); artifact reused: {cached['artifact_reused']}"
    )


if __name__ == "__main__":
    main()
