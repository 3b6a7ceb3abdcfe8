"""The hardware-only paths, run where the hardware is (BENCHCTL_TEST_HARDWARE=android,ios,…).

Not yet run on hardware (see docs/devices.md). Each test names the environment variable that
says which device to use; without it the test fails with that instruction.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest


def _need(var: str) -> str:
    value = os.environ.get(var)
    if not value:
        pytest.fail(f"set {var} to the device to test")
    return value


@pytest.mark.android
def test_android_phone_push_run_pull_and_snapshot(tmp_path: Path):
    from benchctl.harness.transports.adb import AdbTransport

    t = AdbTransport(_need("BENCHCTL_TEST_ADB_SERIAL"))
    try:
        remote = t.workdir(uuid.uuid4().hex)
        src = tmp_path / "blob.bin"
        src.write_bytes(os.urandom(1 << 20))
        t.push(src, f"{remote}/blob.bin", timeout=120)
        assert t.sha256(f"{remote}/blob.bin", timeout=60) is not None
        t.pull(f"{remote}/blob.bin", tmp_path / "back.bin", timeout=120)
        assert (tmp_path / "back.bin").read_bytes() == src.read_bytes()
        snap = t.snapshot(timeout=60)
        assert "thermal_status" in snap and "battery_pct" in snap
        assert t.facts(timeout=60)["model"]
        t.cleanup(remote)
    finally:
        t.close()


@pytest.mark.ios
def test_iphone_facts_and_battery():
    from benchctl.harness.transports.ios import IosTransport

    t = IosTransport(_need("BENCHCTL_TEST_IOS_UDID"))
    facts = t.facts(timeout=60)
    assert facts["model"] and facts["udid"]
    assert "battery_pct" in t.snapshot(timeout=60)


@pytest.mark.edgetpu
def test_usb_coral_is_discovered():
    from benchctl.harness.discovery import local_corals

    corals, why = local_corals()
    assert corals, why


@pytest.mark.gpu
def test_nvidia_gpu_is_discovered():
    from benchctl.harness.discovery import local_gpus

    gpus, why = local_gpus()
    assert gpus, why
    assert all(g.memory_total_mib for g in gpus)
