from __future__ import annotations

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
    done = LocalTransport(tmp_path).run([sys.executable, "-c", code], timeout=30,
                                        on_line=lines.append)
    assert lines == ["one", "two"]
    assert done.returncode == 3 and "bad" in done.stderr_tail and not done.timed_out


def test_run_kills_the_process_group_at_the_deadline(tmp_path):
    marker = tmp_path / "child-survived"
    grandchild = f"import time; time.sleep(3); open({str(marker)!r}, 'w')"
    code = ("import subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', {grandchild!r}])\n"
            "time.sleep(60)\n")
    started = time.monotonic()
    done = LocalTransport(tmp_path).run([sys.executable, "-c", code], timeout=1.0)
    assert done.timed_out and done.returncode != 0
    assert time.monotonic() - started < 30
    time.sleep(3.5)
    assert not marker.exists()  # the grandchild died with its process group


def test_missing_program_is_a_transport_error(tmp_path):
    with pytest.raises(TransportError, match="could not start"):
        LocalTransport(tmp_path).run(["/nonexistent/prog"], timeout=5)
