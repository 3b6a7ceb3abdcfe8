"""The timing loop: first inference, warm-up, then N timed calls, each a raw integer-ns sample.

Invariants (the measurement protocol, see `benchctl.MEASUREMENT_PROTOCOL_VERSION`):
- the clock is `time.perf_counter_ns` (monotonic, the highest resolution Python has), except for
  asynchronous device runtimes, which time each call with device events (CUDA events);
- inputs are prepared before the loop; the timed region holds only the runtime call;
- the first call after load is timed on its own and not counted as warm-up or as a sample;
- progress is reported between chunks of iterations, never inside the timed region;
- the garbage collector is run before and paused during the timed loop;
- `max_total_s` stops the loop between chunks; which rule stopped it is recorded.

Only the standard library is imported here: this module runs on devices too.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CLOCK_NAME = "time.perf_counter_ns"

ProgressFn = Callable[[str, int, int], None]
# A device-side timer (e.g. CUDA events): runs the call once and returns its duration in ns.
DeviceTimer = Callable[[Callable[[], object]], int]


@dataclass
class Timing:
    """What the loop measured; every time in nanoseconds."""

    first_inference_ns: int
    warmup_count: int
    warmup_total_ns: int
    samples: list[int] = field(repr=False)
    stopped_by: str  # "iters" or "max_total_s"
    clock_resolution_ns: int
    loop_overhead_ns: int  # median cost of an empty timed region: the floor under any sample


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
) -> Timing:
    """Call once (timed alone), `warmup_iters` times as warm-up, then time `iters` calls.

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
    # A garbage collection inside a timed call would land in that sample; collect now, not then.
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        done, stopped_by = _timed_loop(
            call, samples, chunk, deadline, timer, on_progress, progress_every
        )
    finally:
        if gc_was_enabled:
            gc.enable()
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
    )


def device_timer_floor(timer: DeviceTimer, repeats: int = 200) -> tuple[int, int]:
    """(smallest nonzero reading, median reading) of the device timer around an empty call."""
    readings = sorted(timer(lambda: None) for _ in range(repeats))
    return next((r for r in readings if r > 0), 1), readings[len(readings) // 2]


def _timed_loop(
    call: Callable[[], object],
    samples: list[int],
    chunk: int,
    deadline: int | None,
    timer: DeviceTimer | None,
    on_progress: ProgressFn | None,
    progress_every: int,
) -> tuple[int, str]:
    """Fill `samples`; return how many were taken and which rule stopped the loop."""
    clock = time.perf_counter_ns
    iters = len(samples)
    done = 0
    while done < iters:
        stop = min(iters, done + chunk)
        if timer is None:
            for i in range(done, stop):
                t0 = clock()
                call()
                samples[i] = clock() - t0
        else:
            for i in range(done, stop):
                samples[i] = timer(call)
        done = stop
        if on_progress is not None and progress_every > 0:
            on_progress("timed", done, iters)
        if deadline is not None and done < iters and clock() > deadline:
            return done, "max_total_s"
    return done, "iters"
