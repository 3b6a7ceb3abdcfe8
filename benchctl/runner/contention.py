"""What else used the CPUs while the timed loop ran: measured, recorded, judged.

Drift checks and history cannot see contention that lasts a whole run (a run stored a 2164 ms
median at CV 0.5 % while another process oversubscribed the machine; the quiet figure is
24 ms). Only measuring the machine can. The `Monitor` reads, at the start of the timed loop,
between chunks of timed calls (at most every `interval_s`, never inside a timed call) and at
its end, on Linux (hosts, SSH boards, anything with /proc):

- `/proc/stat`, per CPU of the runner's affinity set: busy jiffies; minus the runner's own CPU
  time (`getrusage`, all its threads) they are the share *others* took of those CPUs;
  `steal` is the share a hypervisor gave to other guests;
- `/proc/self/task/*/schedstat`: the time the runner's own threads spent runnable but waiting
  for a CPU (run delay; the most direct sign that something else had the CPU);
- `getrusage` involuntary context switches; `/proc/pressure/cpu` (PSI "some"), system-wide;
- load average and the most runnable tasks (`procs_running`);
- CPU frequency (`scaling_cur_freq`), governor, and thermal-throttle counters
  (`thermal_throttle/*_throttle_count`, x86) where the kernel exposes them.

A signal the machine does not offer is listed in `missing`, never guessed. `assess` turns the
figures into `noisy` and its reasons with thresholds chosen from `scripts/noise_quality.py`
(the defaults below; the host's validity gate re-judges with its own settings). Android phones
get the same `/proc/stat` reading and `dumpsys cpuinfo` through adb from the host
(`android_contention`); iOS offers apps no view of other processes' CPU use from outside (see
docs/architecture.md, "Contention").

Only the standard library is used here: this module runs on devices too.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Chosen from scripts/noise_quality.py (see docs/architecture.md, "Contention" for the figures).
DEFAULT_THRESHOLDS = {
    "max_others_share": 0.10,  # others' share of the runner's CPUs over the whole loop
    "max_others_share_window": 0.30,  # … in any one window of ≥ interval_s
    "max_run_delay_share": 0.10,  # the runner's threads waiting for a CPU, per second of loop
}
INTERVAL_S = 0.25  # the shortest window between two readings (jiffies are 10 ms)
MIN_WINDOW_S = 0.2  # shorter windows (the last one) are left out of the per-window maxima
MAX_WINDOWS = 240  # windows kept in the result; longer runs merge neighbours
_BUSY = (0, 1, 2, 5, 6, 7)  # user nice system irq softirq steal (idle=3, iowait=4 are idle)
_STEAL = 7


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def parse_proc_stat(text: str) -> dict[str, Any]:
    """`/proc/stat` → {"cpus": {id: (busy, total, steal) jiffies}, "procs_running": n}."""
    cpus: dict[int, tuple[int, int, int]] = {}
    running = None
    for line in text.splitlines():
        if line.startswith("cpu") and line[3:4].isdigit():
            name, *values = line.split()
            ticks = [int(v) for v in values[:8]] + [0] * (8 - len(values[:8]))
            busy = sum(ticks[i] for i in _BUSY)
            cpus[int(name[3:])] = (busy, busy + ticks[3] + ticks[4], ticks[_STEAL])
        elif line.startswith("procs_running"):
            running = int(line.split()[1])
    return {"cpus": cpus, "procs_running": running}


@dataclass
class Reading:
    t_ns: int
    done: int  # timed samples taken when this was read
    busy: int | None  # jiffies, summed over the watched CPUs
    total: int | None
    steal: int | None
    own_cpu_s: float | None
    nivcsw: int | None
    run_delay_ns: int | None
    psi_some_us: int | None
    procs_running: int | None
    freq_khz: list[int] = field(default_factory=list)
    throttle: int | None = None


def _own_run_delay_ns() -> int | None:
    total, seen = 0, False
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return None
    for tid in tasks:
        text = _read(f"/proc/self/task/{tid}/schedstat")
        if text:
            parts = text.split()
            if len(parts) >= 2:
                total += int(parts[1])
                seen = True
    return total if seen else None


def _psi_some_us() -> int | None:
    text = _read("/proc/pressure/cpu")
    m = re.search(r"^some .*total=(\d+)", text or "", flags=re.MULTILINE)
    return int(m.group(1)) if m else None


def _cpu_file(cpu: int, name: str) -> str | None:
    text = _read(f"/sys/devices/system/cpu/cpu{cpu}/{name}")
    return None if text is None else text.strip()


def affinity() -> list[int]:
    """The CPUs this process may run on (all of them where the OS cannot say)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


class Monitor:
    """Readings of the machine around and between the timed chunks; `result()` summarizes."""

    def __init__(
        self,
        cpus: Iterable[int] | None = None,
        *,
        interval_s: float = INTERVAL_S,
        thresholds: dict[str, float] | None = None,
    ) -> None:
        self.cpus = sorted(cpus) if cpus is not None else affinity()
        self.interval_ns = int(interval_s * 1e9)
        self.thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
        self.readings: list[Reading] = []
        self.tick_cost_ns = 0
        self._load: list[float | None] = []
        self._governors = sorted(
            {g for g in (_cpu_file(c, "cpufreq/scaling_governor") for c in self.cpus) if g}
        )
        self._freq_max = [
            int(v) for v in (_cpu_file(c, "cpufreq/cpuinfo_max_freq") for c in self.cpus) if v
        ]
        self._files()

    # --- readings ------------------------------------------------------------------------

    def _files(self) -> None:
        """Which per-CPU files exist, found once (a missing file is not re-tried each reading)."""
        base = "/sys/devices/system/cpu/cpu{}/"
        self._freq_files = [
            p for c in self.cpus if os.path.exists(p := base.format(c) + "cpufreq/scaling_cur_freq")
        ]
        self._throttle_files = [
            p
            for c in self.cpus
            for name in ("core_throttle_count", "package_throttle_count")
            if os.path.exists(p := base.format(c) + f"thermal_throttle/{name}")
        ]
        try:
            import resource

            self._rusage: Callable[[], Any] | None = lambda: resource.getrusage(
                resource.RUSAGE_SELF
            )
        except ImportError:  # not Unix: no per-process figures
            self._rusage = None

    def _reading(self, done: int) -> Reading:
        stat = _read("/proc/stat")
        parsed = parse_proc_stat(stat) if stat else {"cpus": {}, "procs_running": None}
        watched = [parsed["cpus"][c] for c in self.cpus if c in parsed["cpus"]]
        own_cpu = nivcsw = None
        if self._rusage is not None:
            ru = self._rusage()
            own_cpu, nivcsw = ru.ru_utime + ru.ru_stime, ru.ru_nivcsw
        freqs = [int(v) for v in map(_read, self._freq_files) if v and v.strip().isdigit()]
        throttles = [int(v) for v in map(_read, self._throttle_files) if v and v.strip().isdigit()]
        return Reading(
            t_ns=time.perf_counter_ns(),
            done=done,
            busy=sum(w[0] for w in watched) if watched else None,
            total=sum(w[1] for w in watched) if watched else None,
            steal=sum(w[2] for w in watched) if watched else None,
            own_cpu_s=own_cpu,
            nivcsw=nivcsw,
            run_delay_ns=_own_run_delay_ns(),
            psi_some_us=_psi_some_us(),
            procs_running=parsed["procs_running"],
            freq_khz=freqs,
            throttle=sum(throttles) if throttles else None,
        )

    def start(self) -> None:
        self._load.append(_loadavg())
        self.readings = [self._reading(0)]

    def tick(self, done: int) -> None:
        """Between chunks: read again if `interval_s` has passed since the last reading."""
        if not self.readings:
            return
        now = time.perf_counter_ns()
        if now - self.readings[-1].t_ns < self.interval_ns:
            return
        self.readings.append(self._reading(done))
        self.tick_cost_ns += time.perf_counter_ns() - now

    def stop(self, done: int) -> None:
        if self.readings and self.readings[-1].done != done:
            self.readings.append(self._reading(done))
        self._load.append(_loadavg())

    # --- summary ------------------------------------------------------------------------

    def result(self) -> dict[str, Any]:
        """The `contention` document: figures, what is missing, `noisy` and its reasons."""
        doc = summarize(
            self.readings,
            len(self.cpus),
            clock_ticks=_clock_ticks(),
        )
        doc["cpus"] = self.cpus
        doc["load_avg_1m"] = self._load
        doc["governors"] = self._governors
        if self._freq_max:
            doc["freq_max_mhz"] = max(self._freq_max) // 1000
        doc["monitor_cost_ms"] = round(self.tick_cost_ns / 1e6, 3)
        doc["noisy"], doc["reasons"] = assess(doc, self.thresholds)
        doc["thresholds"] = self.thresholds
        return doc


def _loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def _clock_ticks() -> int:
    try:
        return os.sysconf("SC_CLK_TCK")
    except (ValueError, OSError, AttributeError):
        return 100


def _delta(a: int | float | None, b: int | float | None) -> float | None:
    return None if a is None or b is None else b - a


def _window(a: Reading, b: Reading, ncpu: int, hz: int) -> dict[str, Any]:
    wall_s = (b.t_ns - a.t_ns) / 1e9
    busy, total = _delta(a.busy, b.busy), _delta(a.total, b.total)
    own = _delta(a.own_cpu_s, b.own_cpu_s)
    w: dict[str, Any] = {"from": a.done, "to": b.done, "wall_s": wall_s}
    if busy is not None and own is not None and wall_s > 0:
        # Capacity from the wall clock, not from the jiffy totals (which tick in 10 ms steps).
        w["others"] = min(1.0, max(0.0, (busy / hz - own) / (wall_s * ncpu)))
    if total:
        w["steal"] = _delta(a.steal, b.steal) / total  # type: ignore[operator]
    delay = _delta(a.run_delay_ns, b.run_delay_ns)
    if delay is not None and wall_s > 0:
        w["run_delay"] = delay / 1e9 / wall_s
    if own is not None and wall_s > 0:
        w["own"] = own / (wall_s * ncpu)
    return w


def _merge(windows: list[dict[str, Any]], keep: int) -> list[dict[str, Any]]:
    """Neighbouring windows merged (time-weighted) until at most `keep` remain."""
    while len(windows) > keep:
        merged = []
        for i in range(0, len(windows), 2):
            pair = windows[i : i + 2]
            wall = sum(w["wall_s"] for w in pair)
            m: dict[str, Any] = {"from": pair[0]["from"], "to": pair[-1]["to"], "wall_s": wall}
            for key in ("others", "steal", "run_delay", "own"):
                if all(key in w for w in pair) and wall > 0:
                    m[key] = sum(w[key] * w["wall_s"] for w in pair) / wall
            merged.append(m)
        windows = merged
    return windows


def summarize(readings: Sequence[Reading], ncpu: int, *, clock_ticks: int = 100) -> dict[str, Any]:
    """Whole-loop and per-window figures from a list of readings."""
    doc: dict[str, Any] = {"source": "linux-proc", "windows": []}
    if len(readings) < 2:
        doc["missing"] = ["readings (the loop ended before a second one)"]
        return doc
    first, last = readings[0], readings[-1]
    whole = _window(first, last, ncpu, clock_ticks)
    windows = [
        _window(a, b, ncpu, clock_ticks)
        for a, b in zip(readings, readings[1:], strict=False)
        if b.t_ns > a.t_ns
    ]
    doc["wall_s"] = round(whole["wall_s"], 4)
    # /proc/stat counts whole jiffies: each end of a window may be off by one per CPU.
    doc["others_cpu_share_error"] = round(min(1.0, 2 / clock_ticks / whole["wall_s"]), 4)
    full = [w for w in windows if w["wall_s"] >= MIN_WINDOW_S] or windows[:0]
    missing = []
    for key, name in (
        ("others", "others_cpu_share"),
        ("run_delay", "run_delay_share"),
        ("steal", "steal_share"),
        ("own", "own_cpu_share"),
    ):
        if key in whole:
            doc[name] = round(whole[key], 4)
            values = [w[key] for w in full if key in w]  # short windows are jiffy noise
            if values and key in ("others", "run_delay"):
                doc[f"{name}_max"] = round(max(values), 4)
        else:
            missing.append(name)
    inv = _delta(first.nivcsw, last.nivcsw)
    doc["involuntary_switches"] = None if inv is None else int(inv)
    psi = _delta(first.psi_some_us, last.psi_some_us)
    if psi is not None and whole["wall_s"] > 0:
        doc["psi_cpu_some_share"] = round(psi / 1e6 / whole["wall_s"], 4)
    else:
        missing.append("psi_cpu_some_share")
    running = [r.procs_running for r in readings if r.procs_running is not None]
    doc["procs_running_max"] = max(running) if running else None
    freqs = [f for r in readings for f in r.freq_khz]
    if freqs:
        doc["freq_mhz"] = [min(freqs) // 1000, max(freqs) // 1000]
    else:
        missing.append("cpu frequency")
    throttle = _delta(first.throttle, last.throttle)
    if throttle is not None:
        doc["throttle_events"] = int(throttle)
    else:
        missing.append("thermal throttle counters")
    doc["windows"] = [
        {k: (round(v, 4) if isinstance(v, float) else v) for k, v in w.items()}
        for w in _merge(windows, MAX_WINDOWS)
    ]
    doc["missing"] = missing
    return doc


def assess(doc: dict[str, Any], thresholds: dict[str, float]) -> tuple[bool, list[str]]:
    """(noisy, reasons) from a `contention` document and limits (DEFAULT_THRESHOLDS' keys)."""
    reasons = []
    cpus = doc.get("cpus") or []
    where = f"CPU{'s' if len(cpus) != 1 else ''} {_ranges(cpus)}" if cpus else "its CPUs"
    others = doc.get("others_cpu_share")
    error = doc.get("others_cpu_share_error") or 0.0
    if isinstance(others, int | float) and others - error > thresholds["max_others_share"]:
        reasons.append(
            f"other processes used {others * 100:.0f} % of {where} during the timed loop "
            f"(limit {thresholds['max_others_share'] * 100:.0f} %)"
        )
    peak = doc.get("others_cpu_share_max")
    if (
        not reasons
        and isinstance(peak, int | float)
        and peak > thresholds["max_others_share_window"]
    ):
        reasons.append(
            f"other processes used up to {peak * 100:.0f} % of {where} for part of the loop "
            f"(limit {thresholds['max_others_share_window'] * 100:.0f} %)"
        )
    delay = doc.get("run_delay_share")
    if isinstance(delay, int | float) and delay > thresholds["max_run_delay_share"]:
        reasons.append(
            f"the runner's threads waited for a CPU {delay * 100:.0f} % of the loop's time "
            f"(limit {thresholds['max_run_delay_share'] * 100:.0f} %)"
        )
    throttle = doc.get("throttle_events")
    if isinstance(throttle, int) and throttle > 0:
        reasons.append(f"the CPU throttled {throttle} times (thermal) during the loop")
    return bool(reasons), reasons


def _ranges(cpus: Sequence[int]) -> str:
    """[0, 1, 2, 5] → "0-2,5" (the `--cpus` notation)."""
    out: list[str] = []
    run: list[int] = []
    for c in sorted(cpus):
        if run and c == run[-1] + 1:
            run.append(c)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [c]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)


def parse_cpus(text: str) -> list[int]:
    """`--cpus` / sysfs list notation ("0-3,6") → sorted CPU ids; ValueError when malformed."""
    cpus: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        low, sep, high = part.partition("-")
        if not low.isdigit() or (sep and not high.isdigit()):
            raise ValueError(f"{part!r} is not a CPU number or range (like 0-3)")
        a, b = int(low), int(high) if sep else int(low)
        if b < a:
            raise ValueError(f"{part!r} is a backwards range")
        cpus.update(range(a, b + 1))
    if not cpus:
        raise ValueError("no CPUs given")
    return sorted(cpus)


def format_cpus(cpus: Sequence[int]) -> str:
    return _ranges(cpus)


# --- Android, through adb from the host ------------------------------------------------------

_CPUINFO_LINE = re.compile(r"^\s*([\d.]+)%\s+(\d+)/(\S+?):")


def parse_dumpsys_cpuinfo(text: str, package: str) -> dict[str, Any]:
    """`dumpsys cpuinfo` → the app's and everyone else's share of all CPUs over its window.

    Its percentages are of the whole machine's capacity over the window it names ("CPU usage
    from 12345ms to 2345ms ago"), which only roughly matches the run."""
    own = others = 0.0
    seen = False
    for line in text.splitlines():
        m = _CPUINFO_LINE.match(line)
        if not m:
            continue
        seen = True
        pct, name = float(m.group(1)), m.group(3)
        if name.split(":")[0] == package:
            own += pct
        else:
            others += pct
    window = re.search(r"CPU usage from (-?\d+)ms to (-?\d+)ms ago", text)
    out: dict[str, Any] = {}
    if seen:
        out["app_cpu_share"] = round(own / 100, 4)
        out["others_cpu_share_cpuinfo"] = round(others / 100, 4)
    if window:
        out["cpuinfo_window_s"] = round(abs(int(window.group(1)) - int(window.group(2))) / 1e3, 3)
    return out


def android_contention(
    stat_before: str,
    stat_after: str,
    wall_s: float,
    cpuinfo: str,
    package: str,
    thresholds: dict[str, float] | None = None,
) -> dict[str, Any]:
    """A `contention` document for an app run, from `/proc/stat` read through adb before and
    after the app ran and `dumpsys cpuinfo` read after. Coarser than the runner's: one window
    (it includes load and warm-up), and the app's own share from cpuinfo, not getrusage."""
    a, b = parse_proc_stat(stat_before), parse_proc_stat(stat_after)
    cpus = sorted(set(a["cpus"]) & set(b["cpus"]))
    doc: dict[str, Any] = {
        "source": "adb-proc-stat+dumpsys-cpuinfo",
        "cpus": cpus,
        "wall_s": round(wall_s, 3),
        "windows": [],
        "missing": [
            "per-window figures (one reading before and after the app)",
            "run_delay_share (the app's threads are not readable from adb shell)",
            "cpu frequency",
            "thermal throttle counters",
        ],
    }
    info = parse_dumpsys_cpuinfo(cpuinfo, package)
    doc.update(info)
    busy = sum(b["cpus"][c][0] - a["cpus"][c][0] for c in cpus)
    total = sum(b["cpus"][c][1] - a["cpus"][c][1] for c in cpus)
    if total > 0 and "app_cpu_share" in info:
        doc["others_cpu_share"] = round(max(0.0, busy / total - info["app_cpu_share"]), 4)
    limits = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    doc["noisy"], doc["reasons"] = assess(doc, limits)
    doc["thresholds"] = limits
    return doc
