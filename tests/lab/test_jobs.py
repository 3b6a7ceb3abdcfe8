"""What a lab job may carry: nothing that runs the submitter's code on a lab host."""

from __future__ import annotations

import pytest

from benchctl.errors import ConfigError
from benchctl.lab.jobs import request_from_dict


def test_a_zoo_model_job_is_accepted():
    req = request_from_dict({"model": "test_mobileone", "device": "host", "iterations": 10})
    assert req.model == "test_mobileone" and req.iterations == 10


@pytest.mark.parametrize(
    "model",
    ["os:system", "mypackage.evil:factory", "/etc/passwd.onnx", "../model.onnx", "nosuchmodel"],
)
def test_code_references_and_paths_are_refused(model):
    with pytest.raises(ConfigError, match="zoo models only"):
        request_from_dict({"model": model})


def test_unknown_fields_and_wrong_types_are_refused():
    with pytest.raises(ConfigError, match="unknown fields"):
        request_from_dict({"model": "test_mobileone", "shell": "rm -rf /"})
    with pytest.raises(ConfigError, match="has type"):
        request_from_dict({"model": "test_mobileone", "iterations": "10"})
