"""Reparameterization: the inference form computes what the train-time form computes."""

from __future__ import annotations

import pytest
import torch

from benchctl.harness.build import calibrate_batchnorm
from benchctl.models import MODELS, create_model, get_model_spec, reparameterize_model

REPARAM_TEST_MODELS = ["test_mobileone", "test_repvgg", "test_fastvit"]


def test_every_reparameterizing_family_has_a_tiny_variant_under_test():
    families = {MODELS.get(n).family for n in MODELS.names() if MODELS.get(n).has_reparam}
    tested = {get_model_spec(n).family for n in REPARAM_TEST_MODELS}
    assert families == tested == {"mobileone", "repvgg", "fastvit"}


@pytest.mark.parametrize("name", REPARAM_TEST_MODELS)
def test_eval_outputs_agree_before_and_after_reparameterization(name):
    spec = get_model_spec(name)
    torch.manual_seed(0)
    # Random weights blow activations up (~1e12) unless BatchNorm statistics are calibrated.
    model = calibrate_batchnorm(create_model(name), spec.input_size)
    x = torch.randn(4, *spec.input_size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        before = model(x)
        fused = reparameterize_model(model)
        after = fused(x)
    assert fused is not model  # a copy by default: the train-time model is untouched
    n_train = sum(p.numel() for p in model.parameters())
    n_fused = sum(p.numel() for p in fused.parameters())
    assert n_fused < n_train  # branches were folded, so the comparison means something
    assert before.abs().max() < 1e3
    rel = (before - after).abs().max() / before.abs().max()
    assert rel < 1e-4


def test_reparameterizing_a_model_without_branches_changes_nothing():
    torch.manual_seed(0)
    model = create_model("test_emo").eval()
    fused = reparameterize_model(model)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model(x), fused(x))
    assert sum(p.numel() for p in fused.parameters()) == sum(p.numel() for p in model.parameters())
