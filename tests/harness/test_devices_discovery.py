"""Coral USB and NVIDIA GPU discovery from sysfs, lsusb and nvidia-smi text (fixtures here)."""

from __future__ import annotations

import pytest

from benchctl.harness import discovery

# lsusb on a Raspberry Pi 5 with one Coral before and one after its firmware load.
LSUSB = """\
Bus 004 Device 001: ID 1d6b:0003 Linux Foundation 3.0 root hub
Bus 004 Device 002: ID 18d1:9302 Google Inc.
Bus 003 Device 002: ID 1a6e:089a Global Unichip Corp.
Bus 003 Device 001: ID 1d6b:0002 Linux Foundation 2.0 root hub
Bus 001 Device 003: ID 046d:c52b Logitech, Inc. Unifying Receiver
"""

# nvidia-smi --query-gpu=<NVIDIA_SMI_FIELDS> --format=csv,noheader,nounits on a two-GPU box.
NVIDIA_SMI = """\
0, NVIDIA GeForce RTX 4090, GPU-5a1c3e2f-9b7d-4c1e-8f2a, 550.54.15, 24564, 41, P8, 210, 3120
1, NVIDIA H100 80GB HBM3, GPU-0f9e8d7c-6b5a-4938-a2b1, 550.54.15, 81559, 33, P0, 1980, 1980
"""


def _usb(root, name, vid, pid, speed, bus, dev):
    d = root / name
    d.mkdir()
    for f, v in (("idVendor", vid), ("idProduct", pid), ("speed", speed), ("busnum", bus),
                 ("devnum", dev)):  # fmt: skip
        (d / f).write_text(f"{v}\n")


def test_coral_from_sysfs_finds_both_ids_and_speeds(tmp_path):
    _usb(tmp_path, "4-1", "18d1", "9302", "5000", 4, 2)
    _usb(tmp_path, "3-1", "1a6e", "089a", "480", 3, 2)
    _usb(tmp_path, "1-1", "046d", "c52b", "12", 1, 3)
    (tmp_path / "1-1:1.0").mkdir()  # an interface folder: no ids
    corals = discovery.coral_from_sysfs(tmp_path)
    assert [(c.vendor_id, c.product_id, c.speed_mbps, c.firmware_loaded) for c in corals] == [
        ("1a6e", "089a", 480.0, False),
        ("18d1", "9302", 5000.0, True),
    ]


def test_coral_from_lsusb():
    corals = discovery.coral_from_lsusb(LSUSB)
    assert [(c.bus, c.device, c.product_id) for c in corals] == [(4, 2, "9302"), (3, 2, "089a")]


def test_nvidia_smi_rows():
    gpus = discovery.parse_nvidia_smi(NVIDIA_SMI)
    assert [g.name for g in gpus] == ["NVIDIA GeForce RTX 4090", "NVIDIA H100 80GB HBM3"]
    assert gpus[1].memory_total_mib == 81559 and gpus[1].sm_clock_max_mhz == 1980
    laptop = "0, NVIDIA RTX A500 Laptop GPU, GPU-1, 535.1, 4096, [N/A], P8, [N/A], [N/A]\n"
    assert discovery.parse_nvidia_smi(laptop)[0].temperature_c is None
    with pytest.raises(ValueError, match="unexpected nvidia-smi row"):
        discovery.parse_nvidia_smi("No devices were found\n")


def test_local_gpus_explains_a_missing_driver(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    gpus, why = discovery.local_gpus()
    assert gpus == [] and "install the NVIDIA driver" in why
