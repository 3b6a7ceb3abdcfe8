from __future__ import annotations

import time

from benchctl.harness.measure import measure


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
