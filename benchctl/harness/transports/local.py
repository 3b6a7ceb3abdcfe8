"""The `local` transport: the device is this machine; the runner is a child process."""

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

from benchctl.errors import TransportError
from benchctl.harness.transports.base import Completed, LineFn

_TAIL_LINES = 50


class LocalTransport:
    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def workdir(self, run_id: str) -> str:
        path = self.root / run_id
        path.mkdir(parents=True, exist_ok=False)
        return str(path)

    def push(self, local: Path, remote: str, *, timeout: float) -> None:
        dst = Path(remote)
        if dst.exists():
            dst.unlink()
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

    def runner_argv(self) -> list[str]:
        return [sys.executable, "-m", "benchctl.harness.runner"]

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


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
