"""`python -m benchctl.runner SPEC.json` writes the result beside the spec;
`python -m benchctl.runner --capabilities OUT.json` describes what this machine can run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchctl.runner import contract
from benchctl.runner.run import capabilities, run_spec_file, stdout_progress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchctl.runner")
    parser.add_argument("spec", nargs="?", type=Path, help="benchctl.spec document")
    parser.add_argument("--capabilities", type=Path, metavar="OUT", help="write capabilities here")
    args = parser.parse_args(argv)
    if args.capabilities:
        contract.write_atomic(args.capabilities, capabilities())
        return 0
    if args.spec is None or not args.spec.is_file():
        parser.error("a readable spec file is required")
    result = run_spec_file(args.spec, on_progress=stdout_progress)
    sys.stdout.write(json.dumps({"status": result["status"], "error": result["error"]}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
