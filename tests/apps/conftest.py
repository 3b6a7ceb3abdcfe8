"""Fixtures for the phone apps' tests: the Kotlin core, compiled and tested once per session.

android_app/tools/core-tests.sh compiles `core` with kotlinc (cached by source hash) and runs its
JUnit tests, which leave the documents they emit in a folder the Python tests then check. Without
kotlinc the tests skip locally with the install command, and fail in CI (CI=true), where .ci/run
must have installed it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ANDROID = REPO / "android_app"
SCRIPT = ANDROID / "tools" / "core-tests.sh"
KOTLIN_LIB = ANDROID / ".tools" / "node_modules" / "kotlin-compiler" / "lib"
KOTLINC = KOTLIN_LIB.parent / "bin" / "kotlinc"
BUILD = ANDROID / "core" / "build" / "kotlinc"
INSTALL_HINT = "android_app/tools/core-tests.sh --install"


@pytest.fixture(scope="session")
def kotlin_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess, Path]:
    """(the script's completed process, the folder its tests wrote documents into)"""
    if not KOTLINC.exists():
        message = f"kotlinc is not installed at {KOTLINC}; run: {INSTALL_HINT}"
        if os.environ.get("CI"):
            pytest.fail(message + " (.ci/run should have done this)")
        pytest.skip(message)
    out = tmp_path_factory.mktemp("kotlin-core-out")
    proc = subprocess.run(
        ["bash", str(SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return proc, out


@pytest.fixture(scope="session")
def kotlin_classpath(kotlin_run) -> str:
    """Classpath of the compiled core and its test classes (StandInApp lives there)."""
    proc, _ = kotlin_run
    if proc.returncode != 0:
        pytest.fail(f"the Kotlin core did not build or its tests failed:\n{proc.stderr[-3000:]}")
    return os.pathsep.join(
        str(p)
        for p in (
            BUILD / "core.jar",
            BUILD / "test-classes",
            Path(os.environ.get("BENCHCTL_JAVA_LIBS", "/usr/share/java")) / "gson.jar",
            KOTLIN_LIB / "kotlin-stdlib.jar",
        )
    )
