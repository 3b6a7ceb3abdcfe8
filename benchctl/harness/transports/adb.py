"""The `adb` transport: Android phones, through the companion app (`android_app/`).

Two clients behind one interface (the `[android]` extra):

- `server` — adbutils talking to a running adb server (127.0.0.1:5037, or
  `ANDROID_ADB_SERVER_PORT`). Preferred whenever a server runs: while it holds a USB phone, a
  direct USB claim fails with LIBUSB_ERROR_BUSY.
- `direct` — adb-shell speaking the device protocol itself (CNXN/AUTH/OPEN/WRTE/CLSE, sync
  SEND/RECV/STAT) over TCP (`host:port`, after `adb tcpip 5555`) or USB (`adb-shell[usb]`), with
  the RSA key in `~/.android/adbkey` (created on first use, as adb does). No server needed.

`auto` (default) picks `server` when one answers, else `direct`. The legacy `shell:` service
returns no exit status, so every command ends with `; echo __BENCHCTL_EXIT__$?` and the marker
is parsed (the workaround adbutils' `shell2` uses too).

A run puts its files in the app's external files folder
(`/sdcard/Android/data/<app>/files/benchctl/`), which the shell user may write and the app reads
without permissions; the app copies the model into its internal storage before loading it.
Launch: `am instrument -w -r -e spec <path> <component>` (blocks until the app is done), or
`am start -W -S -n <component> --es spec <path>` and polling for `result.json`.
"""

from __future__ import annotations

import collections
import posixpath
import re
import shlex
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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

EXIT_MARKER = "__BENCHCTL_EXIT__"
STATUS_STREAM = "INSTRUMENTATION_STATUS: stream="  # `am instrument -r`: a status bundle's text
PROGRESS_PREFIX = "@@benchctl progress"  # = benchctl.runner.run.PROGRESS_PREFIX (light import)
DEFAULT_APP = "dev.benchctl.android"
# The app's product flavors put the release APK here (android_app/README.md); `qnn` likewise.
BUILD_RELEASE = "cd android_app && ./gradlew :app:assembleStandardRelease"
RELEASE_APK = "android_app/app/build/outputs/apk/standard/release/app-standard-release.apk"
_TAIL_LINES = 200
_POLL_S = 0.5  # how often a silent server-mode shell checks its deadline
_EXIT_RE = re.compile(re.escape(EXIT_MARKER) + r"(\d+)\s*$")


class _Client(Protocol):
    """What AdbTransport needs from either client library."""

    def shell_stream(self, command: str, timeout: float) -> Iterator[str]: ...

    def push(self, local: Path, remote: str, timeout: float) -> None: ...

    def pull(self, remote: str, local: Path, timeout: float) -> None: ...

    def close(self) -> None: ...


class _ShellTimeout(TransportError):
    """The shell produced nothing for longer than its timeout."""


def default_server_port() -> int:
    import os

    return int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037"))


def server_running(host: str = "127.0.0.1", port: int | None = None) -> bool:
    try:
        socket.create_connection((host, port or default_server_port()), timeout=0.5).close()
        return True
    except OSError:
        return False


class _ServerClient:
    """adbutils through the adb server (host protocol)."""

    def __init__(self, serial: str, host: str, port: int) -> None:
        try:
            import adbutils
        except ImportError:
            raise DependencyMissingError(
                "the adb transport needs adbutils; run: pip install 'benchctl[android]'"
            ) from None
        self._adbutils = adbutils
        self.client = adbutils.AdbClient(host=host, port=port, socket_timeout=30)
        if ":" in serial:
            try:
                self.client.connect(serial, timeout=15)
            except adbutils.AdbError as exc:
                raise TransportError(f"adb connect {serial} failed: {exc}") from None
        try:
            states = {d.serial: d.state for d in self.client.list()}
        except adbutils.AdbError as exc:
            raise TransportError(f"adb server at {host}:{port} failed: {exc}") from None
        if serial not in states:
            raise TransportError(
                f"adb server sees no device {serial!r} (it sees: {', '.join(states) or 'none'}); "
                "plug it in and enable USB debugging"
            )
        if states[serial] == "unauthorized":
            raise TransportError(
                f"{serial} is unauthorized: unlock the phone and accept the USB debugging prompt"
            )
        if states[serial] != "device":
            raise TransportError(f"{serial} is {states[serial]}, not ready; reconnect it")
        self.device = self.client.device(serial=serial)

    def shell_stream(self, command: str, timeout: float) -> Iterator[str]:
        """Lines as the device prints them, until `timeout` s after the start (finding A5).

        adbutils applies a shell's `timeout` only to its non-streaming form, and
        `AdbConnection.read(n)` waits for all n bytes; so the socket is polled with a short timeout
        and read with `recv` (whatever has arrived), and the deadline is checked on every poll.
        """
        deadline = time.monotonic() + timeout
        try:
            conn = self.device.shell(command, stream=True)
        except self._adbutils.AdbError as exc:
            raise TransportError(f"adb shell failed: {exc}") from None
        try:
            buf = b""
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _ShellTimeout(f"adb shell: not finished after {timeout:.0f} s")
                conn.conn.settimeout(min(_POLL_S, left))
                try:
                    chunk = conn.recv(4096)
                except self._adbutils.AdbTimeout:
                    continue
                if not chunk:
                    break
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    yield line.decode("utf-8", "replace") + "\n"
            if buf:
                yield buf.decode("utf-8", "replace")
        except (self._adbutils.AdbError, OSError) as exc:
            raise TransportError(f"adb shell failed: {exc}") from None
        finally:
            conn.close()

    def _sync(self, timeout: float) -> Any:
        """adbutils' Sync whose connections time out after `timeout` s without progress (its own
        opens them with no timeout at all, so a stalled phone would hang a push forever)."""
        return self._adbutils.Sync(_TimedDevice(self.device, timeout))

    def push(self, local: Path, remote: str, timeout: float) -> None:
        try:
            self._sync(timeout).push(str(local), remote)
        except (self._adbutils.AdbError, OSError) as exc:
            raise TransportError(f"adb push {local} → {remote} failed: {exc}") from None

    def pull(self, remote: str, local: Path, timeout: float) -> None:
        import stat

        sync = self._sync(timeout)
        try:
            # adbutils' pull treats anything that is not a regular file as a folder: a missing
            # file would come back as an empty local folder named after it, without an error.
            if not stat.S_ISREG(sync.stat(remote).mode):
                raise TransportError(f"adb pull {remote} failed: No such file or directory")
            sync.pull_file(remote, str(local))
        except (self._adbutils.AdbError, OSError) as exc:
            raise TransportError(f"adb pull {remote} failed: {exc}") from None

    def close(self) -> None:
        return None


class _TimedDevice:
    """The device as adbutils' Sync sees it, opening its connections with a socket timeout."""

    def __init__(self, device: Any, timeout: float) -> None:
        self._device, self._timeout = device, timeout

    def open_transport(self, command: str | None = None, timeout: float | None = None) -> Any:
        return self._device.open_transport(command, timeout=timeout or self._timeout)


class _DirectClient:
    """adb-shell speaking the device protocol over TCP or USB (no adb server)."""

    def __init__(self, serial: str, key: str | None, auth_timeout: float = 30.0) -> None:
        try:
            from adb_shell import exceptions
            from adb_shell.adb_device import AdbDeviceTcp
            from adb_shell.auth.keygen import keygen
            from adb_shell.auth.sign_pythonrsa import PythonRSASigner
        except ImportError:
            raise DependencyMissingError(
                "direct adb needs adb-shell; run: pip install 'benchctl[android]'"
            ) from None
        self._errors: tuple[type[BaseException], ...] = (
            exceptions.AdbCommandFailureException,
            exceptions.AdbConnectionError,
            exceptions.AdbTimeoutError,
            exceptions.DeviceAuthError,
            exceptions.InvalidChecksumError,
            exceptions.InvalidCommandError,
            exceptions.InvalidResponseError,
            exceptions.PushFailedError,
            exceptions.TcpTimeoutException,
            exceptions.UsbReadFailedError,
            exceptions.UsbWriteFailedError,
            OSError,
        )
        self._timeouts: tuple[type[BaseException], ...] = (
            exceptions.AdbTimeoutError,
            exceptions.TcpTimeoutException,
            TimeoutError,
        )
        key_path = Path(key or "~/.android/adbkey").expanduser()
        if not key_path.is_file():
            key_path.parent.mkdir(parents=True, exist_ok=True)
            keygen(str(key_path))  # what adb itself does on first use
            key_path.chmod(0o600)  # a private key: for its owner only (adb's own is 0600)
        signer = PythonRSASigner.FromRSAKeyPath(str(key_path))
        if ":" in serial:
            host, port = serial.rsplit(":", 1)
            self.device = AdbDeviceTcp(host, int(port), default_transport_timeout_s=15.0)
        else:
            try:
                import usb1  # noqa: F401  (libusb1, the `adb-shell[usb]` extra)
                from adb_shell.adb_device import AdbDeviceUsb
            except ImportError:
                raise DependencyMissingError(
                    "direct adb over USB needs libusb1; run: pip install 'adb-shell[usb]' "
                    "(or start an adb server: adb start-server)"
                ) from None
            self.device = AdbDeviceUsb(serial=serial, default_transport_timeout_s=15.0)
        try:
            self.device.connect(rsa_keys=[signer], auth_timeout_s=auth_timeout)
        except exceptions.DeviceAuthError as exc:
            raise TransportError(f"adb {serial}: authentication refused ({exc})") from None
        except (exceptions.AdbTimeoutError, exceptions.TcpTimeoutException, TimeoutError):
            raise TransportError(
                f"adb {serial}: no answer; if the phone shows a USB "
                f"debugging prompt, accept it for key {key_path}.pub; else check {serial} is an "
                "adb device (adb tcpip 5555 once over USB), then run again"
            ) from None
        except self._errors as exc:
            raise TransportError(
                f"adb {serial}: cannot connect ({exc}); for TCP run `adb tcpip 5555` once over "
                "USB; for USB, stop any adb server (adb kill-server) — it holds the device"
            ) from None

    def shell_stream(self, command: str, timeout: float) -> Iterator[str]:
        """Lines as they arrive, until `timeout` s after the start (finding A4).

        adb-shell applies its transport timeout to every single read: with the connection's
        default, an app that prints nothing for that long (a model copy, a GPU compile, a slow
        warm-up) would fail though its deadline is far away. So this stream's reads may wait for
        as long as the deadline allows, and a failed read after the deadline is a timeout (over
        USB it surfaces as UsbReadFailedError, not as a timeout exception).
        """
        started = time.monotonic()
        buf = ""
        try:
            for chunk in self.device.streaming_shell(
                command, transport_timeout_s=timeout, read_timeout_s=timeout
            ):
                buf += chunk
                *lines, buf = buf.split("\n")
                for line in lines:
                    yield line + "\n"
        except self._timeouts:
            raise _ShellTimeout(f"adb shell: not finished after {timeout:.0f} s") from None
        except self._errors as exc:
            if time.monotonic() - started >= timeout:
                raise _ShellTimeout(f"adb shell: not finished after {timeout:.0f} s") from None
            raise TransportError(f"adb shell failed: {exc}") from None
        if buf:
            yield buf

    def push(self, local: Path, remote: str, timeout: float) -> None:
        try:
            self.device.push(
                str(local), remote, transport_timeout_s=timeout, read_timeout_s=timeout
            )
        except self._errors as exc:
            raise TransportError(f"adb push {local} → {remote} failed: {exc}") from None

    def pull(self, remote: str, local: Path, timeout: float) -> None:
        try:
            self.device.pull(
                remote, str(local), transport_timeout_s=timeout, read_timeout_s=timeout
            )
        except self._errors as exc:
            raise TransportError(f"adb pull {remote} failed: {exc}") from None

    def close(self) -> None:
        self.device.close()


class AdbTransport:
    name = "adb"

    def __init__(
        self,
        serial: str,
        *,
        mode: str = "auto",
        key: str | None = None,
        server_host: str = "127.0.0.1",
        server_port: int | None = None,
        root: str | None = None,
        app: str = DEFAULT_APP,
        auth_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if mode not in ("auto", "server", "direct"):
            raise TransportError(f"adb mode {mode!r}: use auto, server or direct")
        self.serial = serial
        self.app = app
        self._clock, self._sleep = clock, sleep
        port = server_port or default_server_port()
        if mode == "auto":
            mode = "server" if server_running(server_host, port) else "direct"
        self.mode = mode
        self._client: _Client = (
            _ServerClient(serial, server_host, port)
            if mode == "server"
            else _DirectClient(serial, key, auth_timeout)
        )
        self._app_folder: dict[str, Any] | None = None  # ensure_app_folder's finding, once
        self.screen: dict[str, Any] | None = None  # the last run's screen state (wake_screen)
        self.capabilities = TransportCapabilities(
            shell=True,
            python_runner=False,
            app_launch=True,
            files_root=root or f"/sdcard/Android/data/{app}/files/benchctl",
        )

    # --- shell ---------------------------------------------------------------------------------

    def shell(self, command: str, *, timeout: float, on_line: LineFn | None = None) -> Completed:
        """Run a shell command line; the exit status comes from the appended marker."""
        out: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        code = None
        started = self._clock()
        lines = self._client.shell_stream(f"{command}; echo {EXIT_MARKER}$?", timeout)
        try:
            for line in lines:
                m = _EXIT_RE.search(line)
                if m:
                    code = int(m.group(1))
                    if line[: m.start()]:
                        out.append(line[: m.start()])
                    continue
                out.append(line)
                if on_line is not None:
                    on_line(line.rstrip("\n"))
                if self._clock() - started > timeout:
                    return Completed(124, "".join(out), "", timed_out=True)
        except _ShellTimeout:
            return Completed(124, "".join(out), "", timed_out=True)
        if code is None:
            return Completed(255, "".join(out), "the shell ended without an exit status", False)
        return Completed(code, "".join(out), "")

    def run(
        self, argv: Sequence[str], *, timeout: float, on_line: LineFn | None = None
    ) -> Completed:
        return self.shell(shlex.join(argv), timeout=timeout, on_line=on_line)

    def _check(self, argv: Sequence[str], timeout: float = 60) -> str:
        done = self.run(argv, timeout=timeout)
        if done.returncode != 0:
            raise TransportError(
                f"adb {self.serial}: `{shlex.join(argv)}` failed ({done.returncode}): "
                f"{(done.stdout_tail + done.stderr_tail).strip()[-400:]}"
            )
        return done.stdout_tail

    def output(self, argv: Sequence[str], *, timeout: float) -> str:
        """A command's whole output (shell() keeps only a tail: `getprop`, `dumpsys package` and
        `dumpsys power` print far more than that on a real phone)."""
        lines: list[str] = []
        done = self.run(argv, timeout=timeout, on_line=lines.append)
        if done.returncode != 0:
            raise TransportError(
                f"adb {self.serial}: `{shlex.join(argv)}` failed ({done.returncode}): "
                f"{done.stdout_tail.strip()[-400:]}"
            )
        return "\n".join(lines) + ("\n" if lines else "")

    # --- files ---------------------------------------------------------------------------------

    @property
    def app_folder(self) -> str:
        return f"/sdcard/Android/data/{self.app}"

    def ensure_app_folder(self, *, timeout: float = 120) -> dict[str, Any]:
        """Make sure the app created its own external folder before the host writes into it (A6).

        On Android 11+ only the app's first `getExternalFilesDir()` (vold's PrepareAppDirFromRoot)
        gives `Android/data/<pkg>` the app's uid; a folder the shell made first keeps the wrong
        owner for good, and the app then cannot create its result file. So the host never makes
        it: a missing folder is made by starting the app's instrumentation with `-e prepare true`,
        and a folder with another owner is refused with the fix. Returns what it found.
        """
        if self._app_folder is not None:
            return self._app_folder
        root = self.capabilities.files_root
        if not (root + "/").startswith(self.app_folder + "/"):
            self._app_folder = {"checked": False, "reason": f"files root {root} is not the app's"}
            return self._app_folder
        uid = parse_package(self.output(["dumpsys", "package", self.app], timeout=60)).get(
            "app_uid"
        )
        prepared = False
        owner = self.owner(self.app_folder)
        if owner is None:
            if uid is None:
                raise TransportError(
                    f"{self.app} is not installed on {self.serial}: install the release APK "
                    "(android_app/README.md), then run again"
                )
            done = self.run(
                ["am", "instrument", "-w", "-r", "-e", "prepare", "true",
                 f"{self.app}/.BenchInstrumentation"],
                timeout=timeout,
            )  # fmt: skip
            prepared = True
            owner = self.owner(self.app_folder)
            if owner is None:
                raise TransportError(
                    f"{self.app} did not create {self.app_folder} when started "
                    f"({done.stdout_tail.strip()[-300:]}); reinstall the app and run again"
                )
        if uid is not None and owner != uid:
            raise TransportError(
                f"{self.app_folder} belongs to uid {owner}, not to the app (uid {uid}): it was "
                "created before the app first ran, Android never repairs that, and the app cannot "
                f"write its results there. Fix: adb uninstall {self.app} && adb install -r -g "
                "<the release APK> (or: adb shell rm -rf " + self.app_folder + "), then run again"
            )
        self._app_folder = {"checked": True, "owner_uid": owner, "app_uid": uid,
                            "prepared_by_app": prepared}  # fmt: skip
        return self._app_folder

    def owner(self, remote: str) -> int | None:
        """The uid owning `remote` (toybox `stat -c %u`), None when it does not exist."""
        done = self.run(["stat", "-c", "%u", remote], timeout=30)
        text = done.stdout_tail.strip()
        return int(text) if done.returncode == 0 and text.isdigit() else None

    def workdir(self, run_id: str) -> str:
        self.ensure_app_folder()
        path = posixpath.join(self.capabilities.files_root, "work", run_id)
        if self.exists(path):
            raise FileExistsError(path)
        self._check(["mkdir", "-p", path])
        return path

    def push(self, local: Path, remote: str, *, timeout: float) -> None:
        self.ensure_app_folder()
        self._check(["mkdir", "-p", posixpath.dirname(remote)])
        if Path(local).is_dir():
            self._check(["rm", "-rf", remote])
            for f in sorted(Path(local).rglob("*")):
                if f.is_file():
                    dst = posixpath.join(remote, f.relative_to(local).as_posix())
                    self._check(["mkdir", "-p", posixpath.dirname(dst)])
                    self._client.push(f, dst, timeout)
            return
        self._client.push(Path(local), remote, timeout)

    def pull(self, remote: str, local: Path, *, timeout: float) -> None:
        self._client.pull(remote, Path(local), timeout)

    def exists(self, remote: str) -> bool:
        return self.run(["test", "-e", remote], timeout=30).returncode == 0

    def sha256(self, remote: str, *, timeout: float) -> str | None:
        done = self.run(["sha256sum", remote], timeout=timeout)
        fields = done.stdout_tail.split()
        if done.returncode != 0 or not fields or len(fields[0]) != 64:
            return None
        return "sha256:" + fields[0]

    def cleanup(self, remote: str) -> None:
        root = self.capabilities.files_root.rstrip("/") + "/"
        if not posixpath.normpath(remote).startswith(root):
            raise TransportError(f"refusing to remove {remote}: it is outside {root}")
        self._check(["rm", "-rf", remote])

    def runner_argv(self) -> list[str]:
        raise TransportError("Android runs benchmarks in the companion app, not a Python runner")

    # --- the screen (A13) ----------------------------------------------------------------------

    def wake_screen(self) -> dict[str, Any]:
        """Wake the screen, keep it on while plugged in, dismiss an insecure keyguard; refuse a
        locked one. With the screen off or the keyguard up the app's window never comes to the
        front: the run is scheduled outside the top-app group and sustained-performance mode
        never applies. Returns the state found and what was changed (restore_screen undoes it).
        """
        from benchctl.harness.gating import GateRefused

        state: dict[str, Any] = {
            "wakefulness_before": parse_wakefulness(self.output(["dumpsys", "power"], timeout=60))
        }
        if state["wakefulness_before"] not in (None, "Awake"):
            self._check(["input", "keyevent", "KEYCODE_WAKEUP"], 30)
        old = self.run(["settings", "get", "global", "stay_on_while_plugged_in"], timeout=30)
        state["stay_on_before"] = old.stdout_tail.strip() if old.returncode == 0 else None
        self._check(["svc", "power", "stayon", "true"], 30)
        keyguard = parse_keyguard(self.output(["dumpsys", "window", "policy"], timeout=60))
        if keyguard.get("showing"):
            self.run(["wm", "dismiss-keyguard"], timeout=30)
            self._sleep(0.5)
            keyguard = parse_keyguard(self.output(["dumpsys", "window", "policy"], timeout=60))
        state["keyguard"] = keyguard
        state["wakefulness"] = parse_wakefulness(self.output(["dumpsys", "power"], timeout=60))
        if keyguard.get("showing"):
            self.restore_screen(state)
            how = " with a PIN, pattern or password" if keyguard.get("secure") else ""
            raise GateRefused(
                f"{self.serial} is locked{how} "
                "and the lock screen cannot be dismissed from adb: unlock it (on a lab phone, set "
                "Settings › Security › Screen lock to None), then run again",
                code="DEVICE_LOCKED",
            )
        self.screen = state
        return state

    def restore_screen(self, state: dict[str, Any]) -> None:
        old = state.get("stay_on_before")
        if old is not None and old.isdigit():
            self.run(["settings", "put", "global", "stay_on_while_plugged_in", old], timeout=30)

    # --- the companion app ---------------------------------------------------------------------

    streams_app_progress = True  # launch_app forwards the app's progress lines (lifecycle)

    def launch_app(
        self,
        app: AppTarget,
        spec_remote: str,
        *,
        timeout: float,
        on_line: LineFn | None = None,
    ) -> Completed:
        """Start the app on `spec_remote` and wait for it; `am instrument -w` blocks until the
        app finishes, `am start` is followed by polling for the result beside the spec. The
        screen is woken and kept on for the run (A13); progress lines reach `on_line` as the app
        sends them (A8: with `-r` they arrive as `INSTRUMENTATION_STATUS: stream=…`)."""
        self.run(["logcat", "-c"], timeout=30)  # so logs() shows this run only
        screen = self.wake_screen()
        try:
            return self._launch(app, spec_remote, timeout, on_line)
        finally:
            self.restore_screen(screen)

    def _launch(
        self, app: AppTarget, spec_remote: str, timeout: float, on_line: LineFn | None
    ) -> Completed:
        if app.launch == "instrument":
            component = app.component or f"{app.app_id}/.BenchInstrumentation"
            argv = ["am", "instrument", "-w", "-r", "-e", "spec", spec_remote, component]

            def forward(line: str) -> None:
                text = line.removeprefix(STATUS_STREAM)
                if on_line is not None and text.startswith(PROGRESS_PREFIX):
                    on_line(text)

            done = self.run(argv, timeout=timeout, on_line=forward)
            if done.timed_out:
                self.run(["am", "force-stop", app.app_id], timeout=30)
                return done
            return Completed(
                0 if instrumentation_ok(done.stdout_tail) else 1,
                done.stdout_tail,
                done.stderr_tail,
            )
        if app.launch != "activity":
            raise TransportError(f"android launch {app.launch!r}: use instrument or activity")
        component = app.component or f"{app.app_id}/.BenchActivity"
        self._check(["am", "start", "-W", "-S", "-n", component, "--es", "spec", spec_remote])
        result = posixpath.join(posixpath.dirname(spec_remote), "result.json")
        deadline = self._clock() + timeout
        while self._clock() < deadline:
            if self.exists(result):
                return Completed(0, "", "")
            if self.run(["pidof", app.app_id], timeout=30).returncode != 0:
                if self.exists(result):  # it wrote the result and exited between the two looks
                    return Completed(0, "", "")
                return Completed(1, "", f"{app.app_id} exited without writing {result}")
            self._sleep(1.0)
        self.run(["am", "force-stop", app.app_id], timeout=30)
        return Completed(124, "", "", timed_out=True)

    # --- facts ---------------------------------------------------------------------------------

    def facts(self, *, timeout: float) -> dict[str, Any]:
        from benchctl.harness.gating import parse_getprop

        props = parse_getprop(self.output(["getprop"], timeout=timeout))
        facts: dict[str, Any] = {
            "platform": "android",
            "manufacturer": props.get("ro.product.manufacturer"),
            "model": props.get("ro.product.model"),
            "soc_manufacturer": props.get("ro.soc.manufacturer"),
            "soc_model": props.get("ro.soc.model"),
            "board": props.get("ro.product.board"),
            "abi": props.get("ro.product.cpu.abi"),
            "os_version": props.get("ro.build.version.release"),
            "sdk": props.get("ro.build.version.sdk"),
            "build_type": props.get("ro.build.type"),
            "fingerprint": props.get("ro.build.fingerprint"),
            "serial": props.get("ro.serialno") or self.serial,
            "emulator": props.get("ro.kernel.qemu") == "1" or props.get("ro.boot.qemu") == "1",
        }
        lines: list[str] = []
        self.run(["dumpsys", "package", self.app], timeout=timeout, on_line=lines.append)
        facts.update(parse_package("\n".join(lines)))
        return facts

    def snapshot(self, *, timeout: float) -> dict[str, Any]:
        from benchctl.harness.gating import parse_dumpsys_battery, parse_thermalservice

        snap: dict[str, Any] = {"platform": "android"}
        snap.update(
            parse_thermalservice(self.output(["dumpsys", "thermalservice"], timeout=timeout))
        )
        snap.update(parse_dumpsys_battery(self.output(["dumpsys", "battery"], timeout=timeout)))
        return snap

    def logs(self, *, timeout: float) -> str:
        return self.run(["logcat", "-d", "-t", "500"], timeout=timeout).stdout_tail

    def close(self) -> None:
        self._client.close()


def instrumentation_ok(text: str) -> bool:
    """`am instrument -r` output: finished with INSTRUMENTATION_CODE -1 (Activity.RESULT_OK)."""
    if "INSTRUMENTATION_FAILED" in text or "INSTRUMENTATION_ABORTED" in text:
        return False
    m = re.search(r"^INSTRUMENTATION_CODE:\s*(-?\d+)", text, flags=re.MULTILINE)
    return m is not None and int(m.group(1)) == -1


def parse_package(text: str) -> dict[str, Any]:
    """`dumpsys package <pkg>`: installed?, version, debuggable flag."""
    if "Package [" not in text:
        return {"app_installed": False}
    flags = re.search(r"pkgFlags=\[([^\]]*)\]", text)
    version = re.search(r"versionName=(\S+)", text)
    code = re.search(r"versionCode=(\d+)", text)
    uid = re.search(r"\b(?:userId|appId)=(\d+)", text)
    return {
        "app_installed": True,
        "app_uid": int(uid.group(1)) if uid else None,
        "app_version": version.group(1) if version else None,
        "app_version_code": int(code.group(1)) if code else None,
        "app_debuggable": bool(flags and "DEBUGGABLE" in flags.group(1).split()),
    }


def parse_wakefulness(text: str) -> str | None:
    """`dumpsys power`: mWakefulness=Awake|Asleep|Dreaming|Dozing."""
    m = re.search(r"^\s*mWakefulness=(\w+)", text, flags=re.MULTILINE)
    return m.group(1) if m else None


def parse_keyguard(text: str) -> dict[str, bool]:
    """`dumpsys window policy`: the KeyguardServiceDelegate block's showing= and secure=."""
    out: dict[str, bool] = {}
    block = text.partition("KeyguardServiceDelegate")[2]
    for key in ("showing", "secure", "occluded"):
        m = re.search(rf"^\s*{key}=(true|false)\s*$", block, flags=re.MULTILINE)
        if m:
            out[key] = m.group(1) == "true"
    return out


# --- the kind ----------------------------------------------------------------------------------


def _check_address(address: str | None) -> None:
    if not (address and address.strip() and " " not in address):
        raise ConfigError("--adb needs the serial `adb devices` shows (or host:port for TCP)")


def _connect(device: Device) -> AdbTransport:
    return AdbTransport(str(device.address), **KIND.connect_options(device))


def _doctor_checks(device: Device, transport: Any, facts: dict[str, Any], report: Report) -> None:
    if facts.get("build_type") == "eng":
        report.add("build", False, "Android eng build", "flash a user or userdebug build")


def _check_stages(device: Device) -> list[Stage]:
    from benchctl.harness.check import adb

    return adb.stages(device)


KIND = TransportKind(
    name="adb",
    connect=_connect,
    description="an Android phone over adb (server or direct); the companion app runs",
    options=("mode", "key", "server_host", "server_port", "root", "app", "auth_timeout"),
    choices={"mode": ("auto", "server", "direct")},
    check_address=_check_address,
    default_runtimes=("litert", "litert-gpu"),
    hardware_keys=("platform", "manufacturer", "model", "soc_manufacturer", "soc_model", "abi"),
    unit_keys=("serial", "fingerprint"),
    app=AppDefaults(
        DEFAULT_APP,
        "instrument",
        install_fix=f"{BUILD_RELEASE}, then adb install -r -g {RELEASE_APK}",
        release_fix=f"install the release build ({BUILD_RELEASE}; adb install -r -g {RELEASE_APK})",
    ),
    install_hint="pip install 'benchctl[android]'",
    connect_hint=lambda device: (
        "adb devices must list the phone as `device`; accept the USB debugging prompt"
    ),
    default_key="~/.android/adbkey",
    doctor_checks=_doctor_checks,
    check_stages=_check_stages,
)
