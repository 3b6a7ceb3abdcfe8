"""`--model path.onnx` and `--model package.module:factory`: resolution and its errors."""

from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path

import onnx
import pytest
from onnx import TensorProto, helper

from benchctl.errors import ConfigError, UnknownNameError
from benchctl.models import OnnxModelRef, computed_facts, get_model_spec, resolve_model_ref


def _onnx(path: Path, shape: list[int | str]) -> Path:
    x = helper.make_tensor_value_info("image", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("out", TensorProto.FLOAT, shape)
    graph = helper.make_graph([helper.make_node("Relu", ["image"], ["out"])], "g", [x], [y])
    onnx.save(helper.make_model(graph), str(path))
    return path


@pytest.fixture
def user_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module in the current directory (the test's project), with good and bad factories."""
    name = f"user_zoo_{uuid.uuid4().hex[:8]}"
    (Path.cwd() / f"{name}.py").write_text(
        textwrap.dedent("""
        import torch

        def build(width=4):
            return torch.nn.Sequential(torch.nn.Conv2d(3, width, 3), torch.nn.ReLU())

        def not_a_module():
            return 42

        def raises():
            raise RuntimeError("no weights here")

        NOT_CALLABLE = 5
    """)
    )
    yield name
    sys.modules.pop(name, None)


def test_a_registered_name_resolves_to_its_spec():
    assert resolve_model_ref("mobileone_s0") is get_model_spec("mobileone_s0")
    with pytest.raises(ConfigError, match="fixed input size"):
        resolve_model_ref("mobileone_s0", (3, 256, 256))


def test_an_unknown_bare_name_suggests_close_matches():
    with pytest.raises(UnknownNameError, match="mobileone_s0"):
        resolve_model_ref("mobileone_sO")


def test_an_onnx_file_is_benchmarked_as_given(tmp_path):
    path = _onnx(tmp_path / "net.onnx", [1, 3, 8, 8])
    ref = resolve_model_ref(str(path))
    assert isinstance(ref, OnnxModelRef)
    assert ref.input_shape == (1, 3, 8, 8) and ref.input_name == "image" and ref.name == "net"
    assert ref.sha256.startswith("sha256:") and ref.path.is_absolute()


def test_a_symbolic_onnx_dimension_needs_an_input_shape(tmp_path):
    path = _onnx(tmp_path / "dyn.onnx", ["N", 3, 8, 8])
    assert resolve_model_ref(str(path)).input_shape is None
    assert resolve_model_ref(str(path), [2, 3, 8, 8]).input_shape == (2, 3, 8, 8)
    with pytest.raises(ConfigError, match="does not fit"):
        resolve_model_ref(str(path), [2, 3, 16, 16])


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("missing.onnx", None, "does not exist"),
        ("weights.pt", b"x", "not an .onnx file"),
        ("bad.onnx", b"not a model", "not a readable"),
    ],
)
def test_bad_model_files_are_config_errors(tmp_path, filename, content, message):
    path = tmp_path / filename
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        resolve_model_ref(str(path))


def test_a_factory_becomes_a_user_spec(user_module):
    spec = resolve_model_ref(f"{user_module}:build", (3, 16, 16))
    assert spec.role == "user" and spec.family == "user" and spec.input_size == (3, 16, 16)
    assert spec.source_hash().startswith("sha256:")
    model = spec.factory(width=2)
    assert model[0].out_channels == 2
    facts = computed_facts(spec)
    assert facts.params == 3 * 4 * 9 + 4 and facts.macs == 4 * 3 * 9 * 14 * 14  # default width
    assert resolve_model_ref(f"{user_module}:build").input_size == (3, 224, 224)


@pytest.mark.parametrize(
    ("attr", "message"),
    [
        ("missing", "has no attribute"),
        ("NOT_CALLABLE", "not callable"),
    ],
)
def test_bad_factories_are_config_errors(user_module, attr, message):
    with pytest.raises(ConfigError, match=message):
        resolve_model_ref(f"{user_module}:{attr}")


@pytest.mark.parametrize(
    ("attr", "message"),
    [
        ("not_a_module", "returned int, not a torch.nn.Module"),
        ("raises", "no weights here"),
    ],
)
def test_factories_that_build_the_wrong_thing_fail_when_built(user_module, attr, message):
    spec = resolve_model_ref(f"{user_module}:{attr}")
    with pytest.raises(ConfigError, match=message):
        spec.factory()


@pytest.mark.parametrize(
    ("ref", "shape", "message"),
    [
        ("no_such_module_xyz:build", None, "cannot import"),
        ("not a ref:x", None, "package.module:function"),
    ],
)
def test_bad_references_are_config_errors(ref, shape, message):
    with pytest.raises(ConfigError, match=message):
        resolve_model_ref(ref, shape)


def test_factory_input_shape_is_one_sample(user_module):
    with pytest.raises(ConfigError, match="C,H,W"):
        resolve_model_ref(f"{user_module}:build", (1, 3, 16, 16))
    with pytest.raises(ConfigError, match="positive"):
        resolve_model_ref(f"{user_module}:build", (3, 0, 16))
