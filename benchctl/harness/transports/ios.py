"""The `ios` transport: iPhones and iPads, through the companion app (`ios_app/`).

Two command-line tools, each called with argv lists and a timeout, never imported:

- `pymobiledevice3` (Linux, macOS, Windows). It is GPL-3.0 and pins libraries that conflict
  with benchctl's, so it is installed on its own (`pipx install pymobiledevice3`) and found on
  PATH. Files go into the app's container through house_arrest (`apps push/pull/rm`, AFC, which
  needs a development-signed app); the app is launched with `developer dvt launch "<bundle>
  <spec>"` and is done when `developer dvt process-id-for-bundle-id` prints 0 (the app exits
  after writing its result). iOS 17+ needs Developer Mode and a mounted developer disk image
  (`pymobiledevice3 mounter auto-mount`); `devices doctor` and `devices check` check both. When a
  `pymobiledevice3 remote tunneld` serves the phone, developer commands go through it
  (`--tunnel UDID`); otherwise pymobiledevice3 builds a fresh tunnel for every call on iOS 17+.
- `xcrun devicectl` (macOS with Xcode 15+): `device copy to/from --domain-type
  appDataContainer`, `device process launch` (with `--console`, Xcode 16+, it returns when the
  app exits; before that the launch returns at once and the app's pid is polled), `device info
  details --json-output`.

AFC, as the device does it, creates no parent folder for a file and copies a pushed folder
*into* the target (`remote/<folder name>`). `push` therefore stages, on the host, a tree of links
that mirrors the remote path below `/Documents` and pushes its top folder into `/Documents`:
pymobiledevice3 then creates each missing level one at a time and the artifact lands exactly at
`remote`, whatever the local name.

The app gets the spec path relative to its container (`Documents/benchctl/work/<run_id>/
spec.json`) as its only argument and writes `result.json` beside it. iOS has no shell, so
there is no Python runner; thermal state comes from the app's own result document.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchctl.errors import ConfigError, DependencyMissingError, TransportError
from benchctl.harness.transports.base import (
    AppDefaults,
    AppTarget,
    Completed,
    LineFn,
    TransportCapabilities,
    TransportKind,
)

if TYPE_CHECKING:
    from benchctl.harness.check import Stage
    from benchctl.harness.devices import Device
    from benchctl.harness.doctor import Report

DEFAULT_BUNDLE = "dev.benchctl.ios"
CONTAINER_DOCUMENTS = "/Documents"  # exists in every app container: AFC pushes start here
FILES_ROOT = "/Documents/benchctl"
TUNNELD_DEFAULT = "127.0.0.1:49151"  # pymobiledevice3's tunneld (tunneld/api.py)
CONSOLE_MIN_XCODE = 16  # `devicectl device process launch --console` arrived with Xcode 16
CommandRunner = Callable[[Sequence[str], float], Completed]


def run_tool(argv: Sequence[str], timeout: float) -> Completed:
    """Run a command-line tool with a timeout (the default CommandRunner)."""
    try:
        proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return Completed(124, out, f"timed out after {timeout:.0f} s", timed_out=True)
    except OSError as exc:
        raise TransportError(f"could not start {argv[0]}: {exc}") from None
    return Completed(proc.returncode, proc.stdout, proc.stderr)


class IosTransport:
    name = "ios"

    def __init__(
        self,
        udid: str,
        *,
        tool: str = "pymobiledevice3",
        executable: str | None = None,
        app: str = DEFAULT_BUNDLE,
        runner: CommandRunner = run_tool,
        poll_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        tunneld: str | None = TUNNELD_DEFAULT,
        xcode_major: int | None = None,
    ) -> None:
        if tool not in ("pymobiledevice3", "devicectl"):
            raise TransportError(f"ios tool {tool!r}: use pymobiledevice3 or devicectl")
        self.udid = udid
        self.tool = tool
        self.app = app
        self._run_tool = runner
        self._poll_s, self._clock, self._sleep = poll_s, clock, sleep
        self._tunneld = None if tunneld in (None, "", "off") else tunneld
        self._tunnel_args: list[str] | None = None  # decided once, on the first developer call
        self._xcode_major = xcode_major
        if executable is None:
            name = "pymobiledevice3" if tool == "pymobiledevice3" else "xcrun"
            found = shutil.which(name) if runner is run_tool else name
            if found is None:
                raise DependencyMissingError(
                    "pymobiledevice3 is not on PATH; install it on its own (it is GPL and "
                    "conflicts with benchctl's pins): pipx install pymobiledevice3"
                    if tool == "pymobiledevice3"
                    else "xcrun not found: devicectl needs macOS with Xcode 15 or newer"
                )
            executable = found
        self.executable = executable
        self.capabilities = TransportCapabilities(
            shell=False, python_runner=False, app_launch=True, files_root=FILES_ROOT
        )

    # --- tool calls ----------------------------------------------------------------------------

    def _pmd3(self, *args: str, timeout: float = 60) -> Completed:
        return self._run_tool([self.executable, *args], timeout)

    def _devicectl(self, *args: str, timeout: float = 60) -> Completed:
        return self._run_tool([self.executable, "devicectl", *args], timeout)

    def _dvt(self, command: str, *args: str, timeout: float = 60) -> Completed:
        """`developer dvt <command>`, through tunneld when it serves this phone (I9)."""
        device = self.tunnel_args() or ["--udid", self.udid]
        return self._pmd3("developer", "dvt", command, *device, *args, timeout=timeout)

    def tunnel_args(self) -> list[str]:
        """`["--tunnel", UDID]` when a pymobiledevice3 tunneld serves this phone, else `[]`.

        On iOS 17+ developer services need an RSD tunnel; without tunneld, pymobiledevice3 first
        tries lockdown, fails, and builds a userspace tunnel in-process, for every single call
        (each pid poll). tunneld keeps one tunnel up (`sudo pymobiledevice3 remote tunneld`)."""
        if self._tunnel_args is None:
            self._tunnel_args = ["--tunnel", self.udid] if self.tunneld_serves() else []
        return self._tunnel_args

    def tunneld_serves(self) -> bool:
        """Whether tunneld's listing (`GET http://<tunneld>/`, {udid: [tunnels]}) names us."""
        if self._tunneld is None:
            return False
        try:
            with urllib.request.urlopen(f"http://{self._tunneld}/", timeout=2) as answer:
                listing = json.loads(answer.read() or b"{}")
        except (OSError, ValueError):
            return False
        return isinstance(listing, dict) and bool(listing.get(self.udid))

    def xcode_major(self) -> int | None:
        """Xcode's major version (`xcodebuild -version` → "Xcode 16.1"), None if unknown."""
        if self._xcode_major is None:
            done = self._run_tool([self.executable, "xcodebuild", "-version"], 30)
            found = re.search(r"^Xcode (\d+)", done.stdout_tail, re.MULTILINE)
            self._xcode_major = int(found.group(1)) if done.returncode == 0 and found else 0
        return self._xcode_major or None

    def _checked(self, done: Completed, what: str) -> Completed:
        if done.timed_out:
            raise TransportError(f"iOS {self.udid}: {what} timed out")
        if done.returncode != 0:
            raise TransportError(
                f"iOS {self.udid}: {what} failed ({done.returncode}): "
                f"{(done.stderr_tail or done.stdout_tail).strip()[-400:]}"
            )
        return done

    def _json_out(
        self, *args: str, what: str, timeout: float = 60, after: Sequence[str] = ()
    ) -> Any:
        """devicectl with `--json-output FILE` (before `after`); returns the parsed document."""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.json"
            argv = [*args, "--json-output", str(out), *after]
            self._checked(self._devicectl(*argv, timeout=timeout), what)
            try:
                return json.loads(out.read_text())
            except (OSError, ValueError) as exc:
                raise TransportError(f"iOS {self.udid}: {what} wrote no JSON ({exc})") from None

    def _container_args(self) -> list[str]:
        return [
            "--device",
            self.udid,
            "--domain-type",
            "appDataContainer",
            "--domain-identifier",
            self.app,
        ]

    # --- files ---------------------------------------------------------------------------------

    def workdir(self, run_id: str) -> str:
        # No folder is made here: push creates the missing levels of every path it writes.
        return posixpath.join(FILES_ROOT, "work", run_id)

    def push(self, local: Path, remote: str, *, timeout: float) -> None:
        if self.tool == "pymobiledevice3":
            with tempfile.TemporaryDirectory(prefix="benchctl-ios-push-") as tmp:
                top = stage_for_afc(Path(local), remote, Path(tmp))
                args = ["apps", "push", "--udid", self.udid, self.app, str(top)]
                done = self._pmd3(*args, CONTAINER_DOCUMENTS, timeout=timeout)
                self._checked(done, f"push {Path(local).name}")
        else:
            self._checked(
                self._devicectl(
                    "device",
                    "copy",
                    "to",
                    *self._container_args(),
                    "--source",
                    str(local),
                    "--destination",
                    remote.lstrip("/"),
                    timeout=timeout,
                ),
                f"copy {local.name} to the device",
            )

    def pull(self, remote: str, local: Path, *, timeout: float) -> None:
        if self.tool == "pymobiledevice3":
            args = ["apps", "pull", "--udid", self.udid, self.app, remote, str(local)]
            self._checked(self._pmd3(*args, timeout=timeout), f"pull {remote}")
        else:
            self._checked(
                self._devicectl(
                    "device",
                    "copy",
                    "from",
                    *self._container_args(),
                    "--source",
                    remote.lstrip("/"),
                    "--destination",
                    str(local),
                    timeout=timeout,
                ),
                f"copy {remote} from the device",
            )
        if not Path(local).is_file():
            raise TransportError(f"iOS {self.udid}: {remote} did not arrive")

    def exists(self, remote: str) -> bool:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                self.pull(remote, Path(tmp) / posixpath.basename(remote), timeout=60)
            except TransportError:
                return False
            return True

    def sha256(self, remote: str, *, timeout: float) -> str | None:
        return None  # no way to hash in the container without copying it back: always push

    def cleanup(self, remote: str) -> None:
        if not posixpath.normpath(remote).startswith(FILES_ROOT + "/"):
            raise TransportError(f"refusing to remove {remote}: it is outside {FILES_ROOT}")
        if self.tool == "pymobiledevice3":
            done = self._pmd3("apps", "rm", "--udid", self.udid, self.app, remote)
            self._checked(done, f"remove {remote}")
        # devicectl has no remove for app containers: the app deletes, when it starts, every run
        # folder and cached model but those of the spec it was launched with (I8).

    def run(
        self, argv: Sequence[str], *, timeout: float, on_line: LineFn | None = None
    ) -> Completed:
        raise TransportError("iOS has no shell; benchmarks run in the companion app")

    def runner_argv(self) -> list[str]:
        raise TransportError("iOS runs benchmarks in the companion app, not a Python runner")

    # --- the companion app ---------------------------------------------------------------------

    def launch_app(self, app: AppTarget, spec_remote: str, *, timeout: float) -> Completed:
        """Launch the app with the spec path and wait until it has exited (≤ timeout)."""
        spec_arg = spec_remote.lstrip("/")
        if self.tool == "devicectl":
            return self._devicectl_launch(app, spec_arg, timeout=timeout)
        # dvt launch takes the bundle id and its arguments as one string it splits with shlex.
        launched = self._dvt(
            "launch",
            "--kill-existing",
            f"{app.app_id} --spec {spec_arg}",  # the app's documented launch argument
            timeout=120,
        )
        self._checked(launched, f"launch {app.app_id}")
        return self._wait_gone(
            lambda: self.app_pid(app.app_id),
            lambda pid: self._dvt("kill", str(pid)),
            launched.stdout_tail,
            timeout,
        )

    def _wait_gone(
        self,
        pid_of: Callable[[], int],
        kill: Callable[[int], object],
        stdout: str,
        timeout: float,
    ) -> Completed:
        deadline = self._clock() + timeout
        while True:
            pid = pid_of()
            if pid == 0:
                return Completed(0, stdout, "")
            if self._clock() >= deadline:
                kill(pid)
                return Completed(124, stdout, "", timed_out=True)
            self._sleep(self._poll_s)

    def _devicectl_launch(self, app: AppTarget, spec_arg: str, *, timeout: float) -> Completed:
        """`devicectl device process launch … <bundle> -- --spec <path>` (I7).

        devicectl parses arguments after the bundle id that it recognises as its own (Apple
        Feedback FB13259837); after `--` everything goes to the app. `--console` (wait for the
        app to exit, stream its output) exists from Xcode 16; with an older Xcode the launch
        returns at once and the app's pid (from the launch's JSON) is polled until it is gone."""
        head = ["device", "process", "launch", "--terminate-existing", "--device", self.udid]
        app_args = [app.app_id, "--", "--spec", spec_arg]
        if (self.xcode_major() or 0) >= CONSOLE_MIN_XCODE:
            return self._devicectl(*head, "--console", *app_args, timeout=timeout)
        doc = self._json_out(*head, what=f"launch {app.app_id}", timeout=120, after=app_args)
        pid = (((doc.get("result") or {}).get("process") or {}).get("processIdentifier")) or 0
        if not isinstance(pid, int) or pid <= 0:
            raise TransportError(f"iOS {self.udid}: devicectl launched no process ({doc!r:.300})")
        return self._wait_gone(
            lambda: pid if pid in self._devicectl_pids() else 0,
            lambda p: self._devicectl(
                "device", "process", "terminate", "--device", self.udid, "--pid", str(p)
            ),
            "",
            timeout,
        )

    def _devicectl_pids(self) -> set[int]:
        """The running processes' pids (`device info processes`, result.runningProcesses)."""
        doc = self._json_out(
            "device", "info", "processes", "--device", self.udid, what="list processes"
        )
        running = (doc.get("result") or {}).get("runningProcesses") or []
        return {
            p["processIdentifier"]
            for p in running
            if isinstance(p, dict) and isinstance(p.get("processIdentifier"), int)
        }

    def app_pid(self, bundle: str) -> int:
        """The app's pid, 0 when it is not running."""
        done = self._checked(self._dvt("process-id-for-bundle-id", bundle), "ask for the app's pid")
        text = done.stdout_tail.strip().splitlines()
        if not text or not text[-1].strip().isdigit():
            raise TransportError(f"iOS {self.udid}: unexpected pid answer {done.stdout_tail!r}")
        return int(text[-1].strip())

    # --- facts ---------------------------------------------------------------------------------

    def facts(self, *, timeout: float) -> dict[str, Any]:
        if self.tool == "devicectl":
            doc = self._json_out(
                "device", "info", "details", "--device", self.udid, what="device info"
            )
            return facts_from_devicectl(doc)
        done = self._checked(
            self._pmd3("lockdown", "info", "--udid", self.udid, timeout=timeout), "lockdown info"
        )
        facts = facts_from_lockdown(_parse_json(done.stdout_tail, "lockdown info"))
        apps = self._pmd3("apps", "query", "--udid", self.udid, self.app, timeout=timeout)
        if apps.returncode == 0:
            info = _parse_json(apps.stdout_tail, "apps query").get(self.app)
            facts["app_installed"] = bool(info)
            if info:
                facts["app_version"] = info.get("CFBundleShortVersionString")
        return facts

    def snapshot(self, *, timeout: float) -> dict[str, Any]:
        """Battery from the diagnostics relay (pymobiledevice3); thermal state comes from the
        app's result, which reads ProcessInfo.thermalState before and after the loop."""
        if self.tool == "devicectl":
            return {"platform": "ios"}
        done = self._checked(
            self._pmd3("diagnostics", "battery", "single", "--udid", self.udid, timeout=timeout),
            "battery state",
        )
        return battery_from_diagnostics(_parse_json(done.stdout_tail, "battery"))

    def developer_image_mounted(self) -> bool | None:
        """Whether a developer disk image (Developer, or Personalized on iOS 17+) is mounted
        (`mounter list`); None when the tool cannot tell."""
        if self.tool != "pymobiledevice3":
            return None
        done = self._pmd3("mounter", "list", "--udid", self.udid)
        if done.returncode != 0:
            return None
        images = _parse_json(done.stdout_tail, "mounter list")
        kinds = {i.get("DiskImageType") for i in images if isinstance(i, dict)}
        return bool(kinds & {"Developer", "Personalized"})

    def developer_mode(self) -> bool | None:
        """Whether Developer Mode is on (None when the tool cannot tell)."""
        if self.tool != "pymobiledevice3":
            return None
        done = self._pmd3("amfi", "developer-mode-status", "--udid", self.udid)
        if done.returncode != 0:
            return None
        return done.stdout_tail.strip().lower() == "true"

    def logs(self, *, timeout: float) -> str:
        if self.tool == "devicectl":
            return ""
        done = self._pmd3("crash", "ls", "--udid", self.udid, timeout=timeout)
        return done.stdout_tail if done.returncode == 0 else done.stderr_tail

    def close(self) -> None:
        return None


def _parse_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise TransportError(f"{what}: expected JSON, got {text.strip()[:200]!r}") from None


def facts_from_lockdown(info: dict[str, Any]) -> dict[str, Any]:
    """`pymobiledevice3 lockdown info` → hardware class and unit identity."""
    return {
        "platform": "ios",
        "manufacturer": "Apple",
        "model": info.get("ProductType"),  # e.g. iPhone13,2 (= iPhone 12)
        "hardware_model": info.get("HardwareModel"),
        "cpu_architecture": info.get("CPUArchitecture"),
        "chip_id": info.get("ChipID"),
        "os_version": info.get("ProductVersion"),
        "os_build": info.get("BuildVersion"),
        "device_name": info.get("DeviceName"),
        "serial": info.get("SerialNumber"),
        "udid": info.get("UniqueDeviceID"),
    }


def facts_from_devicectl(doc: dict[str, Any]) -> dict[str, Any]:
    """`xcrun devicectl device info details --json-output` → the same keys."""
    result = doc.get("result", {})
    hw = result.get("hardwareProperties", {})
    props = result.get("deviceProperties", {})
    return {
        "platform": "ios",
        "manufacturer": "Apple",
        "model": hw.get("productType"),
        "marketing_name": hw.get("marketingName"),
        "cpu_architecture": (hw.get("cpuType") or {}).get("name"),
        "os_version": props.get("osVersionNumber"),
        "os_build": props.get("osBuildUpdate"),
        "device_name": props.get("name"),
        "serial": hw.get("serialNumber"),
        "udid": hw.get("udid"),
        "developer_mode": props.get("developerModeStatus") == "enabled",
    }


def battery_from_diagnostics(doc: dict[str, Any] | None) -> dict[str, Any]:
    """`pymobiledevice3 diagnostics battery single` (IORegistry IOPMPowerSource).

    It prints `null` when the device has no power-source entry (I10): the battery is unknown,
    which the gates treat as "no reading", never as a failure."""
    snap: dict[str, Any] = {"platform": "ios"}
    if not isinstance(doc, dict):
        snap["battery"] = "unknown"
        return snap
    if "CurrentCapacity" in doc:
        snap["battery_pct"] = float(doc["CurrentCapacity"])
    if "Temperature" in doc:
        snap["battery_temp_c"] = float(doc["Temperature"]) / 100.0
    if "IsCharging" in doc or "ExternalConnected" in doc:
        snap["charging"] = bool(doc.get("IsCharging") or doc.get("ExternalConnected"))
    return snap


def stage_for_afc(local: Path, remote: str, tmp: Path) -> Path:
    """A tree under `tmp` whose top folder, pushed into `/Documents`, puts `local` at `remote`.

    `remote` must lie below `/Documents/`. Every level of the path is a real folder; the last
    is a link to `local` (a copy where links are not allowed) named as `remote` ends, so a folder
    artifact lands *at* `remote` (not `remote/<local name>`, I1) and no push writes into a folder
    that was never created (I2)."""
    rel = posixpath.relpath(posixpath.normpath(remote), CONTAINER_DOCUMENTS)
    if rel.startswith("..") or rel == ".":
        raise TransportError(f"refusing to push to {remote}: it is outside {CONTAINER_DOCUMENTS}/")
    leaf = tmp.joinpath(*rel.split("/"))
    leaf.parent.mkdir(parents=True, exist_ok=True)
    source = Path(local).resolve()
    try:
        os.symlink(source, leaf, target_is_directory=source.is_dir())
    except OSError:
        if source.is_dir():
            shutil.copytree(source, leaf)
        else:
            shutil.copyfile(source, leaf)
    return tmp / rel.split("/")[0]


# --- the kind ----------------------------------------------------------------------------------

_UDID = re.compile(r"^(?:[0-9a-fA-F]{40}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16})$")


def _check_address(address: str | None) -> None:
    if not (address and _UDID.match(address)):
        raise ConfigError(
            f"--ios {address!r} is not a UDID (40 hex digits, or 8-16 hex digits with a dash "
            "as `pymobiledevice3 usbmux list` shows)"
        )


def _connect(device: Device) -> IosTransport:
    return IosTransport(str(device.address), **KIND.connect_options(device))


def _doctor_checks(device: Device, transport: Any, facts: dict[str, Any], report: Report) -> None:
    mode = transport.developer_mode() if hasattr(transport, "developer_mode") else None
    if mode is not None:
        report.add(
            "developer mode",
            mode,
            "on" if mode else "off",
            "pymobiledevice3 amfi enable-developer-mode, then pymobiledevice3 mounter auto-mount",
        )


def _check_stages(device: Device) -> list[Stage]:
    from benchctl.harness.check import ios

    return ios.stages(device)


KIND = TransportKind(
    name="ios",
    connect=_connect,
    description="an iPhone or iPad (pymobiledevice3 or devicectl); the companion app runs",
    options=("tool", "executable", "app", "tunneld"),
    choices={"tool": ("pymobiledevice3", "devicectl")},
    check_address=_check_address,
    default_runtimes=("coreml", "coreml-cpu", "coreml-gpu", "coreml-ane"),  # one app, every unit
    hardware_keys=("platform", "manufacturer", "model", "hardware_model", "cpu_architecture"),
    unit_keys=("serial", "udid", "device_name"),
    app=AppDefaults(
        DEFAULT_BUNDLE,
        "dvt",
        install_fix="pymobiledevice3 apps install BenchctlApp.ipa (a development-signed build)",
    ),
    install_hint="pipx install pymobiledevice3 (its own environment; it is GPL)",
    connect_hint=lambda device: (
        "plug the phone in, unlock it, tap Trust, then: pymobiledevice3 lockdown pair"
    ),
    doctor_checks=_doctor_checks,
    check_stages=_check_stages,
)
