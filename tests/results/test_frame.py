"""DataFrames of stored results: one row per run, or one per model × format × precision ×
device × runtime from the newest valid run, joined with accuracy, params and MACs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _regress_data import fill, record

from benchctl.errors import ConfigError
from benchctl.results.accuracy import load_accuracy
from benchctl.results.frame import MODEL_COLUMNS, RUN_COLUMNS, models_frame, runs_frame
from benchctl.results.store import ResultStore

HOT = {"before": {"thermal_state": "critical"}}


@pytest.fixture
def store() -> ResultStore:
    s = ResultStore.open()
    fill(s, [2.0, 2.1], model="mobileone_s0")
    rng = np.random.default_rng(9)
    s.ingest(record(2, 9.0, rng, model="mobileone_s0", environment=HOT))  # newest, but too hot
    fill(s, [5.0], model="mobilevit_xs", seed=3, artifact_from={0: 4})
    s.ingest(record(1, 7.0, rng, model="my_net", environment=HOT))  # never valid, unknown model
    return s


def test_runs_frame_has_every_run_with_its_validity(store):
    df = runs_frame(store)
    assert list(df.columns) == list(RUN_COLUMNS) and len(df) == 5
    hot = df[~df["valid"]]
    assert sorted(hot["model"]) == ["mobileone_s0", "my_net"]
    assert set(hot["invalid_reasons"]) == {"thermal state critical before the run"}


def test_models_frame_takes_the_newest_valid_run_and_published_accuracy(store):
    df = models_frame(store, compute_facts=False)
    assert list(df.columns) == list(MODEL_COLUMNS)
    assert list(df["model"]) == ["mobileone_s0", "mobilevit_xs"]  # my_net has no valid run
    one = df.iloc[0]
    assert one["latency_median_ms"] == pytest.approx(2.1, rel=0.02)  # night 1, not the hot night 2
    assert one["valid_runs"] == 2 and one["valid"]
    assert one["accuracy_top1"] == 71.4 and one["accuracy_source"] == "paper: mobileone Table 9"
    assert one["published_params_m"] == 2.1 and one["published_macs_m"] == 275.0
    assert one["iterations"] == 200 and one["parity_passed"]
    assert one["latency_min_ms"] <= one["latency_median_ms"] <= one["latency_p90_ms"]
    everything = models_frame(store, compute_facts=False, include_invalid=True)
    mine = everything[everything["model"] == "my_net"].iloc[0]
    assert not mine["valid"] and pd.isna(mine["accuracy_top1"])


def test_users_accuracy_file_wins_most_specific_row_first(store, tmp_path: Path):
    sha = runs_frame(store, model="mobilevit_xs")["artifact_sha256"].iloc[0]
    path = tmp_path / "acc.csv"
    path.write_text(
        "model,top1,format,precision,artifact_sha256\n"
        "mobileone_s0,70.1,,,\n"
        "mobileone_s0,69.5,onnx,fp32,\n"
        f"mobilevit_xs,74.0,,,{sha}\n"
        "mobilevit_xs,10.0,,,sha256:" + "0" * 64 + "\n"
    )
    df = models_frame(store, compute_facts=False, accuracy=path).set_index("model")
    assert df.loc["mobileone_s0", "accuracy_top1"] == 69.5
    assert df.loc["mobilevit_xs", "accuracy_top1"] == 74.0
    assert df.loc["mobilevit_xs", "accuracy_source"] == f"file:{path}"
    assert df.loc["mobilevit_xs", "published_top1"] == 74.8  # still shown beside it


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,top1\nx,1\n", "missing column"),
        ("model,top1,extra\nx,1,2\n", "unknown column"),
        ("model,top1\nx,high\n", ":2: top1 'high' is not a number"),
        ("model,top1\nx,101\n", "percentage in \\[0, 100\\]"),
        ("model,top1\n,50\n", "empty model name"),
    ],
)
def test_bad_accuracy_files_say_where(tmp_path: Path, text: str, message: str):
    path = tmp_path / "acc.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_accuracy(path)


def test_counted_params_and_macs_at_the_runs_input_size(isolated_project):
    s = ResultStore.open()
    fill(s, [0.5], model="test_mobileone", input_shape=(1, 3, 32, 32))
    row = models_frame(s).iloc[0]
    from benchctl.models import computed_facts

    facts = computed_facts("test_mobileone", (3, 32, 32))
    assert row["macs_m"] == pytest.approx(facts.macs / 1e6) and row["macs_m"] > 0
    assert row["params_m"] == pytest.approx(facts.params / 1e6)
    assert "FlopCounterMode" in row["facts_counter"]


def test_measured_accuracy_of_the_runs_artifact_beats_the_paper(store):
    from benchctl.results.testing import SAMPLE_ARTIFACT, make_accuracy_record

    sha = runs_frame(store, model="mobilevit_xs")["artifact_sha256"].iloc[-1]
    artifact = dict(SAMPLE_ARTIFACT, sha256=sha, model_name="mobilevit_xs")
    full = dict(model_name="mobilevit_xs", artifact=artifact, dataset_name="val", top1=61.25)
    store.ingest_accuracy(make_accuracy_record(**full))
    store.ingest_accuracy(  # newer, but a --limit subset: the full dataset's number wins
        make_accuracy_record(
            **dict(full, top1=50.0, sample_limit=20, num_samples=20, dataset_sha256="sha256:1")
        )
    )
    df = models_frame(store, compute_facts=False).set_index("model")
    xs = df.loc["mobilevit_xs"]
    assert xs["accuracy_top1"] == 61.25 and xs["accuracy_kind"] == "measured"
    assert xs["accuracy_source"] == "measured on val (100 images)" and xs["accuracy_top5"] == 90.0
    assert xs["published_top1"] == 74.8  # the paper's number stays beside it
    one = df.loc["mobileone_s0"]
    assert one["accuracy_kind"] == "paper" and one["accuracy_source"] == "paper: mobileone Table 9"
    assert one["series_median_ms"] == pytest.approx(2.05, rel=0.03)  # its two valid nights
