"""Converters' chatter goes to the run's log; benchctl's own output stays on the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from benchctl.harness.chatter import quiet_native_output
    log = Path(sys.argv[1])
    print("before", file=sys.stderr, flush=True)
    with quiet_native_output(log):
        os.write(2, b"INFO: native chatter on fd 2\\n")
        os.write(1, b"native chatter on fd 1\\n")
        print("benchctl progress", file=sys.stderr, flush=True)
        print("benchctl data", flush=True)
    os.write(2, b"after, native\\n")
    """
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BENCHCTL_DEBUG"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


def test_native_writes_go_to_the_log_python_streams_to_the_terminal(tmp_path: Path) -> None:
    log = tmp_path / "run" / "convert.log"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(log)],
        capture_output=True, text=True, env=_env(), timeout=60, check=True,
    )  # fmt: skip
    assert done.stderr.splitlines() == ["before", "benchctl progress", "after, native"]
    assert done.stdout.splitlines() == ["benchctl data"]
    assert log.read_text().splitlines() == [
        "INFO: native chatter on fd 2",
        "native chatter on fd 1",
    ]


def test_nothing_written_leaves_no_log_and_debug_keeps_everything_visible(tmp_path: Path) -> None:
    quiet = tmp_path / "quiet.log"
    script = "import sys\nfrom pathlib import Path\nfrom benchctl.harness.chatter import "
    script += "quiet_native_output\nwith quiet_native_output(Path(sys.argv[1])):\n    pass\n"
    subprocess.run([sys.executable, "-c", script, str(quiet)], env=_env(), timeout=60, check=True)
    assert not quiet.exists()
    log = tmp_path / "debug.log"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(log)],
        capture_output=True, text=True, env={**_env(), "BENCHCTL_DEBUG": "1"}, timeout=60,
        check=True,
    )  # fmt: skip
    assert "INFO: native chatter on fd 2" in done.stderr and not log.exists()


@pytest.mark.slow
def test_a_litert_run_keeps_tflite_chatter_in_the_run_log(tmp_path: Path) -> None:
    """The real converter and interpreter: their absl/XNNPACK lines never reach the terminal."""
    done = subprocess.run(
        [sys.executable, "-m", "benchctl", "run", "--model", "test_mobileone", "--runtime",
         "litert", "-n", "5", "--warmup", "1", "--json"],
        capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    run_id = json.loads(done.stdout)["run_id"]
    log = tmp_path / ".benchctl" / "runs" / run_id / "convert.log"
    assert "XNNPACK" not in done.stderr and "absl" not in done.stderr, done.stderr
    assert "XNNPACK" in log.read_text()
