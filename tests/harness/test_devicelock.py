"""One run per device: a real flock held by another process, its holder named, released on
death; the CLI's --no-wait fails at once and stores nothing."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchctl.harness.devicelock import DeviceBusyError, device_lock, lock_dir, lock_key
from benchctl.harness.devices import Device, get_device

HOLDER = textwrap.dedent(
    """
    import sys, time
    from benchctl.harness.devices import get_device
    from benchctl.harness.devicelock import device_lock
    with device_lock(get_device("host"), what="benchctl run: holder test"):
        print("held", flush=True)
        time.sleep(float(sys.argv[1]))
    """
)


def _hold(seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_run_fails_at_once_with_no_wait_and_names_the_holder():
    holder = _hold(30)
    try:
        t0 = time.monotonic()
        with pytest.raises(DeviceBusyError) as exc:
            with device_lock(get_device("host"), wait=False):
                pytest.fail("the lock was taken twice")
        assert time.monotonic() - t0 < 2
        message = str(exc.value)
        assert f"pid {holder.pid}" in message and "benchctl run: holder test" in message
        assert exc.value.exit_code == 5
    finally:
        holder.kill()
        holder.wait()


def test_a_waiting_run_says_what_it_waits_for_and_gets_the_lock_when_freed():
    holder = _hold(1.5)
    messages: list[str] = []
    t0 = time.monotonic()
    with device_lock(get_device("host"), on_wait=messages.append):
        waited = time.monotonic() - t0
        info = json.loads((lock_dir() / "host.lock").read_text())
    holder.wait()
    assert waited >= 1.0  # it really waited for the holder
    assert len(messages) == 1 and f"pid {holder.pid}" in messages[0]
    assert messages[0].startswith("waiting for host is busy")
    assert info["pid"] == os.getpid()  # we wrote who holds it now
    assert (lock_dir() / "host.lock").read_text() == ""  # released: no stale holder text


def test_a_killed_holder_never_leaves_the_device_locked():
    holder = _hold(60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with device_lock(get_device("host"), wait=False):
        pass  # the kernel dropped the dead process's flock


def test_the_lock_folder_and_files_are_shared_by_every_user():
    with device_lock(get_device("host"), wait=False) as path:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o1777


def test_waiting_gives_up_after_its_timeout():
    holder = _hold(30)
    try:
        with pytest.raises(DeviceBusyError, match="gave up after"):
            with device_lock(get_device("host"), timeout_s=0.6):
                pytest.fail("the lock was taken twice")
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    ("device", "key"),
    [
        (Device("host", "local"), "host"),
        (Device("gpu", "local", accelerator="cuda"), "host"),  # the same machine
        (Device("pi", "ssh", address="pi@pi5.local:2222"), "ssh-pi5.local-2222"),
        (Device("pi", "ssh", address="pi5.local"), "ssh-pi5.local-22"),
        (Device("p8", "adb", address="192.168.1.5:5555"), "adb-192.168.1.5_5555"),
        (Device("ip", "ios", address="00008030-001A2C3E0C38802E"), "ios-00008030-001A2C3E0C38802E"),
    ],
)
def test_one_lock_per_physical_device(device, key):
    assert lock_key(device) == key


def test_cli_no_wait_exits_5_and_stores_nothing(isolated_project: Path):
    from benchctl.cli.app import main
    from benchctl.results.store import ResultStore

    holder = _hold(120)
    try:
        t0 = time.monotonic()
        with pytest.raises(SystemExit) as exc:
            main(["run", "--model", "test_mobileone", "-n", "20", "--no-wait"])
        assert exc.value.code == 5 and time.monotonic() - t0 < 30
        assert ResultStore.open(None).runs() == []  # a busy device is not a measurement
        assert not list((isolated_project / ".benchctl" / "runs").glob("*"))
    finally:
        holder.kill()
        holder.wait()


def test_every_run_holds_the_device_lock_from_push_to_pull(tiny_artifact, monkeypatch):
    """run_benchmark (CLI, sweep, confirm and the lab worker's job alike) runs the device part
    under the lock: a second taker is refused while the runner runs."""
    import benchctl.harness.run as run_mod
    from benchctl.harness.lifecycle import run_on_device as real
    from benchctl.results.store import ResultStore

    seen: list[str] = []

    def spy(device, *args, **kwargs):
        with pytest.raises(DeviceBusyError) as exc:
            with device_lock(device, wait=False):
                pytest.fail("the device was not locked during the run")
        seen.append(str(exc.value))
        return real(device, *args, **kwargs)

    monkeypatch.setattr(run_mod, "run_on_device", spy)
    monkeypatch.setattr(run_mod, "get_artifact", lambda *a, **k: tiny_artifact)
    outcome = run_mod.run_benchmark(
        run_mod.RunRequest(model="test_mobileone", iterations=20, warmup=2), ResultStore.open(None)
    )
    assert outcome.record.status == "ok", outcome.record.error_message
    assert len(seen) == 1 and f"pid {os.getpid()}" in seen[0] and "test_mobileone" in seen[0]
    with device_lock(get_device("host"), wait=False):
        pass  # released after the run
