"""Measure the regression detector on synthetic histories: detection and false-alarm rates.

Each history is a series of per-run medians with multiplicative (log-normal) run-to-run noise,
and optionally a step, a slow drift or outlier nights (`benchctl.results.regress.simulate`).
Three measurements, each over `--trials` seeded histories per cell:

1. Screen (Stage 1): 30 valid nights, then the newest. Detection = the newest is labelled
   `regression` when it carries a step; false alarm = any alert (regression, improvement,
   environment shift) when it does not.
2. Change points (Stage 3): 60 nights with a step after night 40. Detection = a change point at
   night 40 ± 2 with the step's sign; false alarm = any change point in a history without a step.
3. Slow drifts: a linear +10 % / +20 % over 60 nights, no step: how often the screen alerts on
   the newest night and how often the change-point pass reports a change.

    .venv/bin/python scripts/detector_quality.py [--trials 300] [--seed 0] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import numpy as np

from benchctl.results.regress.changepoint import change_points
from benchctl.results.regress.screen import screen
from benchctl.results.regress.settings import DetectorSettings
from benchctl.results.regress.simulate import Scenario, points, scenario_points, values

NOISES = (0.005, 0.01, 0.02, 0.05)
STEPS = (0.03, 0.05, 0.10, 0.20)
ALERTS = {"regression", "improvement", "environment_shift"}


def rate(hits: int, n: int) -> float:
    return hits / n if n else float("nan")


def screen_cell(noise: float, step: float, outliers: float, trials: int, rng: Any) -> float:
    s = DetectorSettings()
    hits = 0
    for _ in range(trials):
        sc = Scenario(
            n=31, noise=noise, step=step, step_at=30 if step else None, outlier_rate=outliers
        )
        y = values(sc, rng)
        if outliers:  # outlier nights in the history only: the newest night is a normal one
            y[-1] = sc.level_ms * 1e6 * np.exp(rng.normal(0.0, noise))
        label = screen(points(y, new_artifact_at=[30] if step else []), s).label
        hits += (label == "regression") if step > 0 else (label in ALERTS)
    return rate(hits, trials)


def changepoint_cell(noise: float, step: float, trials: int, rng: Any) -> float:
    s = DetectorSettings()
    hits = 0
    for _ in range(trials):
        y = values(Scenario(n=60, noise=noise, step=step, step_at=40 if step else None), rng)
        splits = change_points(
            y,
            min_segment=s.min_segment,
            max_pvalue=s.max_pvalue,
            min_magnitude=s.rel_threshold,
            penalty=s.penalty,
        )
        if step:
            hits += any(abs(sp.index - 40) <= 2 and sp.rel_change * step > 0 for sp in splits)
        else:
            hits += bool(splits)
    return rate(hits, trials)


def drift_cell(noise: float, drift: float, trials: int, rng: Any) -> tuple[float, float]:
    s = DetectorSettings()
    alerts = changes = 0
    for _ in range(trials):
        pts = scenario_points(Scenario(n=60, noise=noise, drift=drift), rng)
        alerts += screen(pts, s).label in ALERTS
        y = [p.value_ns for p in pts]
        changes += bool(
            change_points(
                y,
                min_segment=s.min_segment,
                max_pvalue=s.max_pvalue,
                min_magnitude=s.rel_threshold,
                penalty=s.penalty,
            )
        )
    return rate(alerts, trials), rate(changes, trials)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    doc: dict[str, Any] = {
        "trials": args.trials,
        "seed": args.seed,
        "settings": DetectorSettings().__dict__,
    }
    doc["screen"] = [
        {
            "noise": nz,
            "false_alarm": screen_cell(nz, 0.0, 0.0, args.trials, rng),
            "false_alarm_with_outliers": screen_cell(nz, 0.0, 0.05, args.trials, rng),
            "detection": {f"{st:.0%}": screen_cell(nz, st, 0.0, args.trials, rng) for st in STEPS},
        }
        for nz in NOISES
    ]
    doc["change_points"] = [
        {
            "noise": nz,
            "false_alarm": changepoint_cell(nz, 0.0, args.trials, rng),
            "detection": {f"{st:.0%}": changepoint_cell(nz, st, args.trials, rng) for st in STEPS},
        }
        for nz in NOISES
    ]
    doc["drift"] = [
        {"noise": nz, "drift": d, "screen_alert": a, "change_point": c}
        for nz in NOISES
        for d in (0.10, 0.20)
        for a, c in [drift_cell(nz, d, args.trials, rng)]
    ]
    doc["seconds"] = round(time.perf_counter() - t0, 1)
    if args.json:
        json.dump(doc, sys.stdout, indent=2)
        print()
        return 0
    print(f"## Detector quality ({args.trials} synthetic histories per cell, seed {args.seed})\n")
    steps = " | ".join(f"step +{st:.0%}" for st in STEPS)
    print("### Screen: newest night vs 30 earlier nights\n")
    print(f"| run-to-run noise | false alarms | false alarms, 5 % outlier nights | {steps} |")
    print("|---|---|---|" + "---|" * len(STEPS))
    for r in doc["screen"]:
        det = " | ".join(f"{v:.1%}" for v in r["detection"].values())
        print(
            f"| {r['noise']:.1%} | {r['false_alarm']:.1%} | "
            f"{r['false_alarm_with_outliers']:.1%} | {det} |"
        )
    print("\n### Change points: 60 nights, step after night 40 (found at 40 ± 2)\n")
    print(f"| run-to-run noise | false alarms (any change point) | {steps} |")
    print("|---|---|" + "---|" * len(STEPS))
    for r in doc["change_points"]:
        det = " | ".join(f"{v:.1%}" for v in r["detection"].values())
        print(f"| {r['noise']:.1%} | {r['false_alarm']:.1%} | {det} |")
    print("\n### Slow drifts over 60 nights (no step)\n")
    print(
        "| run-to-run noise | drift | screen alerts on the newest night | change point reported |"
    )
    print("|---|---|---|---|")
    for r in doc["drift"]:
        print(
            f"| {r['noise']:.1%} | +{r['drift']:.0%} | {r['screen_alert']:.1%} | "
            f"{r['change_point']:.1%} |"
        )
    print(f"\n{doc['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
