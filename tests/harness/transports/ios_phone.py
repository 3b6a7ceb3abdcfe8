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

import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from afc_device import AfcDevice

from benchctl.harness.transports.base import Completed

ASSETS = Path(__file__).parent / "assets" / "ios"
SHIM = Path(__file__).with_name("pmd3_shim.py")
FILE_COMMANDS = (("apps", "push"), ("apps", "pull"), ("apps", "rm"))


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
        proc = subprocess.run(
            [str(self.python), str(SHIM), "cli", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.env(),
            check=False,
        )
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
    done = subprocess.run(
        [str(python), str(SHIM), "argv", json.dumps(argvs)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
