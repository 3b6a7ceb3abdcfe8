"""Run the real runner (`python -m benchctl.runner ARGS`) and record every import it makes.

Usage: python import_audit.py OUT.json RUNNER-ARGS…

A finder placed first on `sys.meta_path` sees each module the first time anything imports it
and names the importer: the first frame outside the import machinery (and outside `importlib`,
so `importlib.import_module("x")` is charged to its caller). OUT.json gets every module loaded
at the end ({name: file}), the (importer, module) pairs, and the runner's exit status. Run as a
script, in its own process, so nothing the test process imported counts.
"""

from __future__ import annotations

import json
import runpy
import sys
from typing import Any

IMPORTS: list[tuple[str, str]] = []


def _importer(frame: Any) -> str:
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        frozen = frame.f_code.co_filename.startswith("<frozen importlib")
        if not frozen and module != "importlib" and not module.startswith("importlib."):
            spec = frame.f_globals.get("__spec__")
            return spec.name if spec is not None else module  # runpy's __main__ has its spec
        frame = frame.f_back
    return "?"


class Audit:  # a MetaPathFinder that finds nothing, only listens
    @staticmethod
    def find_spec(fullname: str, path: Any = None, target: Any = None) -> None:
        IMPORTS.append((_importer(sys._getframe(1)), fullname))
        return None


def main() -> None:
    out, args = sys.argv[1], sys.argv[2:]
    sys.argv = ["benchctl.runner", *args]
    sys.meta_path.insert(0, Audit)
    code: Any = 0
    try:
        runpy.run_module("benchctl.runner", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.meta_path.remove(Audit)
    modules = {name: getattr(m, "__file__", None) for name, m in list(sys.modules.items())}
    with open(out, "w") as f:
        json.dump({"exit": code, "modules": modules, "imports": IMPORTS}, f)


if __name__ == "__main__":
    main()
