"""EMO (seed 004): the iRMB, its windowed attention, and the four variants' shapes."""

from __future__ import annotations

import pytest
import torch

from benchctl.models import create_model, emo


def _global_attention(x: torch.Tensor, block: torch.nn.Module) -> torch.Tensor:
    """Reference: plain multi-head attention over all pixels, Q = K from the block's 1×1 conv."""
    b, c, h, w = x.shape
    qk = block.qk(x).reshape(b, 2, block.heads, block.head_dim, h * w)
    q, k = qk[:, 0].transpose(-2, -1), qk[:, 1].transpose(-2, -1)
    v = x.reshape(b, block.heads, block.head_dim, h * w).transpose(-2, -1)
    a = torch.softmax(q @ k.transpose(-2, -1) * block.head_dim**-0.5, dim=-1)
    return (a @ v).transpose(-2, -1).reshape(b, c, h, w)


def test_window_attention_with_one_window_is_global_attention():
    torch.manual_seed(0)
    attn = emo.WindowAttention(16, head_dim=4, window=5)
    x = torch.randn(2, 16, 5, 5)
    torch.testing.assert_close(attn(x), _global_attention(x, attn))


def test_window_attention_attends_within_dilated_grid_windows():
    """A 6×6 map with 3×3 windows: window (i, j) holds the pixels (i + 2a, j + 2b)."""
    torch.manual_seed(0)
    attn = emo.WindowAttention(8, head_dim=4, window=3)
    x = torch.randn(1, 8, 6, 6)
    expected = torch.empty_like(x)
    for i in range(2):
        for j in range(2):
            expected[:, :, i::2, j::2] = _global_attention(x[:, :, i::2, j::2], attn)
    torch.testing.assert_close(attn(x), expected)


def test_window_attention_pads_and_crops_maps_that_are_not_a_multiple_of_the_window():
    attn = emo.WindowAttention(8, head_dim=4, window=3)
    x = torch.randn(1, 8, 7, 5)
    y = attn(x)
    assert y.shape == x.shape and torch.isfinite(y).all()


def test_heads_must_divide_channels():
    with pytest.raises(ValueError, match="heads"):
        emo.WindowAttention(10, head_dim=4, window=7)


def test_irmb_keeps_skips_only_where_shapes_allow():
    keep = emo.IRMB(16, 16, exp_ratio=2.0, attention=True, head_dim=8, window=2, norm="ln")
    down = emo.IRMB(16, 24, exp_ratio=4.0, stride=2)
    assert keep.has_skip and not down.has_skip
    x = torch.randn(2, 16, 8, 8)
    assert keep(x).shape == (2, 16, 8, 8)
    assert down(x).shape == (2, 24, 4, 4)
    assert down.expand[0].out_channels == 64 and down.dw[0].stride == (2, 2)


def test_irmb_residual_is_identity_when_the_branch_is_zero():
    block = emo.IRMB(8, 8, exp_ratio=2.0).eval()
    torch.nn.init.zeros_(block.project.weight)
    x = torch.randn(1, 8, 4, 4)
    torch.testing.assert_close(block(x), x)


def test_stage_layout_follows_table_4_with_attention_in_stages_3_and_4():
    model = emo.build_emo("1m")
    depths = [len(stage) for stage in model.stages]
    assert depths == [2, 2, 8, 3]
    for i, stage in enumerate(model.stages):
        first, rest = stage[0], list(stage)[1:]
        assert isinstance(first.attn, torch.nn.Identity) and not first.has_skip
        assert all(isinstance(b.attn, emo.WindowAttention) == (i >= 2) for b in rest)
        assert all(b.has_skip for b in rest)
    assert [b.attn.heads for b in model.stages[2][1:]] == [4] * 7  # 80 channels / head dim 20
    assert model.stages[3][1].attn.heads == 8  # 168 / 21
    assert model.stages[3][0].expand[0].out_channels == 80 * 7  # first block: 2 × 3.5 expansion


def test_six_m_follows_the_authors_widths_and_ratios():
    cfg = emo.EMO_CONFIGS["6m"]
    assert cfg.dims[-1] == 320 and cfg.exp_ratios[-1] == 5.0  # paper: 288 → 320 channels


def test_tiny_variant_runs_forward_and_backward():
    torch.manual_seed(0)
    model = create_model("test_emo", num_classes=10, drop_path_rate=0.1)
    x = torch.randn(2, 3, 64, 64)
    y = model(x)
    assert y.shape == (2, 10)
    y.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(x), model(x))  # drop path off in eval


@pytest.mark.slow
@pytest.mark.parametrize("name", ["emo_1m", "emo_2m", "emo_5m", "emo_6m"])
def test_full_variants_match_the_papers_counts(name):
    from benchctl.models import verify_model

    (row,) = verify_model(name, use_cache=False)
    assert row.macs is not None and row.macs.status == "pass"
    assert row.params is not None and row.params.status in ("pass", "exception")
    assert abs(row.params.rel_diff) < 0.05
