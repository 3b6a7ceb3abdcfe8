"""Facts about the machine a runner runs on, read with the standard library only."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo (Linux, Android), else what platform says."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:  # not Linux: platform's answer is all there is
        lines = []
    for line in lines:
        if line.lower().startswith(("model name", "hardware", "cpu model")):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def device_facts() -> dict[str, Any]:
    return {
        "platform": platform.system().lower(),
        "machine": platform.machine(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "os_release": platform.release(),
        "os_version": platform.version(),
        "python": platform.python_version(),
        "hostname": platform.node(),
    }


def thermal_snapshot() -> dict[str, Any]:
    """Linux thermal zones (°C) and the 1-minute load average, for before/after comparison."""
    zones: dict[str, float] = {}
    for zone in sorted(Path("/sys/class/thermal").glob("thermal_zone*")):
        try:
            kind = (zone / "type").read_text().strip()
            zones[f"{zone.name}:{kind}"] = int((zone / "temp").read_text().strip()) / 1000.0
        except (OSError, ValueError):
            continue
    snap: dict[str, Any] = {
        "thermal_zones_c": zones,
        "max_temp_c": max(zones.values(), default=None),
    }
    try:
        snap["load_avg_1m"] = os.getloadavg()[0]
    except OSError:
        snap["load_avg_1m"] = None
    return snap
