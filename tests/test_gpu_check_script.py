"""scripts/gpu_check.py where there is no GPU: one JSON summary that says so, exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_without_a_gpu_the_check_says_so_in_its_summary(tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is here: run scripts/gpu_check.sh itself")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCHCTL_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gpu_check.py")],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["ok"] is False and "no NVIDIA GPU visible to CUDA" in summary["reason"]
    assert summary["environment"]["torch"] == torch.__version__
    assert "no NVIDIA GPU" in done.stderr
