"""What the ssh transport ships to a board, against the real sshd: exactly the runner's closure,
and the runner loads from it alone (test_ssh_transport.py runs real models through it)."""

from __future__ import annotations

import json
from pathlib import Path

from benchctl.harness.runner_bundle import closure, runner_bundle
from benchctl.harness.transports.ssh import SshTransport

# On the board, from the pushed bundle alone: import every module of the closure (backends import
# their runtime only when used, so this is cheap) and print where each benchctl module came from.
PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
files = {n: getattr(m, "__file__", None) for n, m in list(sys.modules.items())}
print(json.dumps({n: f for n, f in files.items() if n.partition(".")[0] == "benchctl"}))
"""


def test_the_board_gets_exactly_the_closure_and_runs_from_it(sshd, tmp_path):
    board = tmp_path / "board"
    t = SshTransport(sshd.address, **sshd.device_options(board))
    try:
        target = t.ensure_runner()
        bundle_id, files = runner_bundle()
        assert Path(target).name == bundle_id
        on_board = {
            p.relative_to(target).as_posix()
            for p in Path(target).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert on_board == {rel for _, rel in files} | {".complete"}
        modules = sorted(closure())
        done = t.run(["env", f"PYTHONPATH={target}", t.python, "-c", PROBE, *modules], timeout=120)
        assert done.returncode == 0, done.stderr_tail[-2000:]
        loaded = json.loads(done.stdout_tail.strip().splitlines()[-1])
        assert sorted(loaded) == modules  # the closure is closed: importing it loads nothing else
        outside = {n: f for n, f in loaded.items() if not (f or "").startswith(target + "/")}
        assert outside == {}, "the pushed runner imported benchctl code it was not given"
        # and the runner there answers
        done = t.run([*t.runner_argv(), "--help"], timeout=60)
        assert done.returncode == 0 and "--capabilities" in done.stdout_tail, done.stderr_tail
    finally:
        t.close()
