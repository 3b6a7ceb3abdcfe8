"""Stage 0, the validity gate: may this result stand in a series' history?

A result is valid when it ran to completion on the accelerator that was asked for, on a device
that was not hot, without drifting during the run (MLPerf's isResultValid; conbench drops errored
results). Invalid results are kept and shown, never used as a baseline and never alerted on as a
latency change.

Where the facts come from (the harness's gating records them; older runs and other runners may
carry only some):

- `environment.host` (written by the host's gating): `before`/`after` snapshots, `drift` (the
  within-run check against the device's own threshold) and `warnings` (HOT-AFTER,
  THERMAL-ROSE, DRIFT);
- `environment.before` / `environment.after` (written by the runner or a phone app):
  `thermal_state` or `thermal_status` (iOS `ProcessInfo.ThermalState` or Android `PowerManager`
  names, one severity scale) and `max_temp_c`.

When the harness recorded no drift check, the gate computes one from the samples
(`max_drift`, first vs last 10 %).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchctl.results.regress.settings import DetectorSettings
from benchctl.runner.contention import assess

# iOS: nominal, fair, serious, critical. Android: none, light, moderate, severe, critical,
# emergency, shutdown. One scale, so one setting (`max_thermal_level`) gates both.
THERMAL_LEVELS = {
    "nominal": 0,
    "none": 0,
    "fair": 1,
    "light": 1,
    "serious": 2,
    "moderate": 2,
    "severe": 3,
    "critical": 4,
    "emergency": 5,
    "shutdown": 6,
}


@dataclass(frozen=True)
class Validity:
    """The gate's verdict on one result; `reasons` is empty when it is valid."""

    reasons: tuple[str, ...]
    drift: float | None  # late/early median ratio − 1 (either sign fails); None: not measured

    @property
    def valid(self) -> bool:
        return not self.reasons


def within_run_drift(
    samples: Sequence[int] | np.ndarray, fraction: float, min_samples: int
) -> float | None:
    """median(last `fraction` of samples) / median(first `fraction`) − 1; None if too few."""
    n = len(samples)
    if n < min_samples:
        return None
    k = max(1, int(n * fraction))
    x = np.asarray(samples)
    early, late = _sorted_median(np.sort(x[:k])), _sorted_median(np.sort(x[-k:]))
    return late / early - 1.0 if early > 0 else None


def _sorted_median(s: np.ndarray) -> float:
    """The median of sorted values, as `np.median` gives it (the mean of the two middle values
    of an even count, in float64: the same bits), without its per-call overhead, which was most
    of the validity gate's time over a year of runs (`scripts/scale_bench.py`)."""
    half = s.size // 2
    if s.size % 2:
        return float(s[half])
    return (float(s[half - 1]) + float(s[half])) / 2.0


HOST_WARNINGS = {
    "HOT-AFTER": "device over its thermal limit after the run",
    "THERMAL-ROSE": "thermal state rose during the run",
    "ACCELERATOR-SHARE-LOW": "too few operations planned on the requested unit (Core ML)",
}


def _snapshots(environment: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    host = environment.get("host") or {}
    out = []
    for when in ("before", "after"):
        for source in (environment, host):
            snap = source.get(when)
            if isinstance(snap, dict):
                out.append((when, snap))
    return out


def _thermal_reasons(environment: dict[str, Any], settings: DetectorSettings) -> list[str]:
    reasons: list[str] = []
    for when, snap in _snapshots(environment):
        state = snap.get("thermal_state") or snap.get("thermal_status")
        if isinstance(state, str):
            level = THERMAL_LEVELS.get(state.lower())
            if level is None:
                reasons.append(f"unknown thermal state {state!r} {when} the run")
            elif level > settings.max_thermal_level:
                reasons.append(f"thermal state {state} {when} the run")
        temp = snap.get("max_temp_c")
        if (
            when == "before"
            and settings.max_temp_c is not None
            and isinstance(temp, int | float)
            and temp > settings.max_temp_c
        ):
            reasons.append(f"device at {temp:.1f} °C before the run (limit {settings.max_temp_c})")
    host = environment.get("host") or {}
    for warning in host.get("warnings") or []:
        if warning in HOST_WARNINGS:
            reasons.append(HOST_WARNINGS[warning])
    return list(dict.fromkeys(reasons))  # the same fact from two sources counts once


def _recorded_drift(environment: dict[str, Any]) -> dict[str, Any] | None:
    recorded = (environment.get("host") or {}).get("drift")
    if isinstance(recorded, dict) and isinstance(recorded.get("change"), int | float):
        return recorded
    return None


# The run columns that hold the drift computed at ingest (`stored_drift`): readers that select
# columns add these to the gate's inputs.
STORED_DRIFT_COLUMNS = ("sample_drift", "sample_drift_fraction")
NOT_STORED: tuple[bool, float | None] = (False, None)


def stored_drift(row: Any, settings: DetectorSettings) -> tuple[bool, float | None]:
    """(known, drift): the within-run drift the store computed at ingest (`store.drift_values`),
    which is what `within_run_drift(samples, settings.drift_fraction, settings.min_drift_samples)`
    gives on the run's samples; not known when it cannot stand for that: not computed, computed
    at another fraction than the settings', or a run that is not ok (readers give the gate the
    samples of ok runs only). `min_drift_samples` acts through the count alone, which is the
    stored `sample_count` (ingest stores a drift only for the samples it counted)."""
    fraction = getattr(row, "sample_drift_fraction", None)
    if fraction is None or fraction != settings.drift_fraction or row.status != "ok":
        return NOT_STORED
    if (row.sample_count or 0) < settings.min_drift_samples:
        return True, None
    return True, row.sample_drift


def needs_samples(row: Any, settings: DetectorSettings) -> bool:
    """Whether the gate would read this run's samples: only an ok run whose harness recorded
    no drift check of its own and whose drift the store did not compute at ingest (so readers
    of many runs decode only those: older runs, or a config with another `drift_fraction`)."""
    return (
        row.status == "ok"
        and _recorded_drift(row.environment or {}) is None
        and not stored_drift(row, settings)[0]
    )


def _drift(
    environment: dict[str, Any],
    samples: Sequence[int] | np.ndarray | None,
    settings: DetectorSettings,
    stored: tuple[bool, float | None] = NOT_STORED,
) -> tuple[float | None, bool]:
    """(drift, flagged): the harness's recorded change (judged by the device's own
    `drift_threshold` where its inventory sets one, else by `max_drift`, so `[detector]
    max_drift` in regress.toml governs), else ours on the samples (or the same figure stored
    at ingest, `stored`, when no samples are given)."""
    recorded = _recorded_drift(environment)
    if recorded is not None:
        change = float(recorded["change"])
        if recorded.get("device_threshold") is False:
            return change, abs(change) > settings.max_drift
        return change, bool(recorded.get("flagged"))
    if samples is not None and len(samples) > 0:
        drift = within_run_drift(samples, settings.drift_fraction, settings.min_drift_samples)
    elif samples is None and stored[0]:
        drift = stored[1]
    else:
        return None, False
    return drift, drift is not None and abs(drift) > settings.max_drift


def check_validity(
    *,
    status: str,
    sample_count: int | None,
    iterations_requested: int,
    accelerator_requested: str,
    accelerator_actual: str | None,
    environment: dict[str, Any] | None,
    samples: Sequence[int] | np.ndarray | None,
    settings: DetectorSettings,
    stored: tuple[bool, float | None] = NOT_STORED,
) -> Validity:
    """Every reason the result cannot join a history (empty: it can); `stored`: the drift the
    store computed at ingest (`stored_drift`), used when `samples` is None."""
    reasons: list[str] = []
    if status != "ok":
        reasons.append(f"status {status}")
    count = sample_count or 0
    if status == "ok" and count < iterations_requested:
        reasons.append(f"incomplete: {count} of {iterations_requested} iterations")
    if status == "ok" and accelerator_actual is None:
        reasons.append("accelerator actually used was not reported")
    elif accelerator_actual is not None and accelerator_actual != accelerator_requested:
        reasons.append(f"ran on {accelerator_actual}, not the requested {accelerator_requested}")
    env = environment or {}
    reasons.extend(_thermal_reasons(env, settings))
    drift, flagged = _drift(env, samples, settings, stored)
    if flagged and drift is not None:
        reasons.append(f"latency drifted {drift * 100:+.1f} % within the run")
    reasons.extend(_contention_reasons(env, settings))
    reasons.extend(_placement_reasons(env))
    return Validity(tuple(reasons), drift)


def _contention_reasons(environment: dict[str, Any], settings: DetectorSettings) -> list[str]:
    """`noisy`: others took a meaningful share of the runner's CPUs (re-judged here with the
    series' settings from the figures the runner or the host recorded, not its verdict)."""
    reasons: list[str] = []
    for doc in (environment.get("contention"), (environment.get("host") or {}).get("contention")):
        if isinstance(doc, dict):
            limits = {
                "max_others_share": settings.max_others_share,
                "max_others_share_window": settings.max_others_share_window,
                "max_run_delay_share": settings.max_run_delay_share,
            }
            reasons.extend(f"noisy: {r}" for r in assess(doc, limits)[1])
    return reasons


def _placement_reasons(environment: dict[str, Any]) -> list[str]:
    """Threads beyond the cores (allowed explicitly), and a CI target the run did not reach."""
    reasons = []
    placement = environment.get("placement") or {}
    threads, cpus = placement.get("threads"), placement.get("cpus")
    if isinstance(threads, int) and isinstance(cpus, list) and cpus and threads > len(cpus):
        reasons.append(f"threads beyond cores: {threads} threads on {len(cpus)} CPUs")
    precision = environment.get("precision") or {}
    target, reached = precision.get("target_ci"), precision.get("ci_rel")
    if isinstance(target, int | float) and (
        not isinstance(reached, int | float) or reached > target
    ):
        shown = "unknown" if not isinstance(reached, int | float) else f"±{reached * 100:.2f} %"
        reasons.append(
            f"precision target not met: median CI {shown} > ±{target * 100:.2f} % "
            f"(stopped by {environment.get('stopped_by')})"
        )
    return reasons


def check_row(
    row: Any, samples: Sequence[int] | np.ndarray | None, settings: DetectorSettings
) -> Validity:
    """`check_validity` for a stored `RunRow` (or a row of its columns): without `samples`, the
    drift computed at ingest where the row carries it (`STORED_DRIFT_COLUMNS`)."""
    return check_validity(
        status=row.status,
        sample_count=row.sample_count,
        iterations_requested=row.iterations_requested,
        accelerator_requested=row.accelerator_requested,
        accelerator_actual=row.accelerator_actual,
        environment=row.environment,
        samples=samples,
        settings=settings,
        stored=stored_drift(row, settings) if samples is None else NOT_STORED,
    )
