from __future__ import annotations

import torch

from benchctl.harness.build import build_model, calibrate_batchnorm, reparameterize
from benchctl.models import create_model


def test_calibrated_batchnorm_keeps_random_weight_outputs_sane():
    torch.manual_seed(0)
    model = create_model("test_mobileone").eval()
    x = torch.randn(2, 3, 32, 32)
    calibrate_batchnorm(model, (3, 32, 32))
    with torch.no_grad():
        y = model(x)
    assert torch.isfinite(y).all() and y.abs().max() < 100


def test_reparameterization_preserves_outputs():
    torch.manual_seed(0)
    model = calibrate_batchnorm(create_model("test_mobileone"), (3, 32, 32))
    x = torch.randn(4, 3, 32, 32)
    with torch.no_grad():
        before = model(x)
        n_before = sum(p.numel() for p in model.parameters())
        reparameterize(model)
        after = model(x)
    assert sum(p.numel() for p in model.parameters()) < n_before  # branches were folded
    rel = (before - after).abs().max() / before.abs().max()
    assert rel < 1e-4


def test_build_is_deterministic_for_a_seed():
    a, b = build_model("test_mobileone", seed=3), build_model("test_mobileone", seed=3)
    assert torch.equal(a.example, b.example)
    with torch.no_grad():
        assert torch.equal(a.module(a.example), b.module(b.example))
    assert a.input_shape == (1, 3, 32, 32) and not a.module.training
