"""Core ML's compute plan on a Mac (G7, G13), as far as Linux allows.

coremltools 9.0's plan types are real here (its structure dataclasses, its device classes); what
cannot exist off macOS is the plan itself (the Core ML framework answers it), so a stand-in with
MLComputePlan's documented methods answers for a small program, and `MLComputePlan.load_from_path`
is replaced to record what it was asked for. Not verified on a Mac.
"""

from __future__ import annotations

import pytest

ct = pytest.importorskip("coremltools")
from coremltools.models import compute_device as cd  # noqa: E402
from coremltools.models import compute_plan as cp  # noqa: E402

from benchctl.harness import lifecycle  # noqa: E402
from benchctl.harness.gating import Gates  # noqa: E402
from benchctl.runner.backends import coreml  # noqa: E402
from benchctl.runner.backends.coreml import (  # noqa: E402
    CoreMlSession,
    compute_plan_summary,
    placement_from_plan,
    summarize_plan,
)


def _device(kind: type) -> object:
    return object.__new__(kind)  # the real class; its proxy exists only on macOS


CPU, GPU, ANE = (_device(cd.MLCPUComputeDevice), _device(cd.MLGPUComputeDevice),
                 _device(cd.MLNeuralEngineComputeDevice))  # fmt: skip


def _op(name: str, out: str, blocks=()) -> cp.MLModelStructureProgramOperation:
    value = cp.MLModelStructureProgramNamedValueType(out, None)
    return cp.MLModelStructureProgramOperation({}, name, [value], list(blocks), None)


class StandInPlan:
    """MLComputePlan's documented surface over a given structure and per-op answers."""

    def __init__(self, structure, usage: dict[str, object | None], cost: dict[str, float]):
        self.model_structure, self._usage, self._cost = structure, usage, cost

    def get_compute_device_usage_for_mlprogram_operation(self, op):
        device = self._usage[op.outputs[0].name]
        return None if device is None else cp.MLComputePlanDeviceUsage(device, [CPU, device])

    def get_estimated_cost_for_mlprogram_operation(self, op):
        weight = self._cost.get(op.outputs[0].name)
        return None if weight is None else cp.MLComputePlanCost(weight)

    def get_compute_device_usage_for_neuralnetwork_layer(self, layer):
        return cp.MLComputePlanDeviceUsage(self._usage[layer.name], [CPU])


def _program(n_ane: int, n_cpu: int) -> tuple[object, dict, dict]:
    """`const` (no device), n_ane convs on the ANE (one nested in a cond), n_cpu on the CPU."""
    inner = cp.MLModelStructureProgramBlock([], [_op("conv", "inner0")], ["inner0"])
    ops = [_op("const", "w"), _op("cond", "c0", blocks=[inner])]
    usage: dict[str, object | None] = {"w": None, "c0": ANE, "inner0": ANE}
    ops += [_op("conv", f"a{i}") for i in range(n_ane - 2)]
    usage.update({f"a{i}": ANE for i in range(n_ane - 2)})
    ops += [_op("cast", f"k{i}") for i in range(n_cpu)]
    usage.update({f"k{i}": CPU for i in range(n_cpu)})
    block = cp.MLModelStructureProgramBlock([], ops, [])
    program = cp.MLModelStructureProgram({"main": cp.MLModelStructureProgramFunction([], block)})
    cost = {k: 1.0 / len(usage) for k in usage if k != "w"}
    return cp.MLModelStructure(None, program, None), usage, cost


class StandInModel:
    def get_compiled_model_path(self) -> str:
        return "/var/folders/x/model.mlmodelc"


def _load_recorded(monkeypatch, plan: StandInPlan) -> list[tuple[str, object]]:
    asked: list[tuple[str, object]] = []

    def load_from_path(path, compute_units=ct.ComputeUnit.ALL):
        asked.append((path, compute_units))
        return plan

    monkeypatch.setattr(cp.MLComputePlan, "load_from_path", staticmethod(load_from_path))
    return asked


def test_the_plan_is_read_from_the_compiled_model_with_every_operation(monkeypatch):
    structure, usage, cost = _program(n_ane=19, n_cpu=1)
    asked = _load_recorded(monkeypatch, StandInPlan(structure, usage, cost))
    plan = compute_plan_summary(StandInModel(), ct.ComputeUnit.CPU_AND_NE, "ane")
    assert asked == [("/var/folders/x/model.mlmodelc", ct.ComputeUnit.CPU_AND_NE)]  # G7
    assert plan["structure"] == "program" and plan["operations"] == 20  # const not counted
    assert plan["preferred_device"] == {"neural_engine": 19, "cpu": 1}
    assert plan["share"] == {"neural_engine": 0.95, "cpu": 0.05}
    assert (plan["requested_share"], plan["below_floor"]) == (0.95, False)
    detail = {r["outputs"][0]: r for r in plan["operations_detail"]}
    assert len(detail) == 21 and detail["inner0"]["preferred"] == "neural_engine"  # nested
    assert detail["w"]["preferred"] is None
    assert detail["c0"]["supported"] == ["cpu", "neural_engine"]
    assert abs(sum(plan["estimated_cost"].values()) - 20 / 21) < 1e-4
    # G13: a few ops on the CPU is still an ANE run, with its share reported.
    session = CoreMlSession(None, "ane", plan)
    d = session.describe()
    assert (d.accelerator_actual, d.delegated_nodes, d.total_nodes) == ("ane", 19, 20)


def test_a_low_share_is_flagged_and_none_is_a_fallback(monkeypatch):
    structure, usage, cost = _program(n_ane=6, n_cpu=4)
    _load_recorded(monkeypatch, StandInPlan(structure, usage, cost))
    plan = compute_plan_summary(StandInModel(), ct.ComputeUnit.CPU_AND_NE, "ane")
    assert (plan["requested_share"], plan["share_floor"], plan["below_floor"]) == (0.6, 0.9, True)
    assert placement_from_plan(plan, "ane") == ("ane", 6, 10)
    assert placement_from_plan(plan, "gpu") == ("cpu", 0, 10)  # the unit got nothing
    assert placement_from_plan(plan, "cpu") == ("cpu", None, None)
    assert placement_from_plan({"compute_plan": "unavailable: x"}, "ane") == (None, None, None)
    # the host flags it (and the regression gate will not use it as a baseline)
    host_env: dict = {}
    lifecycle.flag_warnings(
        {"runtime": {"plan_summary": plan}}, host_env, Gates(), explicit_drift=False
    )
    assert "ACCELERATOR-SHARE-LOW" in host_env["warnings"]


def test_neural_network_models_are_read_by_layer(monkeypatch):
    layers = [cp.MLModelStructureNeuralNetworkLayer(f"l{i}", "convolution", [], [], None)
              for i in range(3)]  # fmt: skip
    structure = cp.MLModelStructure(cp.MLModelStructureNeuralNetwork(layers), None, None)
    plan = StandInPlan(structure, {"l0": GPU, "l1": GPU, "l2": CPU}, {})
    _load_recorded(monkeypatch, plan)
    summary = compute_plan_summary(StandInModel(), ct.ComputeUnit.CPU_AND_GPU, "gpu")
    assert summary["structure"] == "neural_network"
    assert summary["preferred_device"] == {"gpu": 2, "cpu": 1}
    assert summary["below_floor"] is True and summary["requested_share"] == 0.6667


def test_no_plan_says_why_and_the_unit_stays_unknown(monkeypatch):
    def refuse(path, compute_units=None):
        raise ValueError("MLComputePlan is not supported.")

    monkeypatch.setattr(cp.MLComputePlan, "load_from_path", staticmethod(refuse))
    plan = compute_plan_summary(StandInModel(), ct.ComputeUnit.ALL, "gpu")
    assert plan == {"compute_plan": "unavailable: ValueError: MLComputePlan is not supported."}
    assert CoreMlSession(None, "gpu", plan).describe().accelerator_actual is None


def test_summaries_have_the_keys_the_ios_app_writes():
    """One vocabulary for Mac and iPhone plans (ios_app/App/ComputePlanSummary.swift)."""
    from pathlib import Path

    swift = (Path(coreml.__file__).parents[3] / "ios_app/App/ComputePlanSummary.swift").read_text()
    summary = summarize_plan("program", [{"preferred": "gpu", "cost": 0.5}], "gpu")
    for key in summary:
        if key != "operations_detail":
            assert f'"{key}"' in swift, key
