"""The `local` transport: the device is this machine; the runner is a child process.

It also serves accelerators attached to this machine (a USB Coral, NVIDIA GPUs): their
discovery is in `harness/discovery.py`, their facts are added here.
"""

from __future__ import annotations

import collections
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchctl.errors import TransportError
from benchctl.harness.transports.base import (
    AppTarget,
    Completed,
    LineFn,
    TransportCapabilities,
    TransportKind,
)

if TYPE_CHECKING:
    from benchctl.harness.check import Stage
    from benchctl.harness.devices import Device

_TAIL_LINES = 200


class LocalTransport:
    name = "local"

    def __init__(self, root: Path, *, accelerator: str | None = None) -> None:
        self.root = Path(root)
        self.accelerator = accelerator
        self.capabilities = TransportCapabilities(
            shell=True, python_runner=True, app_launch=False, files_root=str(self.root)
        )

    def workdir(self, run_id: str) -> str:
        path = self.root / run_id
        path.mkdir(parents=True, exist_ok=False)
        return str(path)

    def push(self, local: Path, remote: str, *, timeout: float) -> None:
        dst = Path(remote)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_dir() and not dst.is_symlink():
            shutil.rmtree(dst)
        elif dst.exists():
            dst.unlink()
        if Path(local).is_dir():  # a folder artifact (.mlpackage): hard-link every file
            shutil.copytree(local, dst, copy_function=_link_or_copy)
            return
        try:
            os.link(local, dst)  # same filesystem: no copy at all
        except OSError:
            shutil.copyfile(local, dst)

    def pull(self, remote: str, local: Path, *, timeout: float) -> None:
        src = Path(remote)
        if not src.is_file():
            raise TransportError(f"{remote} does not exist on the device")
        if src.resolve() != Path(local).resolve():
            shutil.copyfile(src, local)

    def exists(self, remote: str) -> bool:
        return Path(remote).exists()

    def sha256(self, remote: str, *, timeout: float) -> str | None:
        from benchctl.runner.digest import content_sha256

        return content_sha256(remote) if Path(remote).exists() else None

    def launch_app(self, app: AppTarget, spec_remote: str, *, timeout: float) -> Completed:
        raise TransportError("the local transport runs the Python runner, not a companion app")

    def facts(self, *, timeout: float) -> dict[str, Any]:
        from benchctl.harness.discovery import local_corals, local_gpus
        from benchctl.runner.facts import device_facts

        facts: dict[str, Any] = dict(device_facts())
        if self.accelerator == "cuda":
            gpus, why = local_gpus(timeout=timeout)
            facts["gpus"] = [g.to_json() for g in gpus]
            facts["accelerator_problem"] = why
        elif self.accelerator == "edgetpu":
            corals, why = local_corals()
            facts["corals"] = [c.to_json() for c in corals]
            facts["accelerator_problem"] = why
        return facts

    def snapshot(self, *, timeout: float) -> dict[str, Any]:
        from benchctl.harness.gating import LINUX_SNAPSHOT_SH, parse_linux_snapshot

        if sys.platform != "linux":
            return {"platform": sys.platform}
        done = self.run(["sh", "-c", LINUX_SNAPSHOT_SH], timeout=timeout)
        return parse_linux_snapshot(done.stdout_tail)

    def logs(self, *, timeout: float) -> str:
        return ""  # the runner's own stderr travels in Completed; no device log to add

    def close(self) -> None:
        return None

    def runner_argv(self) -> list[str]:
        return [sys.executable, "-m", "benchctl.runner"]

    def cleanup(self, remote: str) -> None:
        shutil.rmtree(remote, ignore_errors=True)

    def run(
        self, argv: Sequence[str], *, timeout: float, on_line: LineFn | None = None
    ) -> Completed:
        try:
            proc = subprocess.Popen(
                list(argv),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                bufsize=1,
                start_new_session=True,
            )
        except OSError as exc:
            raise TransportError(f"could not start {argv[0]}: {exc}") from exc
        out: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        err: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)

        def pump_err() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                err.append(line)

        t = threading.Thread(target=pump_err, daemon=True)
        t.start()
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            _kill_group(proc)

        timer = threading.Timer(timeout, expire)
        timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if on_line is not None:
                    on_line(line.rstrip("\n"))
                out.append(line)
            proc.wait()
        except BaseException:
            _kill_group(proc)  # Ctrl-C on the host must not leave a runner behind
            raise
        finally:
            timer.cancel()
            t.join(timeout=5)
        return Completed(proc.returncode, "".join(out), "".join(err), timed_out=expired.is_set())


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return


# --- the kind ----------------------------------------------------------------------------------


def _connect(device: Device) -> LocalTransport:
    from benchctl import config

    return LocalTransport(config.home() / "work", accelerator=device.accelerator)


def _check_stages(device: Device) -> list[Stage]:
    from benchctl.harness.check import local

    return local.stages(device)


KIND = TransportKind(
    name="local",
    connect=_connect,
    description="this machine; the runner is a child process of benchctl",
    accelerators=True,
    on_host=True,
    check_stages=_check_stages,
    lock_key=lambda device: "host",  # every local entry is this one machine
)
