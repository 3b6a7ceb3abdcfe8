"""Run the fault and bad-input suite and print its figures (the closing note of issue 8).

    .venv/bin/python scripts/fault_report.py            # tests/faults, then a table
    .venv/bin/python scripts/fault_report.py --json

The figures are what the tests measured (tests/faults/conftest.py: `figures`), never typed in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "figures.jsonl"
        env = {**os.environ, "BENCHCTL_FAULT_REPORT": str(report)}
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/faults", "-q", "-p", "no:warnings"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        figures = [json.loads(line) for line in report.read_text().splitlines()] if (
            report.exists()
        ) else []  # fmt: skip
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]
    if "--json" in argv:
        print(json.dumps({"pytest": summary, "figures": figures}, indent=2))
    else:
        print(f"pytest tests/faults: {summary}")
        for doc in figures:
            values = {k: v for k, v in doc.items() if k not in ("test", "fault", "by_kind")}
            print(f"- {doc['fault']}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
