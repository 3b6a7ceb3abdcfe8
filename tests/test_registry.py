from __future__ import annotations

import pytest

from benchctl.errors import DuplicateRegistrationError, UnknownNameError
from benchctl.registry import Registry


def test_registry_rejects_duplicate_name():
    reg: Registry[int] = Registry("thing")
    reg.add("a", 1)
    with pytest.raises(DuplicateRegistrationError):
        reg.add("a", 2)
    reg.add("a", 3, replace=True)
    assert reg.get("a") == 3


def test_unknown_name_suggests_close_matches():
    reg: Registry[int] = Registry("runtime")
    for name in ("onnxruntime", "litert", "coreml"):
        reg.add(name, 0)
    with pytest.raises(UnknownNameError) as exc:
        reg.get("litrt")
    assert exc.value.suggestions == ["litert"]
    assert "did you mean: litert?" in str(exc.value)
    with pytest.raises(UnknownNameError) as exc:
        reg.get("zzzz")
    assert "known: coreml, litert, onnxruntime" in str(exc.value)
    assert exc.value.exit_code == 2
