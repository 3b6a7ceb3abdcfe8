"""The device inventory: friendly names → how to reach the device and what hardware it is.

Devices live in TOML files: the user's (`devices.toml` in the user config folder, or
`$BENCHCTL_CONFIG_DIR`) and, optionally, the project's (`.benchctl/devices.toml`), whose entries
win by name. `host` — this machine, through the `local` transport — is built in.

The *hardware class* (manufacturer, model, SoC/CPU, accelerators) is what makes results
comparable across units and goes into the series key; the *unit identity* (serial, hostname) is
recorded separately, so two Pixel 8s share a series and are still told apart.

    [devices.pi5]
    transport = "ssh"
    address = "pi@pi5.local"
    runtimes = ["onnxruntime"]
    [devices.pi5.options]      # transport settings: port, key, python, runner, root…
    [devices.pi5.gates]        # thermal/battery limits (harness/gating.py: Gates)
    [devices.pi5.hardware]     # hardware class, filled by `devices add`/`devices doctor`
    [devices.pi5.unit]         # unit identity (serial, hostname)
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchctl import config
from benchctl.errors import ConfigError, UnknownNameError
from benchctl.registry import Registry

if TYPE_CHECKING:
    from benchctl.harness.transports.base import TransportKind

ACCELERATORS = ("edgetpu", "cuda")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Device:
    name: str
    transport: str  # a transport kind: local, ssh, adb, ios or a plugin's (transports.KINDS)
    address: str | None = None  # user@host[:port], adb serial, iOS UDID
    description: str = ""
    runtimes: tuple[str, ...] = ("onnxruntime",)
    default_runtime: str = "onnxruntime"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    accelerator: str | None = None  # edgetpu | cuda for local/ssh devices with one attached
    options: dict[str, Any] = field(default_factory=dict, compare=False)  # transport settings
    gates: dict[str, Any] = field(default_factory=dict, compare=False)  # gating.Gates fields
    hardware: dict[str, Any] = field(default_factory=dict, compare=False)  # hardware class
    unit: dict[str, Any] = field(default_factory=dict, compare=False)  # serial, hostname
    source: str = "built in"  # the file it came from

    def hardware_class(self) -> dict[str, Any]:
        if kind(self.transport).on_host:
            return {**host_hardware_class(), **self.hardware}
        return dict(self.hardware or self.extra.get("hardware_class", {}))

    def to_toml(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"transport": self.transport}
        if self.address:
            doc["address"] = self.address
        if self.description:
            doc["description"] = self.description
        doc["runtimes"] = list(self.runtimes)
        doc["default_runtime"] = self.default_runtime
        if self.accelerator:
            doc["accelerator"] = self.accelerator
        for key in ("options", "gates", "hardware", "unit"):
            value = _drop_none(getattr(self, key))
            if value:
                doc[key] = value
        return doc

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "transport": self.transport,
            "address": self.address,
            "description": self.description,
            "runtimes": list(self.runtimes),
            "default_runtime": self.default_runtime,
            "accelerator": self.accelerator,
            "options": self.options,
            "gates": self.gates,
            "hardware_class": self.hardware_class(),
            "unit": self.unit,
            "source": self.source,
        }


@cache
def host_hardware_class() -> dict[str, Any]:
    from benchctl.runner.facts import device_facts

    facts = device_facts()
    return {
        "platform": facts["platform"],
        "machine": facts["machine"],
        "cpu": facts["cpu"],
        "cpu_count": facts["cpu_count"],
        "accelerators": [],
    }


DEVICES: Registry[Device] = Registry("device")
DEVICES.add("host", Device("host", "local", description="this machine's CPU"))


# --- files -----------------------------------------------------------------------------------


def user_inventory_path() -> Path:
    env = os.environ.get("BENCHCTL_CONFIG_DIR")
    if env:
        return Path(env).expanduser() / "devices.toml"
    from platformdirs import user_config_dir

    return Path(user_config_dir("benchctl")) / "devices.toml"


def project_inventory_path() -> Path:
    return config.home() / "devices.toml"


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix or delete it") from None
    devices = doc.get("devices", {})
    if not isinstance(devices, dict):
        raise ConfigError(f"{path}: [devices] must be a table of device tables")
    return devices


def _write(path: Path, devices: dict[str, Any]) -> None:
    import tomli_w

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(
        "# benchctl device inventory; edit with `benchctl devices add/remove`.\n"
        + tomli_w.dumps({"devices": dict(sorted(devices.items()))})
    )
    os.replace(tmp, path)


def _from_toml(name: str, doc: dict[str, Any], source: Path) -> Device:
    if not isinstance(doc, dict):
        raise ConfigError(f"{source}: [devices.{name}] must be a table")
    transport = doc.get("transport")
    try:  # a hand-edited (or cloned) file gets the same checks as `devices add`
        _validate(name, transport, doc.get("address"), doc.get("accelerator"))
    except ConfigError as exc:
        raise ConfigError(f"{source}: [devices.{name}]: {exc}") from None
    assert isinstance(transport, str)  # _validate refused anything else
    runtimes = tuple(doc.get("runtimes") or kind(transport).default_runtimes)
    return Device(
        name=name,
        transport=transport,
        address=doc.get("address"),
        description=str(doc.get("description", "")),
        runtimes=runtimes,
        default_runtime=str(doc.get("default_runtime", runtimes[0])),
        accelerator=doc.get("accelerator"),
        options=dict(doc.get("options", {})),
        gates=dict(doc.get("gates", {})),
        hardware=dict(doc.get("hardware", {})),
        unit=dict(doc.get("unit", {})),
        source=str(source),
    )


def inventory() -> dict[str, Device]:
    """Every known device by name: built in, then the user's file, then the project's."""
    devices = {name: DEVICES.get(name) for name in DEVICES.names()}
    for path in (user_inventory_path(), project_inventory_path()):
        for name, doc in _read(path).items():
            devices[name] = _from_toml(name, doc, path)
    return devices


def get_device(name: str) -> Device:
    devices = inventory()
    try:
        return devices[name]
    except KeyError:
        exc = UnknownNameError("device", name, devices)
        shown = name if _NAME.match(name) else "NAME"
        exc.hint = (
            f"add it: benchctl devices add {shown} --ios UDID (or --adb SERIAL, --ssh "
            "user@host); see docs/devices.md"
        )
        raise exc from None


# --- changes ---------------------------------------------------------------------------------


def _validate(name: str, transport: Any, address: Any, accelerator: Any) -> None:
    """What every device must satisfy, whether typed in `devices add` or read from a TOML file."""
    if address is not None and not isinstance(address, str):
        raise ConfigError(f"address {address!r} must be a string")
    if not _NAME.match(name):
        raise ConfigError(
            f"device name {name!r} must be lowercase letters, digits, '_', '.', '-' (≤ 64)"
        )
    if name in DEVICES:
        raise ConfigError(f"{name!r} is built in; choose another name")
    from benchctl.harness.transports import KINDS

    if not isinstance(transport, str) or transport not in KINDS:
        raise ConfigError(f"transport {transport!r}: use one of {', '.join(KINDS.names())}")
    if accelerator is not None and accelerator not in ACCELERATORS:
        raise ConfigError(f"--accelerator {accelerator!r}: use one of {', '.join(ACCELERATORS)}")
    if accelerator is not None and not kind(transport).accelerators:
        with_ = " and ".join(k for k in KINDS.names() if KINDS.get(k).accelerators)
        raise ConfigError(f"--accelerator is for {with_} devices (a Coral or a GPU)")
    kind(transport).check_address(address)


def _check_options(transport: str, options: dict[str, Any]) -> None:
    """Option values the kind restricts (`runner`: push or installed…)."""
    for key, allowed in kind(transport).choices.items():
        value = options.get(key)
        if value is not None and value not in allowed:
            raise ConfigError(f"option {key} = {value!r}: use {' or '.join(allowed)}")


def kind(transport: str) -> TransportKind:
    """The transport kind of an inventory entry (benchctl's or a plugin's)."""
    from benchctl.harness.transports import get_kind

    return get_kind(transport)


def new_device(
    name: str,
    transport: str,
    address: str | None,
    *,
    accelerator: str | None = None,
    runtimes: tuple[str, ...] = (),
    description: str = "",
    options: dict[str, Any] | None = None,
    gates: dict[str, Any] | None = None,
) -> Device:
    """A checked Device for `devices add`; raises ConfigError saying what to fix."""
    _validate(name, transport, address, accelerator)
    _check_options(transport, options or {})
    runtimes = tuple(runtimes) or kind(transport).default_runtimes
    return Device(
        name=name,
        transport=transport,
        address=address,
        description=description,
        runtimes=runtimes,
        default_runtime=runtimes[0],
        accelerator=accelerator,
        options=_drop_none(options or {}),
        gates=_drop_none(gates or {}),
    )


def save_device(device: Device, *, project: bool = False, replace_existing: bool = False) -> Path:
    """Write `device` into the user's (or the project's) inventory file; returns the file."""
    path = project_inventory_path() if project else user_inventory_path()
    devices = _read(path)
    if device.name in devices and not replace_existing:
        raise ConfigError(
            f"device {device.name!r} already exists in {path}; remove it first "
            f"(benchctl devices remove {device.name})"
        )
    devices[device.name] = device.to_toml()
    _write(path, devices)
    return path


def update_device(device: Device, **changes: Any) -> Device:
    """Store changed fields (e.g. probed hardware/unit) back into the file the device came from."""
    if device.name in DEVICES:
        return replace(device, **changes)
    updated = replace(device, **changes)
    path = Path(device.source)
    devices = _read(path)
    devices[device.name] = updated.to_toml()
    _write(path, devices)
    return updated


def remove_device(name: str) -> Path:
    """Delete a device from the file that defines it (the project's first); returns that file."""
    if name in DEVICES:
        raise ConfigError(f"{name!r} is built in and cannot be removed")
    for path in (project_inventory_path(), user_inventory_path()):
        devices = _read(path)
        if name in devices:
            del devices[name]
            _write(path, devices)
            return path
    raise UnknownNameError("device", name, inventory())


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
