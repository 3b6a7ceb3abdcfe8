"""`benchctl models list | show | verify`: filters, both sets of facts, exceptions, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from benchctl.cli.app import app, main
from benchctl.models import ModelSpec, PublishedFact

runner = CliRunner()


def models(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["models", *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout


def _row(**kw: str) -> PublishedFact:
    base = dict(
        model="test_emo",
        seed="004",
        table="Table 99",
        resolution=None,
        params_text="",
        ops_text="",
        ops_label="",
        ops_unit="",
        top1="70.0",
        params_exception="",
        ops_exception="",
        provenance="test",
        notes="",
    )
    return PublishedFact(**{**base, **kw})  # type: ignore[arg-type]


@pytest.fixture
def publish(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Give test_emo published rows (the real CSV has none for tiny variants)."""

    def install(*rows: PublishedFact) -> None:
        real = ModelSpec.published.fget
        assert real is not None
        monkeypatch.setattr(
            ModelSpec,
            "published",
            property(lambda spec: rows if spec.name == "test_emo" else real(spec)),
        )

    return install


def test_list_json_carries_the_published_facts_as_printed():
    doc = json.loads(models("list", "mobileone_s*", "--json"))
    assert [m["name"] for m in doc] == [f"mobileone_s{i}" for i in range(5)]
    s0 = doc[0]
    assert s0["has_reparam"] and s0["role"] == "seed" and s0["input_size"] == [3, 224, 224]
    assert s0["published"]["params_m"] == 2.1
    assert (s0["published"]["ops"], s0["published"]["ops_label"]) == ("275", "FLOPs")
    assert s0["published"]["table"] == "Table 9" and s0["published"]["top1"] == 71.4


def test_list_filters_by_family_paper_role_and_tests():
    names = lambda *a: [m["name"] for m in json.loads(models("list", *a, "--json"))]  # noqa: E731
    assert names("--family", "emo") == ["emo_1m", "emo_2m", "emo_5m", "emo_6m"]
    assert "test_emo" in names("--family", "emo", "--include-test")
    mnv4 = names("--paper", "mobilenetv4")
    assert "fastvit_t8" in mnv4 and "emo_1m" not in mnv4
    assert "resnet50" in names("--role", "comparator")
    assert "resnet50" not in names("--role", "seed")


def test_list_table_shows_the_label_the_paper_uses():
    text = models("list", "--family", "mobilenetv4")
    assert "0.2 G MACs" in text and "mobilenetv4 Table 6" in text


def test_show_prints_published_and_computed_facts_side_by_side(publish):
    publish(
        _row(params_text="0.043", ops_text="1.13", ops_label="FLOPs", ops_unit="M"),
        _row(table="Table 98", params_text="0.5", params_exception="printed for a sibling"),
    )
    text = models("show", "test_emo")
    assert "Published vs computed" in text and "emo Table 99" in text
    assert "0.043" in text and "1.13 M FLOPs" in text  # as printed
    assert "1.1" in text and "pass" in text  # computed 1.125 M MACs
    assert "exception [1]" in text and "printed for a sibling" in text


def test_show_json_without_counting(publish):
    publish(_row(params_text="0.043"))
    doc = json.loads(models("show", "test_emo", "--no-compute", "--json"))
    assert doc["verification"] == [] and doc["published"][0]["params_m"] == 0.043


def test_show_json_with_counts():
    doc = json.loads(models("show", "test_emo", "--json"))
    (row,) = doc["verification"]
    assert row["status"] == "no data" and row["computed"]["params"] == 43312


def test_verify_passes_exceptions_and_fails_with_exit_code(publish):
    publish(
        _row(ops_text="1.13", ops_label="FLOPs", ops_unit="M"),
        _row(
            table="Table 98",
            ops_text="0.5",
            ops_label="FLOPs",
            ops_unit="M",
            ops_exception="known to be halved",
        ),
    )
    text = models("verify", "test_emo", "--include-test")
    assert "Documented exceptions" in text and "known to be halved" in text
    assert "1 exception, 1 pass" in text
    publish(_row(params_text="0.01"))
    doc = json.loads(models("verify", "test_emo", "--include-test", "--json", code=1))
    assert doc["summary"] == {"fail": 1}
    assert doc["rows"][0]["params"]["status"] == "fail"
    assert doc["tolerance"] == {"params": 0.02, "macs": 0.05}


def test_verify_with_nothing_to_verify_exits_1():
    result = runner.invoke(app, ["models", "verify", "no_such_*"])
    assert result.exit_code == 1


def test_unknown_model_is_one_line_with_suggestions(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "show", "emo_5"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown model 'emo_5'" in err and "emo_5m" in err and "Traceback" not in err
