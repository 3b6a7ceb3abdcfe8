"""The host refuses an ok result that did not run what the spec asked for."""

from __future__ import annotations

import copy
import json

import pytest

from benchctl.errors import ContractError
from benchctl.harness.collect import check_result
from benchctl.runner import contract


def _pair() -> tuple[dict, dict]:
    spec = json.loads((contract.EXAMPLES / "spec.json").read_text())
    result = json.loads((contract.EXAMPLES / "result.json").read_text())
    result["run_id"] = spec["run_id"]
    result["model_sha256"] = spec["model"]["sha256"]
    spec["timing"]["iters"] = len(result["timing_ns"]["samples"])
    spec["timing"]["warmup_iters"] = result["timing_ns"]["warmup"]["count"]
    return spec, result


def test_the_golden_pair_is_accepted():
    spec, result = _pair()
    assert check_result(result, spec) is result


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("runtime", "backend"), "something_else", "ran backend"),
        (("runtime", "accelerator_requested"), "npu", "requested accelerator"),
        (("runtime", "accelerator_actual"), "gpu", "instead of"),
        (("timing_ns", "warmup"), {"count": 3, "total": 10}, "warmed up 3 times"),
    ],
)
def test_a_result_that_ran_something_else_is_refused(path, value, message):
    spec, result = _pair()
    bad = copy.deepcopy(result)
    bad[path[0]][path[1]] = value
    with pytest.raises(ContractError, match=message):
        check_result(bad, spec)


def test_fallback_is_accepted_only_when_allowed_and_unknown_is_accepted():
    spec, result = _pair()
    result["runtime"]["accelerator_actual"] = "gpu"
    spec["backend"]["allow_fallback"] = True
    assert check_result(result, spec)["runtime"]["accelerator_actual"] == "gpu"
    spec["backend"]["allow_fallback"] = False
    result["runtime"]["accelerator_actual"] = None  # the runtime cannot tell (Core ML)
    assert check_result(result, spec)
