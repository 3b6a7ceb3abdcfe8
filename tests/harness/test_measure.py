from __future__ import annotations

import time

from benchctl.runner.measure import measure


def test_loop_calls_first_warmup_and_timed_iterations_once_each():
    calls = []
    progress = []
    t = measure(
        lambda: calls.append(1),
        warmup_iters=7,
        iters=250,
        progress_every=100,
        on_progress=lambda *a: progress.append(a),
    )
    assert len(calls) == 1 + 7 + 250
    assert len(t.samples) == 250 and all(isinstance(s, int) and s > 0 for s in t.samples)
    assert t.warmup_count == 7 and t.stopped_by == "iters"
    assert progress == [
        ("warmup", 7, 7),
        ("timed", 100, 250),
        ("timed", 200, 250),
        ("timed", 250, 250),
    ]
    assert t.clock_resolution_ns >= 1 and t.loop_overhead_ns >= 0


def test_samples_measure_the_call():
    t = measure(lambda: time.sleep(0.002), warmup_iters=0, iters=5)
    assert min(t.samples) >= 2_000_000  # sleep never returns early


def test_max_total_time_stops_between_chunks():
    t = measure(
        lambda: time.sleep(0.001),
        warmup_iters=0,
        iters=100_000,
        max_total_s=0.05,
        progress_every=10,
    )
    assert t.stopped_by == "max_total_s"
    assert 10 <= len(t.samples) < 100_000
    assert len(t.samples) % 10 == 0  # whole chunks only


def test_device_timer_supplies_the_samples_and_sync_bounds_host_phases():
    synced = []
    ticks = iter(range(1000, 100000, 7))
    t = measure(
        lambda: None,
        warmup_iters=3,
        iters=20,
        timer=lambda call: (call(), next(ticks))[1],
        synchronize=lambda: synced.append(1),
    )
    assert t.samples == list(range(1000, 1000 + 20 * 7, 7))
    assert len(synced) == 2  # after the first inference and after the warm-up


class _Monitor:
    """Records when the loop read the machine: only ever between timed calls."""

    interval_ns = 2_000_000

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.events: list[tuple[str, int]] = []

    def start(self) -> None:
        self.events.append(("start", 0))
        self.calls.append("monitor")

    def tick(self, done: int) -> None:
        self.events.append(("tick", done))
        self.calls.append("monitor")

    def stop(self, done: int) -> None:
        self.events.append(("stop", done))


def test_the_monitor_reads_between_chunks_never_inside_a_timed_call():
    calls: list[str] = []
    mon = _Monitor(calls)

    def call() -> None:
        calls.append("call")
        time.sleep(0.0005)

    t = measure(call, warmup_iters=4, iters=60, progress_every=100, monitor=mon)
    assert len(t.samples) == 60
    ticks = [d for kind, d in mon.events if kind == "tick"]
    # ~0.5 ms a call and a 2 ms interval: chunks of about four calls, not one chunk of 60
    assert len(ticks) >= 8 and ticks == sorted(ticks) and ticks[-1] == 60
    assert mon.events[0] == ("start", 0) and mon.events[-1] == ("stop", 60)
    # no sample's clock reads straddle a monitor reading: the calls between two readings are
    # exactly the chunk's calls
    assert calls.count("call") == 1 + 4 + 60


def test_target_ci_stops_as_soon_as_the_median_is_precise_enough():
    t = measure(lambda: time.sleep(0.0002), warmup_iters=0, iters=50, target_ci=0.5,
                max_iters=100_000, progress_every=10)  # fmt: skip
    assert t.stopped_by == "target_ci" and len(t.samples) == 50  # met at the minimum
    assert t.ci_rel is not None and t.ci_rel <= 0.5


def test_target_ci_goes_past_iters_and_a_limit_stops_it():
    import itertools

    noisy = itertools.cycle([1, 9, 2, 8, 3, 7, 4, 6, 5])
    t = measure(lambda: time.sleep(next(noisy) * 1e-5), warmup_iters=0, iters=20,
                target_ci=1e-9, max_iters=300, progress_every=10)  # fmt: skip
    assert t.stopped_by == "max_iters" and len(t.samples) == 300
    t = measure(lambda: time.sleep(0.001), warmup_iters=0, iters=10, target_ci=1e-9,
                max_iters=10**6, max_total_s=0.1, progress_every=10)  # fmt: skip
    assert t.stopped_by == "max_total_s" and 10 <= len(t.samples) < 1000


def test_the_order_statistic_ci_agrees_with_the_hosts_bootstrap():
    import numpy as np

    from benchctl.results.stats import summarize
    from benchctl.runner.measure import median_ci_rel

    rng = np.random.default_rng(1)
    x = (rng.lognormal(0, 0.3, 4000) * 1e6).astype(int).tolist()
    s = summarize(x)
    boot = max(s.median - s.ci95_low, s.ci95_high - s.median) / s.median
    assert abs(median_ci_rel(x) - boot) < 0.3 * boot
