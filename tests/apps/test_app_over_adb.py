"""`benchctl run --device <android phone>` end to end with the Android app's own Kotlin core.

The host side is all real: the CLI, the lifecycle, the adb transport speaking the adb wire
protocol to tests/harness/transports/adbd_emulator.py (a phone's adbd over a temp folder). When
the host runs `am instrument … -e spec <path>`, the emulated phone starts the app's BenchRunner
(android_app/core) on the JVM through StandInApp — spec parsing, model sha256, timing loop and
result writing are the app's code; only inference is a JVM pass over the inputs (no LiteRT on the
JVM), which the stored result says (runtime version "jvm-stand-in").
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.runner import contract

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness" / "transports"))
from adbd_emulator import AdbdEmulator  # noqa: E402  (a test helper beside the adb tests)

FILES = "/sdcard/Android/data/dev.benchctl.android/files/benchctl"


def _app_player(kotlin_classpath: str, launched: list | None = None):
    """The app for the emulated phone: the Kotlin core in its own JVM, in real time; its progress
    lines go to `am instrument`'s output the moment it prints them, as the app's sendStatus does."""

    def play_the_app(spec_path: Path, status) -> bool:
        with subprocess.Popen(
            ["java", "-cp", kotlin_classpath, "dev.benchctl.core.StandInApp", str(spec_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as proc:
            out: list[str] = []
            for line in proc.stdout:
                out.append(line)
                if line.startswith("@@benchctl progress"):
                    status(line.rstrip("\n"))
            stderr = proc.stderr.read()
            proc.wait(timeout=300)
        if launched is not None:
            launched.append(
                subprocess.CompletedProcess(proc.args, proc.returncode, "".join(out), stderr)
            )
        return (spec_path.parent / "result.json").is_file()  # the app wrote a result

    return play_the_app


@pytest.fixture
def phone(tmp_path: Path, adb_key: Path, kotlin_classpath: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BENCHCTL_CONFIG_DIR", str(tmp_path / "config"))
    launched: list[subprocess.CompletedProcess] = []
    public = load_pem_private_key(adb_key.read_bytes(), password=None).public_key()
    with AdbdEmulator(
        tmp_path / "phone",
        authorized=[public],
        on_instrument=_app_player(kotlin_classpath, launched),
    ) as emu:
        emu.launched = launched
        yield emu


def _cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout


def test_benchctl_run_drives_the_kotlin_core_over_adb(phone, adb_key, shared_home, monkeypatch):
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    _cli(
        "devices", "add", "pixel", "--adb", f"127.0.0.1:{phone.port}", "--adb-mode", "direct",
        "--key", str(adb_key), "--runtime", "onnxruntime",
    )  # fmt: skip
    run = ["run", "--device", "pixel", "--model", "test_mobileone", "-n", "30", "--profile"]
    doc = json.loads(_cli(*run, "--json"))
    assert doc["status"] == "ok", doc
    assert doc["iterations"] == 30
    assert len(phone.launched) == 1, "the app was launched once"
    app_out = phone.launched[0].stdout
    assert f"BENCHCTL_RESULT run_id={doc['run_id']} status=ok" in app_out, app_out

    # What the host pulled and stored is the Kotlin runner's document.
    result = contract.read(shared_home / "runs" / doc["run_id"] / "result.json")
    contract.validate("result", result)
    assert result["runner"]["name"] == "benchctl-android"
    assert result["runtime"]["version"] == "jvm-stand-in"
    assert result["timing_ns"]["clock"] == "System.nanoTime"
    assert len(result["timing_ns"]["samples"]) == 30
    spec = contract.read(shared_home / "runs" / doc["run_id"] / "spec.json")
    assert result["model_sha256"] == spec["model"]["sha256"]  # the app hashed the pushed model
    # --profile reached the app (after its timed loop): the stand-in has no profiler and says so,
    # and the app's memory readings (here the JVM's own /proc/self/status) came back with it.
    assert spec["profile"] == {"iterations": 20}
    assert result["profile"]["error"] == "no profiler for backend onnxruntime"
    assert result["memory"]["source"] == "linux:/proc/self/status"
    assert result["memory"]["peak_rss_bytes"] >= result["memory"]["rss_after_load_bytes"] > 0


def test_a_model_that_changed_on_the_phone_is_caught_by_the_app(
    phone, adb_key, shared_home, monkeypatch
):
    """The app refuses a model whose bytes differ from the spec's sha256 (a stale cache)."""
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    _cli(
        "devices", "add", "pixel", "--adb", f"127.0.0.1:{phone.port}", "--adb-mode", "direct",
        "--key", str(adb_key), "--runtime", "onnxruntime",
    )  # fmt: skip
    original = phone.on_instrument

    def corrupt_then_play(spec_path: Path, status) -> bool:
        spec = json.loads(spec_path.read_text())
        model = (spec_path.parent / spec["model"]["path"]).resolve()
        model.write_bytes(model.read_bytes()[:-1] + b"\x00")
        return original(spec_path, status)

    phone.on_instrument = corrupt_then_play
    doc = json.loads(
        _cli("run", "--device", "pixel", "--model", "test_mobileone", "-n", "5", "--json", code=1)
    )
    assert (doc["status"], doc["error_code"]) == ("error", "MODEL_SHA256_MISMATCH")


def test_kotlin_core_through_the_real_adb_server_streams_progress_after_a_silence(
    tmp_path, kotlin_classpath, shared_home, monkeypatch
):
    """Debian's adb server between host and phone; the app is silent for 16 s (model copy) and
    then reports progress, which reaches the host while it runs (A4, A5, A8)."""
    from adbd_emulator import ADB_MISSING, RealAdbServer

    from benchctl.harness import lifecycle

    if shutil.which("adb") is None:
        if os.environ.get("CI"):
            pytest.fail(ADB_MISSING)
        pytest.skip(ADB_MISSING)
    monkeypatch.setenv("BENCHCTL_HOME", str(shared_home))
    monkeypatch.setenv("BENCHCTL_CONFIG_DIR", str(tmp_path / "config"))
    seen: list[tuple[str, int, int]] = []
    real_launch = lifecycle.launch_runner

    def launch(device, transport, spec_remote, timeout, hooks):
        class Recording:
            def stage(self, text: str) -> None:
                hooks.stage(text)

            def progress(self, phase: str, done: int, total: int) -> None:
                seen.append((phase, done, total))

        return real_launch(device, transport, spec_remote, timeout, Recording())

    monkeypatch.setattr(lifecycle, "launch_runner", launch)
    with RealAdbServer(tmp_path / "adbhome") as server:
        inner = _app_player(kotlin_classpath)
        with AdbdEmulator(
            tmp_path / "phone", authorized=[server.public_key], on_instrument=inner
        ) as emu:
            emu.instrument_silence_s = 16.0
            serial = server.connect(emu)
            monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
            _cli("devices", "add", "pixel", "--adb", serial, "--adb-mode", "server",
                 "--runtime", "onnxruntime")  # fmt: skip
            doc = json.loads(
                _cli(
                    "run", "--device", "pixel", "--model", "test_mobileone", "-n", "250", "--json"
                )  # fmt: skip
            )
    assert doc["status"] == "ok", doc
    assert seen[0][0] == "warmup" and seen[-1] == ("timed", 250, 250), seen
