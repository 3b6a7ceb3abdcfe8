"""benchctl installs where GPUs are: ranges in pyproject.toml, the tested set in constraints.txt.

A common GPU-server image has Python 3.12, its own CUDA torch 2.11, a CPU onnxruntime, timm and
numpy 2.5 (first_contact_review.md): `pip install -e .` there must keep that torch, so the core
ranges must admit it, and the exact tested set must lie inside the ranges it pins.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
GPU_IMAGE = {"torch": "2.11.0", "numpy": "2.5.0", "timm": "1.0.20", "onnxruntime": "1.23.2"}


def _requirements(extra: str | None = None) -> dict[str, Requirement]:
    lines = PROJECT["optional-dependencies"][extra] if extra else PROJECT["dependencies"]
    reqs = [Requirement(line) for line in lines]
    return {canonicalize_name(r.name): r for r in reqs if r.name != "benchctl"}


def _constraints() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt pins exact versions only: {line!r}"
            pins[canonicalize_name(name)] = Version(version)
    return pins


def test_python_311_to_313_are_supported():
    spec = SpecifierSet(PROJECT["requires-python"])
    assert all(v in spec for v in ("3.11.7", "3.12.3", "3.13.1")) and "3.14.0" not in spec


def test_core_ranges_keep_a_gpu_images_own_packages():
    core = _requirements()
    for name, version in GPU_IMAGE.items():
        assert core[name].specifier.contains(version), (name, str(core[name].specifier))
    assert not [r for r in core.values() if str(r.specifier).startswith("==")], (
        "pins belong in constraints.txt"
    )


def test_the_tested_set_is_pinned_and_inside_every_range():
    pins = _constraints()
    for extra in (None, *PROJECT["optional-dependencies"]):
        for name, req in _requirements(extra).items():
            if name in ("tensorrt",):  # installed on the GPU host only
                continue
            assert name in pins, f"{name} ({extra or 'core'}) has no pin in constraints.txt"
            assert req.specifier.contains(pins[name], prereleases=True), (name, str(pins[name]))
    assert (pins["torch"], pins["torchvision"]) == (Version("2.14.1"), Version("0.29.1"))


def test_readme_and_ci_install_with_the_constraints():
    readme = (ROOT / "README.md").read_text()
    assert readme.count("pip install -c constraints.txt -e") >= 2
    assert "pip install -c constraints.txt -e '.[dev]'" in (ROOT / ".ci" / "run").read_text()


def test_ci_runs_the_readmes_test_command_after_lint_and_types():
    readme = (ROOT / "README.md").read_text()
    command = next(line for line in readme.splitlines() if line.endswith("-m pytest"))
    steps = [s.strip() for s in command.split("&&")]  # venv, install, pytest
    ci = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if not line.strip().startswith("#")
    ]

    def first(text: str) -> int:
        return next(i for i, line in enumerate(ci) if text in line)  # StopIteration: not run

    at = [first(step) for step in steps]
    assert at == sorted(at), "the README's steps run in its order"
    checks = [".venv/bin/ruff check", ".venv/bin/ruff format --check", ".venv/bin/mypy"]
    where = [first(c) for c in checks]
    assert at[1] < min(where) and max(where) < at[2], "lint and types: after install, before pytest"
