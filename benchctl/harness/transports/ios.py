"""The `ios` transport: iPhones and iPads, through the companion app (`ios_app/`).

Two command-line tools, each called with argv lists and a timeout, never imported:

- `pymobiledevice3` (Linux, macOS, Windows). It is GPL-3.0 and pins libraries that conflict
  with benchctl's, so it is installed on its own (`pipx install pymobiledevice3`) and found on
  PATH. Files go into the app's container through house_arrest (`apps push/pull`, which needs a
  development-signed app); the app is launched with `developer dvt launch "<bundle> <spec>"` and
  is done when `developer dvt process-id-for-bundle-id` prints 0 (the app exits after writing
  its result). iOS 17+ needs Developer Mode and a mounted developer disk image
  (`pymobiledevice3 mounter auto-mount`); `devices doctor` checks both.
- `xcrun devicectl` (macOS with Xcode 15+): `device copy to/from --domain-type
  appDataContainer`, `device process launch --console` (returns when the app exits),
  `device info details --json-output`.

The app gets the spec path relative to its container (`Documents/benchctl/work/<run_id>/
spec.json`) as its only argument and writes `result.json` beside it. iOS has no shell, so
there is no Python runner; thermal state comes from the app's own result document.
"""

from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchctl.errors import DependencyMissingError, TransportError
from benchctl.harness.transports.base import AppTarget, Completed, LineFn, TransportCapabilities

DEFAULT_BUNDLE = "dev.benchctl.ios"
FILES_ROOT = "/Documents/benchctl"
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
    ) -> None:
        if tool not in ("pymobiledevice3", "devicectl"):
            raise TransportError(f"ios tool {tool!r}: use pymobiledevice3 or devicectl")
        self.udid = udid
        self.tool = tool
        self.app = app
        self._run_tool = runner
        self._poll_s, self._clock, self._sleep = poll_s, clock, sleep
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

    def _checked(self, done: Completed, what: str) -> Completed:
        if done.timed_out:
            raise TransportError(f"iOS {self.udid}: {what} timed out")
        if done.returncode != 0:
            raise TransportError(
                f"iOS {self.udid}: {what} failed ({done.returncode}): "
                f"{(done.stderr_tail or done.stdout_tail).strip()[-400:]}"
            )
        return done

    def _json_out(self, *args: str, what: str, timeout: float = 60) -> Any:
        """devicectl with `--json-output FILE`; returns the parsed document."""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.json"
            self._checked(self._devicectl(*args, "--json-output", str(out), timeout=timeout), what)
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
        # house_arrest/devicectl create the folders of a pushed file's path; nothing to make.
        return posixpath.join(FILES_ROOT, "work", run_id)

    def push(self, local: Path, remote: str, *, timeout: float) -> None:
        if self.tool == "pymobiledevice3":
            args = ["apps", "push", "--udid", self.udid, self.app, str(local), remote]
            self._checked(self._pmd3(*args, timeout=timeout), f"push {local.name}")
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
        # devicectl has no remove for app containers; the app deletes old runs itself.

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
            done = self._devicectl(
                "device",
                "process",
                "launch",
                "--console",
                "--terminate-existing",
                "--device",
                self.udid,
                app.app_id,
                "--spec",
                spec_arg,
                timeout=timeout,
            )
            return done
        # dvt launch takes the bundle id and its arguments as one string it splits with shlex.
        launched = self._pmd3(
            "developer",
            "dvt",
            "launch",
            "--udid",
            self.udid,
            "--kill-existing",
            f"{app.app_id} --spec {spec_arg}",  # the app's documented launch argument
            timeout=120,
        )
        self._checked(launched, f"launch {app.app_id}")
        deadline = self._clock() + timeout
        while True:
            pid = self.app_pid(app.app_id)
            if pid == 0:
                return Completed(0, launched.stdout_tail, "")
            if self._clock() >= deadline:
                self._pmd3("developer", "dvt", "kill", "--udid", self.udid, str(pid))
                return Completed(124, launched.stdout_tail, "", timed_out=True)
            self._sleep(self._poll_s)

    def app_pid(self, bundle: str) -> int:
        """The app's pid, 0 when it is not running."""
        done = self._checked(
            self._pmd3("developer", "dvt", "process-id-for-bundle-id", "--udid", self.udid, bundle),
            "ask for the app's pid",
        )
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


def battery_from_diagnostics(doc: dict[str, Any]) -> dict[str, Any]:
    """`pymobiledevice3 diagnostics battery single` (IORegistry AppleSmartBattery)."""
    snap: dict[str, Any] = {"platform": "ios"}
    if "CurrentCapacity" in doc:
        snap["battery_pct"] = float(doc["CurrentCapacity"])
    if "Temperature" in doc:
        snap["battery_temp_c"] = float(doc["Temperature"]) / 100.0
    if "IsCharging" in doc or "ExternalConnected" in doc:
        snap["charging"] = bool(doc.get("IsCharging") or doc.get("ExternalConnected"))
    return snap
