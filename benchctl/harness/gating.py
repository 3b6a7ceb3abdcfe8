"""Thermal and battery gating: is the device fit to measure, and did it stay fit?

A hot or battery-starved device gives slow numbers that look like regressions. Before a run the
host reads a snapshot (Android `dumpsys thermalservice`/`dumpsys battery`, Linux
`/sys/class/thermal` and `/sys/class/power_supply`, iOS from the app's own result) and either
starts, waits (a cooldown that ends when the device is back under its threshold, never a fixed
sleep), or refuses with the reason. After the run it records the snapshot again and flags a
within-run drift (late samples slower than early ones).

Snapshot keys (all optional): `thermal_status` (a name on the platform's scale), `max_temp_c`,
`battery_pct`, `battery_temp_c`, `charging`, `platform`.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from benchctl.errors import BenchError, ConfigError

# Ordered thermal scales: Android PowerManager.THERMAL_STATUS_*, iOS ProcessInfo.ThermalState.
ANDROID_THERMAL = ("none", "light", "moderate", "severe", "critical", "emergency", "shutdown")
IOS_THERMAL = ("nominal", "fair", "serious", "critical")


class GateRefused(BenchError):
    """The device is not fit to measure; carries the status and error code of the run row."""

    def __init__(self, message: str, *, code: str, status: str = "error") -> None:
        super().__init__(message)
        self.code = code
        self.status = status


# Chosen from scripts/noise_quality.py on this project's 2-core VM (2026-12-01, 40 quiet and 40
# hogged runs of mobileone_s0, 1000 iterations, pinned): quiet runs' first-vs-last-10 % change had
# a median of 7 %, so 5 % flagged 57 % of quiet runs and 10 % flagged 35 %; 30 % is the smallest
# tried that flagged none (0 of 40) while catching every hogged run (40 of 40). A device that
# needs a tighter limit (a phone's thermal steps) sets `drift_threshold` in its [gates].
DRIFT_THRESHOLD = 0.30


@dataclass(frozen=True)
class Gates:
    """Per-device limits (set in the inventory; these defaults follow androidx Benchmark)."""

    max_thermal: str | None = None  # highest allowed thermal_status name; None: the scale's first
    max_temp_c: float | None = None  # highest allowed max_temp_c (Linux boards); None: no limit
    min_battery_pct: float = 25.0  # below this a phone throttles even when plugged in
    cooldown_timeout_s: float = 600.0  # give up waiting after this long
    poll_s: float = 5.0  # how often to re-read while cooling down
    drift_threshold: float = DRIFT_THRESHOLD  # flag when late samples' median moves more than this

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> Gates:
        """Gates from a device's `[gates]` table; a misspelt key or level is an error, never a
        silently kept default."""
        known = sorted(cls.__dataclass_fields__)
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise ConfigError(f"unknown gate setting(s) {unknown}; known: {', '.join(known)}")
        level = options.get("max_thermal")
        if level is not None and level not in ANDROID_THERMAL + IOS_THERMAL:
            raise ConfigError(
                f"max_thermal {level!r}: use one of "
                f"{', '.join(ANDROID_THERMAL)} (Android) or "
                f"{', '.join(IOS_THERMAL)} (iOS)"
            )
        return cls(**options)


def thermal_level(status: str | None) -> tuple[int, tuple[str, ...]] | None:
    """The position of a thermal status on its platform's scale (None when unknown)."""
    if status is None:
        return None
    name = status.lower()
    for scale in (ANDROID_THERMAL, IOS_THERMAL):
        if name in scale:
            return scale.index(name), scale
    return None


def thermal_reasons(snap: dict[str, Any], gates: Gates) -> list[str]:
    """Why the device is too hot to measure now (empty: cool enough)."""
    reasons = []
    level = thermal_level(snap.get("thermal_status"))
    if level is not None:
        index, scale = level
        limit = scale.index(gates.max_thermal) if gates.max_thermal in scale else 0
        if index > limit:
            reasons.append(f"thermal status is {scale[index]} (allowed: up to {scale[limit]})")
    temp = snap.get("max_temp_c")
    if gates.max_temp_c is not None and temp is not None and temp > gates.max_temp_c:
        reasons.append(f"hottest sensor at {temp:.1f} °C (allowed: ≤ {gates.max_temp_c:.1f} °C)")
    return reasons


def check_battery(snap: dict[str, Any], gates: Gates) -> None:
    """Refuse a phone whose battery is below the limit (waiting would mean charging)."""
    pct = snap.get("battery_pct")
    if pct is not None and pct < gates.min_battery_pct:
        raise GateRefused(
            f"battery at {pct:g} % is below {gates.min_battery_pct:g} %; phones throttle on low "
            "battery even when plugged in — charge it and run again",
            code="LOW_BATTERY",
        )


def wait_until_cool(
    read: Callable[[], dict[str, Any]],
    gates: Gates,
    *,
    on_wait: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[dict[str, Any], float]:
    """Poll `read()` until the device is under its thermal threshold.

    Returns the first cool snapshot and the seconds spent waiting; raises `GateRefused`
    (status `thermal_abort`) when `gates.cooldown_timeout_s` passes first.
    """
    started = clock()
    while True:
        snap = read()
        reasons = thermal_reasons(snap, gates)
        waited = clock() - started
        if not reasons:
            return snap, waited
        if waited >= gates.cooldown_timeout_s:
            raise GateRefused(
                f"device still too hot after {waited:.0f} s of cooldown: {'; '.join(reasons)}; "
                "let it cool or raise the limit in the device's gates",
                code="THERMAL_LIMIT",
                status="thermal_abort",
            )
        if on_wait is not None:
            on_wait(f"cooling down ({'; '.join(reasons)}), {waited:.0f} s so far")
        sleep(min(gates.poll_s, max(0.0, gates.cooldown_timeout_s - waited)))


def drift(
    samples: Sequence[int], *, fraction: float = 0.1, threshold: float = DRIFT_THRESHOLD
) -> dict | None:
    """Compare the median of the first and the last `fraction` of the samples.

    A late median more than `threshold` away from the early one means the device changed state
    during the run (thermal throttling, a background job): the run is flagged, not discarded.
    None for fewer than 20 samples (too few to split).
    """
    n = len(samples)
    if n < 20:
        return None
    k = max(5, int(n * fraction))
    early = statistics.median(samples[:k])
    late = statistics.median(samples[-k:])
    change = (late - early) / early if early else 0.0
    return {
        "window": k,
        "early_median_ns": early,
        "late_median_ns": late,
        "change": round(change, 6),
        "threshold": threshold,
        "flagged": abs(change) > threshold,
    }


# --- parsers for what devices print ----------------------------------------------------------


def parse_getprop(text: str) -> dict[str, str]:
    """`[ro.product.model]: [Pixel 8]` lines → {"ro.product.model": "Pixel 8"}."""
    return dict(re.findall(r"^\[([^\]]+)\]: \[(.*)\]\s*$", text, flags=re.MULTILINE))


def parse_thermalservice(text: str) -> dict[str, Any]:
    """`dumpsys thermalservice`: the status line and the hottest HAL temperature."""
    out: dict[str, Any] = {}
    m = re.search(r"Thermal Status:\s*(\d+)", text)
    if m:
        index = int(m.group(1))
        out["thermal_status"] = (
            ANDROID_THERMAL[index] if index < len(ANDROID_THERMAL) else f"level{index}"
        )
    temps = [
        float(v)
        for v in re.findall(r"Temperature\{mValue=([-\d.]+)", text)
        if float(v) > -100  # HALs report missing sensors as very negative values
    ]
    if temps:
        out["max_temp_c"] = max(temps)
    return out


def parse_dumpsys_battery(text: str) -> dict[str, Any]:
    """`dumpsys battery`: level (%), temperature (tenths of °C), plugged-in state."""
    # `[ \t]`, never `\s`: `\s` crosses newlines, and the header line "Current Battery Service
    # state:" would swallow the next line ("  AC powered: true") as its value.
    fields = dict(
        re.findall(r"^[ \t]*([A-Za-z][A-Za-z ]*):[ \t]*(\S.*?)[ \t]*$", text, flags=re.MULTILINE)
    )
    out: dict[str, Any] = {}
    if "level" in fields and fields["level"].lstrip("-").isdigit():
        scale = int(fields.get("scale", "100") or 100)
        out["battery_pct"] = round(int(fields["level"]) * 100 / (scale or 100), 1)
    if "temperature" in fields and fields["temperature"].lstrip("-").isdigit():
        out["battery_temp_c"] = int(fields["temperature"]) / 10.0
    powered = [fields.get(k, "false") for k in ("AC powered", "USB powered", "Wireless powered")]
    if any(k in fields for k in ("AC powered", "USB powered")):
        out["charging"] = any(p.strip() == "true" for p in powered)
    return out


# One line per sysfs file: `<path> <value>` (written by LINUX_SNAPSHOT_SH on the device).
LINUX_SNAPSHOT_SH = (
    "for f in /sys/class/thermal/thermal_zone*/temp /sys/class/power_supply/*/capacity "
    '/sys/class/power_supply/*/status; do [ -r "$f" ] && echo "$f $(cat "$f" 2>/dev/null)"; '
    "done; true"
)


def parse_linux_snapshot(text: str) -> dict[str, Any]:
    """Output of LINUX_SNAPSHOT_SH → hottest zone (°C), battery percent and charging state."""
    temps: list[float] = []
    out: dict[str, Any] = {"platform": "linux"}
    for line in text.splitlines():
        path, _, value = line.strip().partition(" ")
        value = value.strip()
        if path.endswith("/temp") and value.lstrip("-").isdigit():
            temps.append(int(value) / 1000.0)
        elif path.endswith("/capacity") and value.isdigit():
            out["battery_pct"] = float(value)
        elif path.endswith("/status") and value:
            out["charging"] = value.lower() in ("charging", "full")
    if temps:
        out["max_temp_c"] = max(temps)
    return out
