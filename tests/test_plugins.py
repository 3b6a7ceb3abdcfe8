"""Plugins from outside the source tree: tests/plugins/benchctl_example_plugin, installed as a real
distribution (a `*.dist-info` with METADATA and entry_points.txt on a temporary sys.path, which
importlib.metadata discovers), seen by the real CLI in a subprocess: its model family, conversion
target, runtime, runner backend and transport kind each work through its entry-point group.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from benchctl import plugins
from benchctl.errors import DuplicateRegistrationError
from benchctl.registry import Registry

PLUGINS = Path(__file__).parent / "plugins"
ENTRY_POINTS = """\
[benchctl.models]
example = benchctl_example_plugin.models:register

[benchctl.targets]
onnx-torchscript = benchctl_example_plugin.convert:TARGET

[benchctl.runtimes]
onnx-reference = benchctl_example_plugin.runtime:RUNTIME

[benchctl.backends]
onnx-reference = benchctl_example_plugin.backend:ENTRY

[benchctl.transports]
tmpfs = benchctl_example_plugin.transport:KIND
"""


def _install(site: Path, name: str, version: str, entry_points: str) -> None:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(entry_points)


@pytest.fixture
def env(tmp_path: Path, isolated_project: Path) -> dict[str, str]:
    site = tmp_path / "site"
    _install(site, "benchctl-example-plugin", "0.1", ENTRY_POINTS)
    path = [str(site), str(PLUGINS), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in path if p)}


def benchctl(env: dict[str, str], *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchctl", *args], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == code, proc.stdout + proc.stderr
    return proc


def by(key: str, docs: str) -> dict[str, dict]:
    return {d[key]: d for d in json.loads(docs)}


def test_a_plugin_adds_a_model_family_and_a_target_and_a_broken_one_costs_one_line(env):
    site = Path(env["PYTHONPATH"].split(os.pathsep)[0])
    _install(site, "benchctl-broken", "2.0", "[benchctl.transports]\nbroken = gone:KIND\n")
    proc = benchctl(env, "models", "list", "--family", "example", "--json")
    assert [(m["name"], m["family"]) for m in json.loads(proc.stdout)] == [
        ("example_tinynet", "example")
    ]
    assert proc.stderr == ""  # the broken plugin's group is never loaded by this command
    proc = benchctl(env, "runtimes", "targets", "--json")
    targets = by("target", proc.stdout)
    assert targets["onnx-torchscript"]["format"] == "onnx" and "onnx" in targets
    assert proc.stderr == ""
    # a command that needs the transports group: one line for the plugin, then its own answer
    proc = benchctl(env, "devices", "add", "x", "--transport", "broken", "--address", "a", code=2)
    lines = proc.stderr.strip().splitlines()
    warning = [line for line in lines if line.startswith("warning:")]
    assert len(warning) == 1, proc.stderr
    assert "'broken' from benchctl-broken 2.0 (entry point group benchctl.transports)" in warning[0]
    assert "ModuleNotFoundError" in warning[0] and "'gone'" in warning[0]
    assert "Traceback" not in proc.stderr
    assert "unknown transport 'broken'" in proc.stderr and "local" in proc.stderr


def test_a_run_goes_through_a_plugin_transport_runtime_and_backend(env, tmp_path):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 8, 8])],
    )  # fmt: skip
    model = tmp_path / "tiny.onnx"
    opset = [helper.make_opsetid("", 17)]
    onnx.save(helper.make_model(graph, opset_imports=opset, ir_version=9), model)
    ram = tmp_path / "ram"
    ram.mkdir()
    inventory = Path(".benchctl/devices.toml")  # a device of the plugin's kind, as a user writes it
    inventory.parent.mkdir(exist_ok=True)
    inventory.write_text(
        f'[devices.ramdisk]\ntransport = "tmpfs"\naddress = "{ram}"\n'
        'runtimes = ["onnx-reference"]\n'
    )
    check = json.loads(benchctl(env, "devices", "check", "ramdisk", "--json").stdout)
    stages = {s["name"]: s for s in check["stages"]}
    assert check["ok"] and stages["round trip"]["status"] == "ok", check
    assert str(ram) in json.dumps(stages["facts"])  # the kind's own unit key, files_root
    doc = json.loads(benchctl(env, "run", "--device", "ramdisk", "--model", str(model),
                              "--iterations", "20", "--warmup", "2", "--json").stdout)  # fmt: skip
    assert doc["status"] == "ok", doc
    # the runtime came from the plugin's entry point, and so did the backend the runner made
    assert (doc["runtime"], doc["backend"]) == ("onnx-reference", "onnx-reference")
    assert (doc["device"], doc["iterations"], doc["accelerator_actual"]) == ("ramdisk", 20, "cpu")
    assert doc["median_ms"] > 0


def test_help_loads_no_group_and_a_plugin_target_is_keyed_without_torch(env):
    code = (
        "import sys\nfrom benchctl.cli.app import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in ('benchctl_example_plugin', 'benchctl.models.mobileone', "
        "'benchctl.harness.transports.ssh', 'importlib.metadata') if m in sys.modules]\n"
        "print('LOADED', loaded)\n"
        # the plugin's target and model meet in the artifact cache key, torch never imported
        "from benchctl.harness.convert import artifact_key\n"
        "a = artifact_key('example_tinynet', 'onnx-torchscript', batch=1, seed=0)\n"
        "b = artifact_key('example_tinynet', 'onnx', batch=1, seed=0)\n"
        "print('KEYS', len(a) == len(b) == 64 and a != b, 'torch' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "LOADED []" in proc.stdout, proc.stdout + proc.stderr
    assert "KEYS True False" in proc.stdout, proc.stdout + proc.stderr


# --- the hook, in process -------------------------------------------------------------------


class _Thing:
    def __init__(self, name: str) -> None:
        self.name = name


def _registry(monkeypatch, *eps: EntryPoint) -> Registry[_Thing]:
    monkeypatch.setitem(plugins.BUILTIN, "test.things", ())
    monkeypatch.setattr(plugins, "installed_entry_points", lambda group: list(eps))
    return Registry("thing", group="test.things", entry_type=_Thing)


def register_two(registry):  # an entry point's function: adds several
    registry.add("one", _Thing("one"))
    registry.add("two", _Thing("two"))


def register_then_fail(registry):
    registry.add("three", _Thing("three"))
    raise RuntimeError("broken\nover two lines")


THING = _Thing("single")
NOT_A_THING = 42


def test_the_hook_takes_one_entry_or_a_function_and_takes_back_a_failed_plugin(monkeypatch, capsys):
    here = __name__
    reg = _registry(
        monkeypatch,
        EntryPoint("single", f"{here}:THING", "test.things"),
        EntryPoint("two", f"{here}:register_two", "test.things"),
        EntryPoint("half", f"{here}:register_then_fail", "test.things"),
        EntryPoint("wrong", f"{here}:NOT_A_THING", "test.things"),
    )
    assert reg.names() == ["one", "single", "two"]  # "three" was taken out with its plugin
    assert [p.name for p in reg.problems] == ["half", "wrong"]
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "RuntimeError: broken over two lines" in err[0]
    assert "names a int; a test.things entry point names a _Thing" in err[1]
    monkeypatch.setenv("BENCHCTL_DEBUG", "1")
    with pytest.raises(RuntimeError):
        _registry(monkeypatch, EntryPoint("half", f"{here}:register_then_fail", "x")).names()


def test_a_plugin_cannot_replace_a_builtin(monkeypatch, capsys):
    reg = Registry("thing", group="test.dup", entry_type=_Thing)
    monkeypatch.setitem(plugins.BUILTIN, "test.dup", (f"own = {__name__}:THING",))
    monkeypatch.setattr(plugins, "installed_entry_points",
                        lambda group: [EntryPoint("mine", f"{__name__}:THING", group)])  # fmt: skip
    assert reg.names() == ["single"]
    assert "DuplicateRegistrationError" in reg.problems[0].error
    assert DuplicateRegistrationError.__name__ in capsys.readouterr().err


def test_builtins_are_registered_through_the_same_hook():
    from benchctl.harness.convert.targets import TARGETS
    from benchctl.harness.runtimes import RUNTIMES
    from benchctl.harness.transports import KINDS
    from benchctl.models import MODELS
    from benchctl.runner.backends import BACKENDS

    registries = {r.group: r for r in (MODELS, TARGETS, RUNTIMES, BACKENDS, KINDS)}
    assert sorted(registries) == sorted(plugins.GROUPS) == sorted(plugins.BUILTIN)
    assert KINDS.names() == ["adb", "ios", "local", "ssh"]
    assert {"onnxruntime", "litert", "torch", "tensorrt", "coreml"} <= set(BACKENDS.names())
    assert "mobileone_s0" in MODELS and "tflite-int8" in TARGETS and "coreml-ane" in RUNTIMES
