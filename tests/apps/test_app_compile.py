"""The Android app module compiled here — against stubs, not the SDK (no Android SDK or Gradle can
be had on this machine): android_app/tools/app-compile.sh compiles both flavors with kotlinc
-Werror against android_app/stubs/ (Android platform 35, LiteRT 1.4.0, QNN 2.34.0 surfaces with
their declared nullability). These tests check that it passes, that the stubs are strict enough
to catch what the SDK would (A3), and the app's method lookup on LiteRT 1.4's class shape (A1).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ANDROID = REPO / "android_app"
SCRIPT = ANDROID / "tools" / "app-compile.sh"
KOTLIN_LIB = ANDROID / ".tools" / "node_modules" / "kotlin-compiler" / "lib"
KOTLINC = KOTLIN_LIB.parent / "bin" / "kotlinc"
BUILD = ANDROID / "app" / "build" / "kotlinc"
GSON = Path(os.environ.get("BENCHCTL_JAVA_LIBS", "/usr/share/java")) / "gson.jar"


@pytest.fixture(scope="module")
def compiled() -> Path:
    if not KOTLINC.exists():
        message = f"kotlinc is not installed at {KOTLINC}; run: {SCRIPT} --install"
        if os.environ.get("CI"):
            pytest.fail(message + " (.ci/run should have done this)")
        pytest.skip(message)
    proc = subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, text=True, timeout=1500, check=False
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return BUILD


def _kotlinc(tmp: Path, *sources: Path, classpath: str) -> subprocess.CompletedProcess:
    # C1 only, as app-compile.sh runs kotlinc (a short-lived JVM: half the CPU, the same classes)
    env = {"JAVA_OPTS": "-Xmx512M -Xms128M -XX:TieredStopAtLevel=1", **os.environ}
    return subprocess.run(
        [str(KOTLINC), "-jvm-target", "17", "-Werror", "-cp", classpath, "-d", str(tmp / "out.jar"),
         *map(str, sources)],
        capture_output=True, text=True, timeout=900, check=False, env=env,
    )  # fmt: skip


def test_both_flavors_compile_against_the_stubs(compiled: Path):
    assert (compiled / "app-standard.jar").is_file() and (compiled / "app-qnn.jar").is_file()


def test_the_stubs_reject_an_unchecked_nullable_system_service(compiled: Path, tmp_path: Path):
    """A3: main's AndroidPlatform used getSystemService(Class) without a null check; the SDK
    declares it @Nullable and so do the stubs: it must not compile."""
    probe = tmp_path / "A3Probe.kt"
    probe.write_text(
        "import android.content.Context\nimport android.os.PowerManager\n"
        "fun saver(c: Context): Boolean =\n"
        "    c.getSystemService(PowerManager::class.java).isPowerSaveMode\n"
    )
    stubs = sorted((ANDROID / "stubs" / "android-35").rglob("*.java"))
    proc = _kotlinc(tmp_path, probe, *stubs, classpath=str(GSON))
    assert proc.returncode != 0
    assert "nullable receiver of type 'PowerManager?'" in proc.stderr, proc.stderr[-2000:]


def test_a1_the_plan_length_lookup_finds_litert_14s_superclass_method(
    compiled: Path, tmp_path: Path
):
    probe = REPO / "tests" / "apps" / "assets" / "A1Probe.kt"
    app = compiled / "app-standard.jar"
    proc = _kotlinc(tmp_path, probe, classpath=str(app))
    assert proc.returncode == 0, proc.stderr[-2000:]
    run = subprocess.run(
        ["java", "-cp", os.pathsep.join([str(tmp_path / "out.jar"), str(app),
                                         str(KOTLIN_LIB / "kotlin-stdlib.jar")]),
         "a1probe.A1ProbeKt"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == (
        "found=InterpreterImplShape value=7 getDeclaredMethod=NoSuchMethodException"
    )
