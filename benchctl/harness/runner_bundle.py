"""The runner bundle the ssh transport pushes to a board: exactly the runner's import closure.

The closure is found the way Python would import it, by the standard library's `modulefinder`
(every `import` in every function, read from the bytecode), starting at `benchctl.runner`'s entry
point and at every module of `benchctl.runner.backends` (the backend table and the profilers load
those by name, which no finder can follow). Only benchctl's own modules are followed; the standard
library, numpy, jsonschema and the runtimes are the board's. The contract's schema files, which
the runner reads at run time, come with their package.

The bundle id is the benchctl version and a hash of exactly those files (path and bytes), so an
edit to the CLI, the store or a converter leaves the bundle, and every board's cached
capabilities, as they are; an edit to any module the runner imports names a new bundle.
"""

from __future__ import annotations

import hashlib
import modulefinder
from pathlib import Path
from typing import Any

ENTRY = "benchctl.runner.__main__"
LOADED_BY_NAME = "benchctl.runner.backends"  # its modules are imported from strings
DATA_FILES = {"benchctl.runner.contract": ("*.schema.json",)}  # read by the runner, not imported


class _BenchctlOnly(modulefinder.ModuleFinder):
    """A ModuleFinder that follows benchctl's modules and records every other import as absent."""

    def find_module(self, name: str, path: Any, parent: Any = None) -> Any:
        # path None: a top-level name (a package's own __init__ comes with its folder as path)
        if parent is None and path is None and name != "benchctl":
            raise ImportError(name)
        return super().find_module(name, path, parent)


def _package_dir() -> Path:
    import benchctl

    return Path(benchctl.__file__).resolve().parent


def _finder(package: Path | None = None) -> _BenchctlOnly:
    """The finder after following the runner's entry point and every backend module."""
    pkg = package or _package_dir()
    finder = _BenchctlOnly(path=[str(pkg.parent)])
    finder.import_hook(ENTRY)
    backends = pkg.joinpath(*LOADED_BY_NAME.split(".")[1:])
    for source in sorted(backends.glob("*.py")):
        if source.stem != "__init__":
            finder.import_hook(f"{LOADED_BY_NAME}.{source.stem}")
    return finder


def closure(package: Path | None = None) -> dict[str, Path]:
    """Module name → source file of every benchctl module the runner can import (`package`: the
    benchctl folder to read, by default the imported one)."""
    found = {}
    for name, module in _finder(package).modules.items():
        source = getattr(module, "__file__", None)  # set by load_module; typeshed omits it
        if source and name.partition(".")[0] == "benchctl":
            found[name] = Path(source).resolve()
    return found


def outside_imports(package: Path | None = None) -> dict[str, set[str]]:
    """Top-level name of every module outside benchctl the closure imports → the closure's
    modules that import it (the standard library, numpy, jsonschema and the runtimes)."""
    found: dict[str, set[str]] = {}
    for name, importers in _finder(package).badmodules.items():
        top = name.partition(".")[0]
        if top != "benchctl":  # benchctl.<attribute> names are `from benchctl import x` values
            found.setdefault(top, set()).update(i for i in importers if i != "-")
    return found


def runner_files(package: Path | None = None) -> list[tuple[Path, str]]:
    """[(local file, path inside the bundle)]: the closure's sources and its data files."""
    pkg = (package or _package_dir()).resolve()
    modules = closure(pkg)
    files = set(modules.values())
    for name, patterns in DATA_FILES.items():
        if name in modules:
            folder = modules[name].parent
            files.update(f for pattern in patterns for f in folder.glob(pattern) if f.is_file())
    return sorted((f, "benchctl/" + f.relative_to(pkg).as_posix()) for f in files)


def runner_bundle(package: Path | None = None) -> tuple[str, list[tuple[Path, str]]]:
    """(bundle id, [(local file, path inside the bundle)]) for the pushed runner."""
    from benchctl import __version__

    files = runner_files(package)
    h = hashlib.sha256()
    for f, rel in files:
        h.update(rel.encode() + b"\0" + f.read_bytes() + b"\0")
    return f"{__version__}-{h.hexdigest()[:12]}", files
