"""The zoo's registry: what is registered, how it is filtered, and the published facts behind it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchctl.errors import DuplicateRegistrationError, UnknownNameError
from benchctl.models import MODELS, get_model_spec, list_models, published_models, register_model

SEED_VARIANTS = [
    *(f"mobileone_s{i}" for i in range(5)),
    "mobilenetv1_100",
    "mobilenetv2_050",
    "mobilenetv2_100",
    "mobilenetv2_140",
    "mobilenetv2_200",
    "mobilenetv3_small_100",
    "mobilenetv3_large_100",
    "mobilenetv3_large_050",
    "mobilenetv3_large_075",
    "mobilenetv4_conv_small",
    "mobilenetv4_conv_medium",
    "mobilenetv4_conv_large",
    "mobilenetv4_hybrid_medium",
    "mobilenetv4_hybrid_large",
    "mobilevit_xxs",
    "mobilevit_xs",
    "mobilevit_s",
    "emo_1m",
    "emo_2m",
    "emo_5m",
    "emo_6m",
]
COMPARATORS = [
    "efficientnet_b0",
    *(f"repvgg_{v}" for v in ("a0", "a1", "a2", "b0", "b1")),
    "resnet18",
    "resnet50",
    "mixnet_s",
    "semnasnet_100",
    "shufflenet_v2_x1_0",
    "shufflenet_v2_x2_0",
    "deit_tiny_patch16_224",
    "pit_ti_224",
    "convit_tiny",
    *(f"fastvit_{v}" for v in ("t8", "s12", "sa12", "sa24", "sa36")),
    "mobilevitv2_050",
    "mobilevitv2_100",
    "convnext_small",
    "efficientvit_b1",
    "efficientvit_b2",
    "efficientvit_b3",
]


def test_registering_the_zoo_imports_neither_torch_nor_timm():
    code = (
        "import sys, benchctl.models as m; m.list_models(paper='emo'); "
        "m.get_model_spec('emo_1m').published; "
        "assert not {'torch', 'timm', 'torchvision'} & set(sys.modules), sys.modules.keys()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", SEED_VARIANTS)
def test_every_seed_variant_is_registered_with_published_facts(name):
    spec = get_model_spec(name)
    assert spec.role == "seed" and not spec.is_test
    assert spec.paper and spec.source and spec.source_files
    assert any(f.params_m is not None for f in spec.published)
    assert any(f.macs_m is not None for f in spec.published)
    assert spec.primary is not None and spec.primary.top1


@pytest.mark.parametrize("name", COMPARATORS)
def test_every_comparator_is_registered_with_published_facts(name):
    spec = get_model_spec(name)
    assert spec.role == "comparator"
    assert spec.published


def test_every_published_row_names_a_registered_model_and_parses():
    for name in published_models():
        spec = get_model_spec(name)
        for row in spec.published:
            assert row.params_m is not None or row.macs_m is not None or row.top1
            assert (row.ops_text == "") == (row.ops_unit == "") == (row.ops_label == "")
            assert row.seed in ("000", "001", "002", "003", "004")


def test_source_hash_covers_every_registered_model():
    hashes = {name: MODELS.get(name).source_hash() for name in MODELS.names()}
    assert all(h.startswith("sha256:") for h in hashes.values())
    assert hashes["emo_1m"] == hashes["emo_5m"]  # same file defines both
    assert hashes["emo_1m"] != hashes["mobileone_s0"]


def test_unknown_model_raises_with_close_matches():
    with pytest.raises(UnknownNameError) as info:
        get_model_spec("emo_5")
    assert "emo_5m" in info.value.suggestions


def test_duplicate_registration_raises():
    with pytest.raises(DuplicateRegistrationError):
        register_model(get_model_spec("emo_1m"))


def test_list_filters_by_family_paper_role_and_test_flag():
    assert list_models(family="emo") == ["emo_1m", "emo_2m", "emo_5m", "emo_6m"]
    assert "test_emo" in list_models(family="emo", include_test=True)
    emo_paper = list_models(paper="emo")
    assert {"emo_1m", "mobilevit_xxs", "deit_tiny_patch16_224"} <= set(emo_paper)
    assert "mobileone_s0" not in emo_paper
    mnv4_paper = list_models(paper="mobilenetv4")
    assert {"mobileone_s4", "fastvit_t8", "mobilenetv4_conv_small"} <= set(mnv4_paper)
    assert "emo_1m" not in mnv4_paper
    assert set(list_models(role="comparator")) == set(COMPARATORS) | {
        "convnext_tiny",
        "mobilevitv2_075",
        "mobilevitv2_125",
    }
    assert list_models("mobileone_s?", role="seed") == [f"mobileone_s{i}" for i in range(5)]


def test_published_numbers_keep_their_printed_precision():
    s0 = {f.source: f for f in get_model_spec("mobileone_s0").published}
    own, mnv4 = s0["mobileone Table 9"], s0["mobilenetv4 Table 6"]
    assert (own.ops_label, own.macs_m, own.macs_half_ulp_m) == ("FLOPs", 275.0, 0.5)
    assert (mnv4.ops_label, mnv4.macs_m, mnv4.macs_half_ulp_m) == ("MACs", 300.0, 50.0)
    assert own.params_m == 2.1 and own.params_half_ulp_m == pytest.approx(0.05)


def test_mobileone_s4_records_mobilenetv4s_halved_macs_as_an_exception():
    rows = {f.source: f for f in get_model_spec("mobileone_s4").published}
    assert not rows["mobileone Table 9"].ops_exception
    assert "halved" in rows["mobilenetv4 Table 6"].ops_exception
