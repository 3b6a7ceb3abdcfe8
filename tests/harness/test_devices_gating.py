"""Thermal/battery gating, cooldown until a threshold, drift, and the Linux snapshot parser."""

from __future__ import annotations

import pytest

from benchctl.harness import gating
from benchctl.harness.gating import GateRefused, Gates


def test_cooldown_waits_until_under_the_threshold_not_a_fixed_time():
    temps = iter([78.0, 74.0, 69.5, 60.0])
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    snap, waited = gating.wait_until_cool(
        lambda: {"max_temp_c": next(temps)},
        Gates(max_temp_c=70.0, poll_s=5.0, cooldown_timeout_s=600),
        sleep=sleep,
        clock=lambda: now[0],
    )
    assert snap == {"max_temp_c": 69.5} and waited == 10.0 and slept == [5.0, 5.0]


def test_cooldown_gives_up_with_thermal_abort():
    now = [0.0]
    with pytest.raises(GateRefused, match="still too hot after 30 s") as info:
        gating.wait_until_cool(
            lambda: {"thermal_status": "moderate"},
            Gates(cooldown_timeout_s=30, poll_s=10),
            sleep=lambda s: now.__setitem__(0, now[0] + s),
            clock=lambda: now[0],
        )
    assert (info.value.status, info.value.code) == ("thermal_abort", "THERMAL_LIMIT")


def test_thermal_scales_and_limits():
    assert gating.thermal_reasons({"thermal_status": "none"}, Gates()) == []
    assert gating.thermal_reasons({"thermal_status": "light"}, Gates(max_thermal="light")) == []
    assert "severe" in gating.thermal_reasons({"thermal_status": "severe"}, Gates())[0]
    assert gating.thermal_reasons({"thermal_status": "fair"}, Gates(max_thermal="fair")) == []
    assert gating.thermal_reasons({"thermal_status": "serious"}, Gates(max_thermal="fair"))
    assert gating.thermal_reasons({"max_temp_c": 90.0}, Gates()) == []  # no limit set


def test_low_battery_is_refused_with_the_reason():
    gating.check_battery({"battery_pct": 25.0}, Gates())
    gating.check_battery({}, Gates())  # no battery (a board): nothing to check
    with pytest.raises(GateRefused, match="battery at 12 % is below 25 %") as info:
        gating.check_battery({"battery_pct": 12.0}, Gates())
    assert info.value.code == "LOW_BATTERY"


def test_drift_compares_late_and_early_samples():
    steady = [1_000_000 + (i % 7) * 1000 for i in range(1000)]
    assert gating.drift(steady)["flagged"] is False
    throttled = steady[:900] + [1_400_000] * 100
    d = gating.drift(throttled)
    assert d["flagged"] is True and d["change"] > 0.35 and d["window"] == 100
    # the default comes from scripts/noise_quality.py: a 20 % step is within it, a 5 % limit not
    assert gating.drift(steady[:900] + [1_200_000] * 100)["flagged"] is False
    assert gating.drift(steady[:900] + [1_200_000] * 100, threshold=0.05)["flagged"] is True
    assert gating.drift([1] * 10) is None


def test_linux_snapshot_parser():
    text = (
        "/sys/class/thermal/thermal_zone0/temp 45500\n"
        "/sys/class/thermal/thermal_zone1/temp 61250\n"
        "/sys/class/power_supply/BAT0/capacity 77\n"
        "/sys/class/power_supply/BAT0/status Discharging\n"
    )
    assert gating.parse_linux_snapshot(text) == {
        "platform": "linux",
        "max_temp_c": 61.25,
        "battery_pct": 77.0,
        "charging": False,
    }


def test_gates_from_inventory_options_refuse_typos():
    g = Gates.from_options({"max_temp_c": 70, "min_battery_pct": 40})
    assert (g.max_temp_c, g.min_battery_pct) == (70, 40)
    from benchctl.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown gate setting.*min_batery_pct"):
        Gates.from_options({"min_batery_pct": 50})  # would silently keep the default of 25
    with pytest.raises(ConfigError, match="max_thermal 'warm'"):
        Gates.from_options({"max_thermal": "warm"})
    assert Gates.from_options({"max_thermal": "fair"}).max_thermal == "fair"
