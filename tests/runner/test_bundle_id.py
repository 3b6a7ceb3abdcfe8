"""The ssh runner bundle is the runner's closure: its files and what its id depends on."""

from __future__ import annotations

import shutil
from pathlib import Path

import benchctl
from benchctl.harness.runner_bundle import closure, runner_bundle

SCHEMAS = {f"benchctl/runner/contract/{k}.schema.json" for k in ("spec", "result", "capabilities")}


def _package() -> Path:
    return Path(benchctl.__file__).resolve().parent


def _copy(tmp_path: Path) -> Path:
    """A copy of the benchctl sources to edit."""
    dst = tmp_path / "src" / "benchctl"
    shutil.copytree(_package(), dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dst


def test_the_bundle_is_the_closure_and_the_schemas_it_reads():
    _, files = runner_bundle()
    shipped = {rel for _, rel in files}
    modules = {"benchctl/" + f.relative_to(_package()).as_posix() for f in closure().values()}
    assert shipped == modules | SCHEMAS
    assert all(local.is_file() for local, _ in files)
    # the golden examples, and host-only modules of the package, stay on the host
    assert "benchctl/runner/contract/examples/spec.json" not in shipped
    assert not any(rel.startswith(("benchctl/cli/", "benchctl/harness/")) for rel in shipped)


def test_only_an_edit_inside_the_closure_names_a_new_bundle(tmp_path):
    pkg = _copy(tmp_path)
    first, _ = runner_bundle(pkg)
    for host in ("cli/app.py", "results/store.py", "harness/run.py", "harness/transports/ssh.py"):
        path = pkg / host
        path.write_text(path.read_text() + "\n# an edit on the host side\n")
    assert runner_bundle(pkg)[0] == first
    for inside in (
        "__init__.py",
        "runner/measure.py",
        "runner/backends/litert.py",
        "runner/contract/result.schema.json",
    ):
        path = pkg / inside
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert runner_bundle(pkg)[0] != first, inside
        path.write_bytes(original)


def test_a_new_import_anywhere_in_the_runner_is_followed(tmp_path):
    """The walk reads imports inside functions too: a runner module that starts importing host
    code drags it into the closure (and test_closure.py then fails), and a new runner module
    imported from a function is shipped."""
    pkg = _copy(tmp_path)
    (pkg / "runner" / "extra.py").write_text("VALUE = 1\n")
    measure = pkg / "runner" / "measure.py"
    measure.write_text(
        measure.read_text()
        + "\n\ndef _late() -> None:\n    import benchctl.runner.extra\n"
        + "    from benchctl import config  # noqa: F401\n"
    )
    found = closure(pkg)
    assert {"benchctl.runner.extra", "benchctl.config"} <= set(found)
    shipped = {rel for _, rel in runner_bundle(pkg)[1]}
    assert "benchctl/runner/extra.py" in shipped
