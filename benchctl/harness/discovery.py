"""Finding accelerators attached to a machine: USB Coral Edge TPUs and NVIDIA GPUs.

A Coral USB Accelerator enumerates as `1a6e:089a` (Global Unichip) until its firmware is loaded
on first use, then as `18d1:9302` (Google); both mean "a Coral is here". Its negotiated USB speed
matters (USB 2 is several times slower), so it is reported. GPUs come from `nvidia-smi`'s CSV
query output. Both work from text (sysfs files, `lsusb`, `nvidia-smi` output), so the same
parsers serve this machine (`local`) and an SSH board.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CORAL_USB_IDS = {
    ("1a6e", "089a"): "Coral USB Accelerator (before firmware load)",
    ("18d1", "9302"): "Coral USB Accelerator",
}
NVIDIA_SMI_FIELDS = (
    "index",
    "name",
    "uuid",
    "driver_version",
    "memory.total",
    "temperature.gpu",
    "pstate",
    "clocks.sm",
    "clocks.max.sm",
)
NVIDIA_SMI_ARGV = [
    "nvidia-smi",
    "--query-gpu=" + ",".join(NVIDIA_SMI_FIELDS),
    "--format=csv,noheader,nounits",
]


@dataclass(frozen=True)
class CoralUsb:
    vendor_id: str
    product_id: str
    description: str
    bus: int | None
    device: int | None
    speed_mbps: float | None  # 480 = USB 2 high speed, 5000 = USB 3 SuperSpeed
    firmware_loaded: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class NvidiaGpu:
    index: int
    name: str
    uuid: str
    driver_version: str
    memory_total_mib: float | None
    temperature_c: float | None
    pstate: str | None
    sm_clock_mhz: float | None
    sm_clock_max_mhz: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def coral_from_sysfs(root: Path = Path("/sys/bus/usb/devices")) -> list[CoralUsb]:
    """Corals among the USB devices in sysfs (each folder has idVendor, idProduct, speed…)."""
    found = []
    for dev in sorted(root.glob("*")):
        try:
            vid = (dev / "idVendor").read_text().strip().lower()
            pid = (dev / "idProduct").read_text().strip().lower()
        except OSError:
            continue  # interfaces and hubs without ids
        if (vid, pid) not in CORAL_USB_IDS:
            continue
        found.append(
            CoralUsb(
                vendor_id=vid,
                product_id=pid,
                description=CORAL_USB_IDS[vid, pid],
                bus=_int_file(dev / "busnum"),
                device=_int_file(dev / "devnum"),
                speed_mbps=_float_file(dev / "speed"),
                firmware_loaded=(vid, pid) == ("18d1", "9302"),
            )
        )
    return found


_LSUSB = re.compile(r"^Bus (\d+) Device (\d+): ID ([0-9a-fA-F]{4}):([0-9a-fA-F]{4})")


def coral_from_lsusb(text: str) -> list[CoralUsb]:
    """Corals in `lsusb` output (no speed there; sysfs has it)."""
    found = []
    for line in text.splitlines():
        m = _LSUSB.match(line.strip())
        if not m:
            continue
        vid, pid = m.group(3).lower(), m.group(4).lower()
        if (vid, pid) in CORAL_USB_IDS:
            found.append(
                CoralUsb(
                    vid,
                    pid,
                    CORAL_USB_IDS[vid, pid],
                    int(m.group(1)),
                    int(m.group(2)),
                    None,
                    (vid, pid) == ("18d1", "9302"),
                )
            )
    return found


def parse_nvidia_smi(text: str) -> list[NvidiaGpu]:
    """Rows of `nvidia-smi --query-gpu=<NVIDIA_SMI_FIELDS> --format=csv,noheader,nounits`."""
    gpus = []
    for row in csv.reader(io.StringIO(text)):
        if not row or not row[0].strip():
            continue
        cells = [c.strip() for c in row]
        if len(cells) != len(NVIDIA_SMI_FIELDS) or not cells[0].isdigit():
            raise ValueError(f"unexpected nvidia-smi row: {','.join(cells)[:200]}")
        v = dict(zip(NVIDIA_SMI_FIELDS, cells, strict=True))
        gpus.append(
            NvidiaGpu(
                index=int(v["index"]),
                name=v["name"],
                uuid=v["uuid"],
                driver_version=v["driver_version"],
                memory_total_mib=_num(v["memory.total"]),
                temperature_c=_num(v["temperature.gpu"]),
                pstate=None if _missing(v["pstate"]) else v["pstate"],
                sm_clock_mhz=_num(v["clocks.sm"]),
                sm_clock_max_mhz=_num(v["clocks.max.sm"]),
            )
        )
    return gpus


def local_gpus(timeout: float = 20.0) -> tuple[list[NvidiaGpu], str | None]:
    """NVIDIA GPUs on this machine and, when there are none, why (for `devices doctor`)."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return [], "nvidia-smi not found: install the NVIDIA driver (it ships nvidia-smi)"
    try:
        proc = subprocess.run(
            [exe, *NVIDIA_SMI_ARGV[1:]], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return [], f"nvidia-smi did not answer within {timeout:.0f} s"
    if proc.returncode != 0:
        return [], f"nvidia-smi failed: {(proc.stderr or proc.stdout).strip()[:300]}"
    try:
        gpus = parse_nvidia_smi(proc.stdout)
    except ValueError as exc:
        return [], f"nvidia-smi answered in an unexpected form: {exc}"
    return gpus, None if gpus else "nvidia-smi lists no GPU"


def local_corals() -> tuple[list[CoralUsb], str | None]:
    """USB Corals on this machine and, when there are none, why."""
    corals = coral_from_sysfs()
    if corals:
        return corals, None
    return [], "no USB device with id 1a6e:089a or 18d1:9302; plug the Coral into a USB 3 port"


def accelerator_hardware(accelerator: str | None) -> dict[str, Any]:
    """The hardware-class entries an attached accelerator adds (empty when none is found)."""
    if accelerator == "cuda":
        gpus, _ = local_gpus()
        return {"accelerators": [g.name for g in gpus]} if gpus else {}
    if accelerator == "edgetpu":
        corals, _ = local_corals()
        return {"accelerators": ["Coral USB Accelerator"] * len(corals)} if corals else {}
    return {}


def _missing(value: str) -> bool:
    return value.startswith("[") or value in ("", "N/A")


def _num(value: str) -> float | None:
    return None if _missing(value) else float(value)


def _int_file(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _float_file(path: Path) -> float | None:
    try:
        return float(path.read_text().strip())
    except (OSError, ValueError):
        return None
