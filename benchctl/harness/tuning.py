"""Is this machine set up for quiet numbers? `devices doctor host`'s tuning checks, after
`pyperf system show`: CPU frequency governor, turbo, SMT, isolated CPUs and load, each with
what was found and the command that fixes it. Advisory: an untuned machine can still run, but
its numbers move with clocks and neighbours (the runner then flags `noisy`).

Read from Linux sysfs and procfs; where a file is absent (a VM has no cpufreq) the check says
what that means instead of guessing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SYS_CPU = Path("/sys/devices/system/cpu")


@dataclass(frozen=True)
class Tuning:
    name: str
    good: bool
    detail: str
    fix: str | None = None


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _cpus(root: Path) -> list[Path]:
    return sorted(
        (p for p in root.glob("cpu[0-9]*") if p.name[3:].isdigit()), key=lambda p: int(p.name[3:])
    )


def governor(root: Path = SYS_CPU) -> Tuning:
    found = {c.name: _read(c / "cpufreq" / "scaling_governor") for c in _cpus(root)}
    known = {k: v for k, v in found.items() if v}
    if not known:
        return Tuning(
            "governor",
            True,
            "no cpufreq in this kernel (a VM, or a fixed clock): the clock is not set here",
        )
    kinds = sorted(set(known.values()))
    if kinds == ["performance"]:
        return Tuning("governor", True, f"performance on all {len(known)} CPUs")
    return Tuning(
        "governor",
        False,
        f"{', '.join(kinds)} (clocks follow the load: early samples run slower)",
        "sudo cpupower frequency-set -g performance  (or: python -m pyperf system tune)",
    )


def turbo(root: Path = SYS_CPU) -> Tuning:
    no_turbo = _read(root / "intel_pstate" / "no_turbo")
    if no_turbo is not None:
        if no_turbo == "1":
            return Tuning("turbo", True, "Turbo Boost off (intel_pstate)")
        return Tuning(
            "turbo",
            False,
            "Turbo Boost on: the clock depends on temperature and on the other cores' load",
            "echo 1 | sudo tee /sys/devices/system/cpu/intel_pstate/no_turbo",
        )
    boost = _read(root / "cpufreq" / "boost")
    if boost is not None:
        if boost == "0":
            return Tuning("turbo", True, "boost off (cpufreq)")
        return Tuning(
            "turbo",
            False,
            "frequency boost on: the clock depends on temperature and on the other cores' load",
            "echo 0 | sudo tee /sys/devices/system/cpu/cpufreq/boost",
        )
    return Tuning("turbo", True, "no turbo control exposed (a VM, or a CPU without one)")


def smt(root: Path = SYS_CPU) -> Tuning:
    control = _read(root / "smt" / "control")
    if control in (None, "notsupported", "notimplemented"):
        return Tuning("smt", True, "no SMT (hyper-threading) on this CPU or VM")
    if control in ("off", "forceoff"):
        return Tuning("smt", True, "SMT off")
    return Tuning(
        "smt",
        False,
        "SMT on: a sibling hardware thread shares the core with the runner",
        "echo off | sudo tee /sys/devices/system/cpu/smt/control  "
        "(or pin with --cpus to one thread per core)",
    )


def isolated(root: Path = SYS_CPU) -> Tuning:
    text = _read(root / "isolated")
    if text:
        return Tuning("isolated cpus", True, f"{text} isolated: run with --cpus {text}")
    return Tuning(
        "isolated cpus",
        False,
        "none: every CPU also runs the rest of the system",
        "boot with isolcpus=2-3 nohz_full=2-3 rcu_nocbs=2-3 (for example), then --cpus 2-3",
    )


def load(ncpu: int | None = None) -> Tuning:
    if ncpu is None:
        ncpu = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    try:
        one = os.getloadavg()[0]
    except OSError:
        return Tuning("load", True, "the OS gives no load average")
    if one <= 0.1 * ncpu:
        return Tuning("load", True, f"{one:.2f} on {ncpu} CPUs")
    return Tuning(
        "load",
        False,
        f"{one:.2f} on {ncpu} CPUs: other work is running; runs now are likely flagged noisy",
        "wait for a quiet moment (see `top`), or pin away from the load with --cpus",
    )


def host_tuning(root: Path = SYS_CPU) -> list[Tuning]:
    return [governor(root), turbo(root), smt(root), isolated(root), load()]
