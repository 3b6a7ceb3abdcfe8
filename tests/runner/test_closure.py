"""The runner package's import closure: the standard library, the package itself (with the
plugin mechanism's registry), numpy, jsonschema, and only the runtime of the backend it runs.

Measured twice: statically (the bundle's own modulefinder walk over every import in every
function) and by running the real runner in a fresh process per installed runtime with a
finder that records who imported what (tests/runner/import_audit.py).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from benchctl.harness.convert import ArtifactCache, LazyBuild, get_artifact
from benchctl.harness.runner_bundle import closure, outside_imports
from benchctl.harness.runtimes import get_runtime
from benchctl.runner import contract
from benchctl.runner.backends import backend_names, get_backend

AUDIT = Path(__file__).with_name("import_audit.py")
# What every runner module may import besides the standard library and benchctl.runner.
REQUIRED = {"numpy", "jsonschema"}
# What each backend may import besides: its runtime (tensorrt moves tensors through torch).
RUNTIME_LIBRARIES = {
    "onnxruntime": {"onnxruntime"},
    "litert": {"ai_edge_litert"},
    "torch": {"torch"},
    "tensorrt": {"tensorrt", "torch"},
    "coreml": {"coremltools"},
}
BACKENDS_USED_BY = {"tensorrt": {"torch"}}  # its CUDA event timer is the torch backend's
PROFILER_OF = {"ort": "onnxruntime"}  # profile_<short>.py → backend


def _top(name: str) -> str:
    return name.partition(".")[0]


# The plugin mechanism fills the runner's backend table (built-ins and installed plugins alike):
# these standard-library-only host modules are the one part of benchctl outside the package it
# needs. Anything else of benchctl here fails the test.
PLUGIN_MECHANISM = {"benchctl.registry", "benchctl.plugins", "benchctl.errors"}


def _in_runner(name: str) -> bool:
    return (
        name in ("benchctl", "benchctl.runner")
        or name.startswith("benchctl.runner.")
        or name in PLUGIN_MECHANISM
    )


def _backend_of(module: str) -> str | None:
    """The backend a module of benchctl.runner.backends belongs to (None: shared by all)."""
    prefix = "benchctl.runner.backends."
    if not module.startswith(prefix):
        return None
    stem = module[len(prefix) :]
    if stem.startswith("profile_"):
        short = stem[len("profile_") :]
        return PROFILER_OF.get(short, short)
    return stem if stem in backend_names() else None


def _allowed(importer: str, imported: str, backend: str | None = None) -> bool:
    """May `importer` (a benchctl module) import `imported`, in a run of `backend`?"""
    top = _top(imported)
    if top == "benchctl":
        return _in_runner(imported)
    if top in sys.stdlib_module_names or top in REQUIRED:
        return True
    owner = _backend_of(importer)
    libraries = RUNTIME_LIBRARIES.get(owner or "", set())
    return top in libraries and (backend is None or top in RUNTIME_LIBRARIES[backend])


def test_every_backend_declares_its_runtime_here():
    assert set(backend_names()) == set(RUNTIME_LIBRARIES)


def test_the_static_closure_is_the_runner_package():
    modules = closure()
    outside = sorted(m for m in modules if not _in_runner(m))
    assert outside == [], f"the runner reaches outside benchctl.runner: {outside}"
    # the entry point, the runner and every backend (loaded by name) are in it
    backends = {type(get_backend(n)).__module__ for n in backend_names()}
    entry = {"benchctl", "benchctl.runner.__main__", "benchctl.runner.run"}
    assert entry | backends <= set(modules)
    # every outside import is the standard library, numpy/jsonschema, or the importing
    # backend's own runtime
    wrong = {
        (importer, name)
        for name, importers in outside_imports().items()
        for importer in importers
        if not _allowed(importer, name)
    }
    assert wrong == set(), f"imports outside the closure rule: {sorted(wrong)}"


def _spec(folder: Path, shared_home: Path, runtime_name: str) -> Path:
    """A spec for the tiny model on `runtime_name`, with a profiled pass (its profiler's imports
    count too), written into `folder` beside a copy of the artifact."""
    runtime = get_runtime(runtime_name)
    art = get_artifact(
        "test_mobileone",
        runtime.target,
        ArtifactCache(shared_home / "artifacts"),
        build=LazyBuild("test_mobileone", 1, 0),
    )
    spec = contract.read(contract.EXAMPLES / "spec.json")
    spec["run_id"] = uuid.uuid4().hex
    spec["model"].update(path=art.path.name, format=art.format, sha256=art.sha256)
    spec["backend"].update(name=runtime.backend, accelerator=runtime.accelerator)
    spec["backend"]["options"] = {
        "num_threads": 1,
        "precision": runtime.precision,
        **runtime.options,
    }
    spec["inputs"]["tensors"] = art.inputs
    spec["timing"].update(warmup_iters=1, iters=3, progress_every=0)
    spec["profile"] = {"iterations": 1}
    contract.validate("spec", spec)
    folder.mkdir(parents=True)
    (folder / art.path.name).write_bytes(art.path.read_bytes())
    contract.write_atomic(folder / "spec.json", spec)
    return folder / "spec.json"


INSTALLED = [
    b
    for b, libs in RUNTIME_LIBRARIES.items()
    if all(importlib.util.find_spec(lib) is not None for lib in libs)
    and b != "coreml"  # coremltools installs on Linux but runs models only on macOS
]


@pytest.fixture(scope="module")
def audits(shared_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One audited runner process per installed runtime, all started at once (the cost of this
    module is the slowest runtime's import, not their sum); backend → its folder."""
    root = tmp_path_factory.mktemp("audits")
    started = {}
    for backend in INSTALLED:
        spec = _spec(root / backend, shared_home, backend)
        log = open(spec.parent / "stderr.txt", "w")  # a file: no pipe to fill while we wait
        started[backend] = (
            subprocess.Popen(
                [sys.executable, str(AUDIT), str(spec.parent / "audit.json"), str(spec)],
                stdout=subprocess.DEVNULL,
                stderr=log,
            ),
            log,
        )
    for proc, log in started.values():
        try:
            proc.wait(timeout=300)
        finally:
            log.close()
    return {backend: root / backend for backend in started}


def _check(doc: dict, backend: str) -> None:
    loaded = {m for m in doc["modules"] if _top(m) == "benchctl"}
    assert loaded - set(closure()) == set(), "the runner loaded modules the bundle does not ship"
    wrong = sorted(
        {
            (importer, name)
            for importer, name in doc["imports"]
            if _top(importer) == "benchctl" and not _allowed(importer, name, backend)
        }
    )
    assert wrong == [], f"imports outside the closure rule: {wrong}"


@pytest.mark.parametrize("backend", INSTALLED)
def test_a_run_imports_its_runtime_and_no_other(audits, backend):
    folder = audits[backend]
    stderr = (folder / "stderr.txt").read_text()[-2000:]
    assert (folder / "audit.json").is_file(), stderr
    doc = json.loads((folder / "audit.json").read_text())
    assert doc["exit"] == 0, stderr
    result = contract.read(folder / "result.json")
    assert result["status"] == "ok", result["error"]
    assert "profile" in result  # the profiled pass ran: its imports are counted too
    _check(doc, backend)
    loaded = {_top(m) for m in doc["modules"]}
    others = set().union(*RUNTIME_LIBRARIES.values()) - RUNTIME_LIBRARIES[backend]
    assert sorted(others & loaded) == [], "another runtime was imported"
    used = {backend} | BACKENDS_USED_BY.get(backend, set())
    assert {_backend_of(m) for m in doc["modules"]} - {None} == used
