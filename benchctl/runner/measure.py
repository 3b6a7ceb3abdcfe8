"""The timing loop: first inference, warm-up, then N timed calls, each a raw integer-ns sample.

Invariants (the measurement protocol, see `benchctl.MEASUREMENT_PROTOCOL_VERSION`):
- the clock is `time.perf_counter_ns` (monotonic, the highest resolution Python has), except for
  asynchronous device runtimes, which time each call with device events (CUDA events);
- inputs are prepared before the loop; the timed region holds only the runtime call;
- the first call after load is timed on its own and not counted as warm-up or as a sample;
- progress is reported between chunks of iterations, never inside the timed region;
- the garbage collector is run before and paused during the timed loop;
- `max_total_s` stops the loop between chunks; which rule stopped it is recorded;
- with `target_ci`, timed chunks go on past `iters` until the 95 % CI of the median is within
  that fraction of the median (`stopped_by` "target_ci"), or `max_iters` / `max_total_s` first;
- a contention `monitor` (runner/contention.py) reads the machine at the loop's start, between
  chunks (chunks are shortened so readings come about every `monitor.interval_ns`) and at its end.

Only the standard library is imported here: this module runs on devices too.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

CLOCK_NAME = "time.perf_counter_ns"

ProgressFn = Callable[[str, int, int], None]
# A device-side timer (e.g. CUDA events): runs the call once and returns its duration in ns.
DeviceTimer = Callable[[Callable[[], object]], int]
MONITOR_INTERVAL_NS = 250_000_000


class LoopMonitor(Protocol):
    """Reads the machine between timed chunks (runner/contention.py: Monitor)."""

    interval_ns: int

    def start(self) -> None: ...

    def tick(self, done: int) -> None: ...

    def stop(self, done: int) -> None: ...


@dataclass
class Timing:
    """What the loop measured; every time in nanoseconds."""

    first_inference_ns: int
    warmup_count: int
    warmup_total_ns: int
    samples: list[int] = field(repr=False)
    stopped_by: str  # "iters", "max_total_s"; with a CI target also "target_ci", "max_iters"
    clock_resolution_ns: int
    loop_overhead_ns: int  # median cost of an empty timed region: the floor under any sample
    ci_rel: float | None = None  # with a CI target: the last half-width / median reached


def clock_resolution_ns() -> int:
    return max(1, round(time.get_clock_info("perf_counter").resolution * 1e9))


def loop_overhead_ns(repeats: int = 1000) -> int:
    """Median time of an empty timed region (two clock reads), the harness's own cost per sample."""
    clock = time.perf_counter_ns
    diffs = []
    for _ in range(repeats):
        t0 = clock()
        diffs.append(clock() - t0)
    diffs.sort()
    return diffs[len(diffs) // 2]


def measure(
    call: Callable[[], object],
    *,
    warmup_iters: int,
    iters: int,
    max_total_s: float | None = None,
    progress_every: int = 0,
    on_progress: ProgressFn | None = None,
    timer: DeviceTimer | None = None,
    synchronize: Callable[[], object] | None = None,
    monitor: LoopMonitor | None = None,
    target_ci: float | None = None,
    max_iters: int | None = None,
) -> Timing:
    """Call once (timed alone), `warmup_iters` times as warm-up, then time `iters` calls (at
    least `iters`, up to `max_iters`, with a `target_ci`).

    With a device `timer` (asynchronous runtimes: CUDA), each timed sample comes from it, and
    `synchronize` makes the host-clock phases (first inference, warm-up) wait for the device.
    """
    clock = time.perf_counter_ns
    sync = synchronize or (lambda: None)
    t0 = clock()
    call()
    sync()
    first = clock() - t0

    w0 = clock()
    for _ in range(warmup_iters):
        call()
    sync()
    warm_total = clock() - w0
    if on_progress is not None:
        on_progress("warmup", warmup_iters, warmup_iters)

    deadline = None if max_total_s is None else clock() + int(max_total_s * 1e9)
    samples = [0] * iters
    chunk = progress_every if progress_every > 0 else min(iters, 100)
    step = chunk
    if monitor is not None:  # readings about every interval, whatever one call costs
        per_call = warm_total / warmup_iters if warmup_iters else first
        step = max(1, min(chunk, int(monitor.interval_ns / max(per_call, 1))))
    loop = _Loop(call, samples, chunk, step, deadline, timer, on_progress, progress_every)
    if target_ci is not None:
        loop.target_ci, loop.limit = target_ci, max(iters, max_iters or iters)
    # A garbage collection inside a timed call would land in that sample; collect now, not then.
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if monitor is not None:
            monitor.start()
        done, stopped_by = loop.run(iters, monitor)
    finally:
        if gc_was_enabled:
            gc.enable()
    if monitor is not None:
        monitor.stop(done)
    if timer is None:
        resolution, overhead = clock_resolution_ns(), loop_overhead_ns()
    else:  # the floor under device-timed samples is the device timer's, not the host clock's
        resolution, overhead = device_timer_floor(timer)
    return Timing(
        first_inference_ns=first,
        warmup_count=warmup_iters,
        warmup_total_ns=warm_total,
        samples=samples[:done],
        stopped_by=stopped_by,
        clock_resolution_ns=resolution,
        loop_overhead_ns=overhead,
        ci_rel=None if target_ci is None else _finite(median_ci_rel(samples[:done])),
    )


def device_timer_floor(timer: DeviceTimer, repeats: int = 200) -> tuple[int, int]:
    """(smallest nonzero reading, median reading) of the device timer around an empty call."""
    readings = sorted(timer(lambda: None) for _ in range(repeats))
    return next((r for r in readings if r > 0), 1), readings[len(readings) // 2]


def median_ci_rel(samples: Sequence[int], z: float = 1.96) -> float:
    """Half-width of the distribution-free 95 % CI of the median (order statistics at
    n/2 ± z·√n/2), relative to the median: cheap enough to check between chunks, and close to
    the host's bootstrap CI (results/stats.py) for the sample sizes a CI target needs."""
    n = len(samples)
    if n < 2:
        return math.inf
    x = sorted(samples)
    mid = (x[(n - 1) // 2] + x[n // 2]) / 2
    half = z * math.sqrt(n) / 2
    lo = x[max(0, math.floor(n / 2 - half) - 1)]
    hi = x[min(n - 1, math.ceil(n / 2 + half))]
    return max(mid - lo, hi - mid) / mid if mid > 0 else math.inf


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


class _Loop:
    """The timed loop's state: samples, chunking, stopping rules."""

    def __init__(
        self,
        call: Callable[[], object],
        samples: list[int],
        chunk: int,
        step: int,
        deadline: int | None,
        timer: DeviceTimer | None,
        on_progress: ProgressFn | None,
        progress_every: int,
    ) -> None:
        self.call, self.samples, self.chunk, self.step = call, samples, chunk, step
        self.deadline, self.timer = deadline, timer
        self.on_progress, self.progress_every = on_progress, progress_every
        self.target_ci: float | None = None
        self.limit = len(samples)

    def run(self, iters: int, monitor: LoopMonitor | None) -> tuple[int, str]:
        """Fill samples; return how many were taken and which rule stopped the loop."""
        clock, call, timer, samples = time.perf_counter_ns, self.call, self.timer, self.samples
        done, next_progress, next_check = 0, self.chunk, iters
        while done < self.limit:
            stop = min(self.limit, done + self.step)
            if stop > len(samples):
                samples.extend([0] * (min(self.limit, len(samples) + self.chunk) - len(samples)))
                stop = min(stop, len(samples))
            if timer is None:
                for i in range(done, stop):
                    t0 = clock()
                    call()
                    samples[i] = clock() - t0
            else:
                for i in range(done, stop):
                    samples[i] = timer(call)
            done = stop
            if monitor is not None:
                monitor.tick(done)
            if self.on_progress is not None and self.progress_every > 0:
                if done >= next_progress or done == iters:
                    self.on_progress("timed", done, max(iters, done))
                    next_progress = (done // self.chunk + 1) * self.chunk
            if self.target_ci is not None and done >= next_check:
                if median_ci_rel(samples[:done]) <= self.target_ci:
                    return done, "target_ci"
                next_check = done + max(self.chunk, done // 20)
            if self.deadline is not None and done < self.limit and clock() > self.deadline:
                return done, "max_total_s"
        return done, "iters" if self.target_ci is None else "max_iters"
