"""A stand-in iPhone for the ios transport: pymobiledevice3's real CLI for files, canned
answers (after the real parser accepted the argv) for the rest, and a stand-in for the app.

`Pmd3Phone` is a `CommandRunner` for `IosTransport`:
- `apps push|pull|rm` run pymobiledevice3's own CLI (`pmd3_shim.py cli …`, in its own virtual
  environment), whose `HouseArrestService`/`AfcService` talk AFC over TCP to `AfcDevice`
  (afc_device.py), a container in memory with the device's rules (no implicit parents; a folder
  push nests under the target);
- every other command is answered from the constructed transcript
  (assets/ios/pymobiledevice3_run.json) or as the app would, and its argv is kept: `check_argvs()`
  parses them all with the real CLI's parser (one call, at the end of a test);
- `developer dvt launch` runs the stand-in app: benchctl's Python runner on the spec, reading the
  spec and model out of the container and writing result.json back into it, as the Swift app
  reads and writes its own container. Nothing of the app's Swift code runs here.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from afc_device import AfcDevice

from benchctl.harness.transports.base import Completed

ASSETS = Path(__file__).parent / "assets" / "ios"
SHIM = Path(__file__).with_name("pmd3_shim.py")
UDID = "00008101-001A2B3C4D5E001E"  # the stand-in's, as in assets/ios/
FILE_COMMANDS = (("apps", "push"), ("apps", "pull"), ("apps", "rm"))


@contextlib.contextmanager
def stand_in_iphone(python: Path, monkeypatch, udid: str = UDID) -> Iterator[Pmd3Phone]:
    """A `Pmd3Phone` on a fresh container, and `connect_transport` patched so that an `ios`
    device in the inventory reaches it (no sleeps, fast polls, no tunneld)."""
    import benchctl.harness.transports as transports
    from benchctl.harness.transports.ios import IosTransport

    with AfcDevice() as device:
        phone = Pmd3Phone(python, device, udid)
        real = transports.connect_transport

        def connect(dev):
            if dev.transport != "ios":
                return real(dev)
            return IosTransport(dev.address, executable="pymobiledevice3", runner=phone,
                                sleep=lambda s: None, poll_s=0.01, tunneld=None)  # fmt: skip

        monkeypatch.setattr(transports, "connect_transport", connect)
        yield phone


def canned_answers() -> dict[tuple[str, ...], str]:
    steps = json.loads((ASSETS / "pymobiledevice3_run.json").read_text())["steps"]
    return {tuple(s["argv"][1:3]): s["stdout"] for s in steps[:3]}


class Pmd3Phone:
    def __init__(self, python: Path, device: AfcDevice, udid: str) -> None:
        self.python, self.device, self.udid = python, device, udid
        self.canned = canned_answers()
        self.calls: list[list[str]] = []
        self.cli_runs: list[subprocess.CompletedProcess[str]] = []
        self.launches: list[subprocess.CompletedProcess[str]] = []
        self.battery = self.canned[("diagnostics", "battery")]
        self.app_crashes = False

    @property
    def container(self):
        return self.device.container

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYMOBILEDEVICE3_")}
        env.update(BENCHCTL_TEST_AFC_PORT=str(self.device.port), BENCHCTL_TEST_UDID=self.udid)
        return env

    def real_cli(self, args: Sequence[str], timeout: float) -> Completed:
        proc = shim_server(self.python).run(["cli", *args], self.env(), timeout)
        self.cli_runs.append(proc)
        return Completed(proc.returncode, proc.stdout, proc.stderr)

    def __call__(self, argv: Sequence[str], timeout: float) -> Completed:
        assert timeout > 0 and argv[0] == "pymobiledevice3", argv
        args = list(argv[1:])
        self.calls.append(args)
        if tuple(args[:2]) in FILE_COMMANDS:
            return self.real_cli(args, timeout)
        if tuple(args[:2]) == ("diagnostics", "battery"):
            return Completed(0, self.battery, "")
        if tuple(args[:2]) in self.canned:  # lockdown info, apps query
            return Completed(0, self.canned[tuple(args[:2])], "")
        if args[:2] == ["amfi", "developer-mode-status"]:
            return Completed(0, "true\n", "")
        if args[:2] == ["mounter", "list"]:
            return Completed(0, json.dumps([{"DiskImageType": "Personalized"}]), "")
        if args[:2] == ["crash", "ls"]:
            return Completed(0, "benchctl-2026-11-21-101500.ips\n", "")
        if args[:3] == ["developer", "dvt", "launch"]:
            return self.launch(shlex.split(args[-1]), timeout)
        if args[:3] == ["developer", "dvt", "process-id-for-bundle-id"]:
            return Completed(0, "0\n", "")  # the app has exited (it ran synchronously above)
        raise AssertionError(f"the transport issued an unexpected command: {args}")

    def launch(self, app_argv: list[str], timeout: float) -> Completed:
        """The app: `<bundle> --spec <container-relative path>`; run the spec, write the result."""
        bundle, flag, spec = app_argv
        assert (bundle, flag) == (self.device.bundle, "--spec"), app_argv
        with tempfile.TemporaryDirectory(prefix="ios-app-") as tmp:
            if self.container.exists("Documents/benchctl"):
                self.container.export("Documents/benchctl", Path(tmp) / "Documents/benchctl")
            local_spec = Path(tmp) / spec
            if self.app_crashes:
                proc = subprocess.CompletedProcess([], -11, "", "Segmentation fault")
            else:
                proc = subprocess.run(
                    [sys.executable, "-m", "benchctl.runner", str(local_spec)],
                    capture_output=True, text=True, timeout=timeout, check=False,
                )  # fmt: skip
            self.launches.append(proc)
            result = local_spec.parent / "result.json"
            if result.exists():
                self.container.write(str(Path(spec).parent / "result.json"), result.read_bytes())
        return Completed(0, "Process launched with pid 4711\n", "")

    def check_argvs(self, argvs: Sequence[Sequence[str]] | None = None) -> list[dict]:
        """Every argv (default: every call so far) through the real CLI's parser, in one run."""
        unique = {json.dumps(list(a)): list(a) for a in (argvs or self.calls)}
        return parse_with_real_cli(self.python, list(unique.values()))


def parse_with_real_cli(python: Path, argvs: list[list[str]]) -> list[dict]:
    done = shim_server(python).run(["argv", json.dumps(argvs)], dict(os.environ), 300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


class ShimServer:
    """`pmd3_shim.py serve` in pymobiledevice3's environment: each call runs as the shim would in
    a fresh interpreter (`pmd3_shim.py cli|argv ...`), in a child forked after the imports, so
    the session pays pymobiledevice3's import time once instead of on every call."""

    def __init__(self, python: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYMOBILEDEVICE3_")}
        self.log = tempfile.TemporaryFile()  # the server's own stderr (a pipe could fill up)
        self.proc = subprocess.Popen(
            [str(python), str(SHIM), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=env,
        )
        self.lock = threading.Lock()

    def run(
        self, argv: list[str], env: dict[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        """As `subprocess.run([python, SHIM, *argv], capture_output=True, text=True, ...)`."""
        request = json.dumps({"argv": argv, "env": env, "timeout": timeout})
        with self.lock:
            assert self.proc.stdin and self.proc.stdout
            self.proc.stdin.write(request + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            self.proc.kill()
            self.proc.wait(timeout=30)
            self.log.seek(0)
            err = self.log.read().decode(errors="replace")
            raise RuntimeError(f"pmd3_shim.py serve exited {self.proc.returncode}: {err[-3000:]}")
        answer = json.loads(line)
        args = [str(SHIM), *argv]
        if answer["timed_out"]:
            raise subprocess.TimeoutExpired(args, timeout, answer["stdout"], answer["stderr"])
        return subprocess.CompletedProcess(
            args, answer["returncode"], answer["stdout"], answer["stderr"]
        )

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin
            self.proc.stdin.close()  # the server's loop ends at end of input
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


_SERVERS: dict[Path, ShimServer] = {}


def shim_server(python: Path) -> ShimServer:
    """The session's server for this interpreter (started on first use, stopped at exit)."""
    server = _SERVERS.get(python)
    if server is None or server.proc.poll() is not None:
        server = _SERVERS[python] = ShimServer(python)
    return server


@atexit.register
def _stop_servers() -> None:
    for server in _SERVERS.values():
        server.close()
