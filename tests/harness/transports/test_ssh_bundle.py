"""What the ssh transport ships to a board, against the real sshd: exactly the runner's closure,
and the runner runs from it alone."""

from __future__ import annotations

import json
from pathlib import Path

from benchctl.harness.runner_bundle import runner_bundle
from benchctl.harness.transports.ssh import SshTransport
from benchctl.runner import contract

# Runs the pushed runner's --capabilities (it imports every backend module) and prints where each
# benchctl module it loaded came from.
PROBE = """
import json, runpy, sys
sys.argv = ["benchctl.runner", "--capabilities", sys.argv[1]]
try:
    runpy.run_module("benchctl.runner", run_name="__main__")
except SystemExit as exc:
    assert not exc.code, exc.code
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
        out = f"{t.root}/capabilities.json"
        done = t.run(["env", f"PYTHONPATH={target}", t.python, "-c", PROBE, out], timeout=120)
        assert done.returncode == 0, done.stderr_tail[-2000:]
        loaded = json.loads(done.stdout_tail.strip().splitlines()[-1])
        outside = {n: f for n, f in loaded.items() if not (f or "").startswith(target + "/")}
        assert outside == {}, "the pushed runner imported benchctl code it was not given"
        assert "benchctl.runner.backends.onnxruntime" in loaded
        contract.validate("capabilities", contract.read(out))
    finally:
        t.close()
