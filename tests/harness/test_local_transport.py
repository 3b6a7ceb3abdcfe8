from __future__ import annotations

import os
import sys
import time

import pytest

from benchctl.errors import TransportError
from benchctl.harness.transports import LocalTransport


def test_push_pull_and_cleanup(tmp_path):
    t = LocalTransport(tmp_path / "device")
    remote = t.workdir("a" * 32)
    src = tmp_path / "model.bin"
    src.write_bytes(b"weights")
    t.push(src, f"{remote}/model.bin", timeout=5)
    assert t.exists(f"{remote}/model.bin")
    t.pull(f"{remote}/model.bin", tmp_path / "back.bin", timeout=5)
    assert (tmp_path / "back.bin").read_bytes() == b"weights"
    with pytest.raises(TransportError):
        t.pull(f"{remote}/missing", tmp_path / "x", timeout=5)
    t.cleanup(remote)
    assert not t.exists(remote)


def test_workdir_is_never_reused(tmp_path):
    t = LocalTransport(tmp_path)
    t.workdir("b" * 32)
    with pytest.raises(FileExistsError):
        t.workdir("b" * 32)


def test_run_streams_lines_and_reports_exit_code(tmp_path):
    lines: list[str] = []
    code = "import sys; print('one'); print('two'); sys.stderr.write('bad\\n'); sys.exit(3)"
    done = LocalTransport(tmp_path).run(
        [sys.executable, "-c", code], timeout=30, on_line=lines.append
    )
    assert lines == ["one", "two"]
    assert done.returncode == 3 and "bad" in done.stderr_tail and not done.timed_out


def test_run_kills_the_process_group_at_the_deadline(tmp_path):
    started, marker = tmp_path / "grandchild-pid", tmp_path / "child-survived"
    grandchild = (
        f"import os, time; open({str(started)!r} + '.tmp', 'w').write(str(os.getpid())); "
        f"os.replace({str(started)!r} + '.tmp', {str(started)!r}); "
        f"time.sleep(10); open({str(marker)!r}, 'w')"
    )
    # the child waits until its grandchild has started, so the kill always finds both running
    code = ("import os, subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', {grandchild!r}])\n"
            f"while not os.path.exists({str(started)!r}): time.sleep(0.01)\n"
            "time.sleep(60)\n")  # fmt: skip
    t0 = time.monotonic()
    done = LocalTransport(tmp_path).run([sys.executable, "-c", code], timeout=4.0)
    assert done.timed_out and done.returncode != 0
    assert time.monotonic() - t0 < 30
    assert started.is_file(), "the grandchild never started: the kill was not put to the test"
    assert wait_until_gone(int(started.read_text()))  # it died with its process group…
    assert not marker.exists()  # …before it could write this (10 s after it started)


def test_missing_program_is_a_transport_error(tmp_path):
    with pytest.raises(TransportError, match="could not start"):
        LocalTransport(tmp_path).run(["/nonexistent/prog"], timeout=5)


def wait_until_gone(pid: int, timeout: float = 20.0) -> bool:
    """Poll until process `pid` has exited (or is a zombie no one reaped yet): a positive event
    to wait for, so a test never sleeps a fixed time and then asserts that something is absent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.05)
    return False
