"""Verification: tolerances, printed precision, documented exceptions, and the seed zoo itself."""

from __future__ import annotations

from dataclasses import replace

import pytest

from benchctl.models import (
    ComputedFacts,
    check_fact,
    get_model_spec,
    list_models,
    status_counts,
    verify_model,
    verify_models,
)


def _computed(params_m: float, macs_m: float) -> ComputedFacts:
    return ComputedFacts(
        name="x",
        input_size=(3, 224, 224),
        params=round(params_m * 1e6),
        macs=round(macs_m * 1e6),
        reparameterized=False,
        counter="test",
        source_hash="",
    )


@pytest.mark.parametrize(
    ("published", "computed", "status", "by_rounding"),
    [
        ("100", 101.9, "pass", False),  # within 2 %
        ("100", 102.1, "fail", False),
        ("1.3", 1.272, "pass", True),  # 2.2 % off, but "1.3" stands for [1.25, 1.35)
        ("1.3", 1.36, "fail", False),
    ],
)
def test_params_tolerance_is_two_percent_or_half_a_printed_digit(
    published, computed, status, by_rounding, make_fact
):
    params, _ = check_fact(make_fact(params=published), _computed(computed, 1.0))
    assert params is not None and params.status == status
    assert params.by_rounding == by_rounding


@pytest.mark.parametrize(
    ("ops", "unit", "computed", "status"),
    [
        ("275", "M", 288.0, "pass"),  # within 5 %
        ("275", "M", 290.0, "fail"),
        ("0.2", "G", 186.0, "pass"),  # "0.2 G" stands for [150, 250) M
        ("0.2", "G", 260.0, "fail"),
    ],
)
def test_macs_tolerance_is_five_percent_or_half_a_printed_digit(
    ops, unit, computed, status, make_fact
):
    _, macs = check_fact(make_fact(ops=ops, unit=unit), _computed(1.0, computed))
    assert macs is not None and macs.status == status


def test_a_documented_exception_never_passes_and_a_stale_one_is_flagged(make_fact):
    _, macs = check_fact(make_fact(ops="1.5", unit="G", ops_exception="halved"), _computed(1, 2979))
    assert macs.status == "exception" and macs.reason == "halved"
    _, stale = check_fact(make_fact(ops="300", ops_exception="old"), _computed(1, 300))
    assert stale.status == "pass" and stale.stale_exception


def test_verify_model_checks_every_published_row_at_its_resolution(fake_published, make_fact):
    fact = make_fact
    fake_published(
        {
            "test_emo": [
                fact(ops="1.13"),  # passes at the registered 64×64
                fact(ops="0.31", resolution=32),  # the same model counted at 32×32
                fact(params="0.01", params_exception="known"),
                fact(params="0.01"),
            ]
        }
    )
    rows = verify_model("test_emo")
    assert [r.status for r in rows] == ["pass", "pass", "exception", "fail"]
    assert [r.computed.resolution for r in rows] == [64, 32, 64, 64]
    assert status_counts(rows) == {"pass": 2, "exception": 1, "fail": 1}


def test_a_model_without_published_facts_is_listed_with_its_counts():
    (row,) = verify_model("test_repvgg")
    assert row.status == "no data" and row.computed.params > 0


def test_a_model_that_fails_to_build_is_an_error_row():
    def broken(**kwargs):
        raise RuntimeError("boom")

    spec = replace(get_model_spec("test_emo"), factory=broken)
    (row,) = verify_model(spec, use_cache=False)
    assert row.status == "error" and "boom" in row.error


@pytest.mark.slow
def test_every_seed_variant_verifies_with_only_documented_exceptions():
    rows = verify_models(list_models(role="seed"))
    bad = [
        (r.model, r.fact.source if r.fact else "", r.status)
        for r in rows
        if r.status not in ("pass", "exception")
    ]
    assert not bad
    assert {r.model for r in rows} == set(list_models(role="seed"))
    s4 = {r.fact.source: r for r in rows if r.model == "mobileone_s4"}
    assert s4["mobileone Table 9"].status == "pass"
    assert s4["mobilenetv4 Table 6"].status == "exception"


@pytest.mark.slow
def test_every_comparator_builds():
    rows = verify_models(list_models(role="comparator"))
    assert not [r.error for r in rows if r.error]
