"""The MACs counter (what it counts) and the cache of computed facts."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from benchctl.errors import ConfigError
from benchctl.models import (
    computed_facts,
    count_params_macs,
    create_model,
    facts_cache_path,
    get_model_spec,
    reparameterize_model,
)


class _Tiny(nn.Module):
    """conv 3→8 (3×3, 8×8 map) → attention over 64 tokens → linear 8→4."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.fc = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.dw(torch.relu(self.conv(x)))
        t = x.flatten(2).transpose(1, 2).unsqueeze(1)  # (1, 1 head, 64 tokens, 8)
        t = F.scaled_dot_product_attention(t, t, t)
        return self.fc(t.mean(2).squeeze(1))


def test_counter_counts_convs_depthwise_convs_attention_and_linears():
    params, macs = count_params_macs(_Tiny(), (3, 8, 8))
    conv = 8 * 3 * 9 * 64
    dw = 8 * 9 * 64
    attention = 2 * 64 * 64 * 8  # Q·Kᵀ and A·V
    linear = 8 * 4
    assert macs == conv + dw + attention + linear
    assert params == (8 * 3 * 9 + 8) + 8 * 9 + (8 * 4 + 4)


def test_reparameterizing_families_are_counted_in_inference_form(tmp_path):
    torch.manual_seed(0)
    fused = reparameterize_model(create_model("test_mobileone").eval())
    expected_params, expected_macs = count_params_macs(fused, (3, 32, 32))
    facts = computed_facts("test_mobileone")
    assert facts.reparameterized
    assert (facts.params, facts.macs) == (expected_params, expected_macs)
    train_params = sum(p.numel() for p in create_model("test_mobileone").parameters())
    assert facts.params < train_params


def test_facts_are_cached_and_reused():
    first = computed_facts("test_emo")
    path = facts_cache_path()
    assert path.exists() and "test_emo@3x64x64" in json.loads(path.read_text())

    def boom(**kwargs):
        raise AssertionError("recounted despite a cache hit")

    # the same model (name, input size, sources) whose factory would fail if it were built
    unbuildable = dataclasses.replace(get_model_spec("test_emo"), factory=boom)
    again = computed_facts(unbuildable)
    assert (again.params, again.macs) == (first.params, first.macs)
    with pytest.raises(AssertionError, match="recounted"):
        computed_facts(unbuildable, use_cache=False)


def test_a_changed_source_hash_invalidates_the_cache():
    computed_facts("test_emo")
    path = facts_cache_path()
    data = json.loads(path.read_text())
    data["test_emo@3x64x64"]["source_hash"] = "sha256:stale"
    data["test_emo@3x64x64"]["macs"] = 1
    path.write_text(json.dumps(data))
    assert computed_facts("test_emo").macs != 1
    assert json.loads(path.read_text())["test_emo@3x64x64"]["macs"] != 1


def test_corrupt_cache_is_only_a_slower_run():
    path = facts_cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    assert computed_facts("test_emo").params > 0


def test_other_resolutions_are_counted_separately():
    small = computed_facts("test_emo", (3, 32, 32))
    large = computed_facts("test_emo", (3, 64, 64))
    assert small.params == large.params and small.macs < large.macs
    assert small.resolution == 32


def test_input_size_must_be_channels_height_width():
    with pytest.raises(ConfigError, match="channels, height, width"):
        computed_facts("test_emo", (1, 3, 64, 64))  # type: ignore[arg-type]
