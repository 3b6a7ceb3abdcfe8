"""The detector on fixed synthetic histories: validity gate, screen, environment shifts, change
points and their attribution, config overrides — through the real store where it matters."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from _regress_data import fill, noisy

from benchctl.errors import ConfigError
from benchctl.results.regress import (
    DetectorSettings,
    change_points,
    check_validity,
    load_config,
    nightly,
    screen,
)
from benchctl.results.regress.simulate import Scenario, points, same_versions, scenario_points
from benchctl.results.regress.validity import Validity
from benchctl.results.store import ResultStore

SETTINGS = DetectorSettings()


def _validity(**kw):
    base = dict(
        status="ok",
        sample_count=100,
        iterations_requested=100,
        accelerator_requested="cpu",
        accelerator_actual="cpu",
        environment=None,
        samples=[1000] * 100,
        settings=SETTINGS,
    )
    base.update(kw)
    return check_validity(**base)


def test_validity_gate_names_every_reason():
    assert _validity().valid
    assert _validity(status="timeout").reasons == ("status timeout",)
    assert "incomplete: 80 of 100 iterations" in _validity(sample_count=80).reasons
    assert _validity(accelerator_actual="gpu").reasons == ("ran on gpu, not the requested cpu",)
    hot = _validity(environment={"before": {"thermal_state": "serious"}})
    assert hot.reasons == ("thermal state serious before the run",)
    assert _validity(environment={"after": {"thermal_status": "light"}}).valid  # level 1 allowed
    host = {"host": {"warnings": ["HOT-AFTER", "DRIFT"], "drift": {"change": 0.2, "flagged": True}}}
    assert _validity(environment=host).reasons == (
        "device over its thermal limit after the run",
        "latency drifted +20.0 % within the run",
    )


def test_validity_gate_judges_contention_threads_and_precision():
    busy = {"contention": {"cpus": [0, 1], "others_cpu_share": 0.4, "run_delay_share": 0.01}}
    v = _validity(environment=busy)
    assert v.reasons == ("noisy: other processes used 40 % of CPUs 0-1 during the timed loop "
                         "(limit 10 %)",)  # fmt: skip
    # re-judged with the series' settings, not the runner's verdict
    assert _validity(environment=busy, settings=replace(SETTINGS, max_others_share=0.5)).valid
    phone = {"host": {"contention": {"others_cpu_share": 0.3, "cpus": [0, 1, 2, 3]}}}
    assert _validity(environment=phone).reasons[0].startswith("noisy: other processes used 30 %")
    over = {"placement": {"cpus": [0], "threads": 4}}
    assert _validity(environment=over).reasons == ("threads beyond cores: 4 threads on 1 CPUs",)
    short = {"precision": {"target_ci": 0.01, "ci_rel": 0.03}, "stopped_by": "max_total_s"}
    assert _validity(environment=short).reasons == (
        "precision target not met: median CI ±3.00 % > ±1.00 % (stopped by max_total_s)",
    )
    assert _validity(environment={"precision": {"target_ci": 0.01, "ci_rel": 0.005}}).valid


def test_recorded_drift_is_judged_by_max_drift_unless_the_device_set_its_own():
    def env(change, flagged, device_threshold):
        drift = {"change": change, "flagged": flagged, "device_threshold": device_threshold}
        return {"host": {"drift": drift}}

    # +6.5 % flagged by a 5 % harness limit: valid under the detector's default …
    assert _validity(environment=env(0.065, True, False)).valid
    # … and [detector] max_drift changes the verdict (probe item 14)
    tight = replace(SETTINGS, max_drift=0.05)
    assert not _validity(environment=env(0.065, True, False), settings=tight).valid
    # a device whose inventory sets drift_threshold keeps its own verdict
    assert not _validity(environment=env(0.065, True, True)).valid


def test_drift_is_computed_from_samples_when_the_harness_recorded_none():
    slowing = [1000] * 50 + [1400] * 50  # last 10 % is 40 % slower than the first 10 %
    v = _validity(samples=slowing)
    assert v.drift == pytest.approx(0.4) and not v.valid
    assert _validity(samples=slowing, settings=replace(SETTINGS, max_drift=0.45)).valid


def test_flat_history_is_ok_and_a_step_with_a_new_artifact_is_a_regression():
    rng = np.random.default_rng(7)
    flat = screen(scenario_points(Scenario(noise=0.01), rng), SETTINGS)
    assert flat.label == "ok" and abs(flat.rel_change) < 0.05
    step = screen(scenario_points(Scenario(noise=0.01, step=0.10, step_at=40), rng), SETTINGS)
    assert step.label == "regression"
    assert step.rel_change == pytest.approx(0.10, abs=0.03) and step.z >= 5
    assert list(step.changed_versions) == ["artifact_sha256"]
    assert step.n_baseline == 30 and step.last_good == f"{39:032x}"
    faster = screen(scenario_points(Scenario(noise=0.01, step=-0.15, step_at=40), rng), SETTINGS)
    assert faster.label == "improvement"


def test_same_versions_but_a_shift_is_an_environment_shift():
    rng = np.random.default_rng(3)
    pts = scenario_points(Scenario(noise=0.01, step=0.12, step_at=40), rng)
    pts[-1] = same_versions(pts[-1], pts[-2])
    v = screen(pts, SETTINGS)
    assert v.label == "environment_shift" and v.changed_versions == {}
    assert "same artifact, runtime and harness" in v.reason


def test_below_threshold_and_below_the_absolute_floor_are_not_reported():
    vals = [1e6] * 30 + [1.03e6]  # +3 %: under the 5 % threshold, however quiet the history
    assert screen(points(vals, new_artifact_at=[30]), SETTINGS).label == "ok"
    tiny = [20_000.0] * 30 + [26_000.0]  # +30 % but only 6 µs: under the 0.05 ms floor
    assert screen(points(tiny, new_artifact_at=[30]), SETTINGS).label == "ok"
    assert (
        screen(points(tiny, new_artifact_at=[30]), replace(SETTINGS, abs_floor_ms=0.001)).label
        == "regression"
    )


def test_invalid_results_never_enter_the_baseline():
    vals = noisy(5.0e6, 30, 0.01, seed=1) + [5.0e6]
    pts = points(vals)
    hot = Validity(("thermal state serious before the run",), None)
    for i in range(20, 30):  # ten slow, invalid nights just before the new one
        pts[i] = replace(pts[i], value_ns=pts[i].value_ns * 1.5, validity=hot)
    v = screen(pts, SETTINGS)
    assert v.label == "ok" and v.n_baseline == 20
    assert v.level_ns == pytest.approx(5.0e6, rel=0.02)
    pts[-1] = replace(pts[-1], validity=hot)
    assert screen(pts, SETTINGS).label == "invalid"


def test_too_little_history_is_insufficient_data():
    v = screen(points([1e6] * 5 + [2e6], new_artifact_at=[5]), SETTINGS)
    assert v.label == "insufficient_data" and "need 10" in v.reason


def test_the_baseline_relevels_after_a_change_point():
    vals = noisy(4e6, 20, 0.01, seed=2) + noisy(4.8e6, 8, 0.01, seed=3) + [4.8e6]
    v = screen(points(vals, new_artifact_at=[20]), SETTINGS)
    assert v.label == "ok" and v.level_ns == pytest.approx(4.8e6, rel=0.02)


def test_change_points_find_a_step_and_ignore_noise_and_spikes():
    rng = np.random.default_rng(11)
    y = 5e6 * np.exp(rng.normal(0, 0.01, 50))
    assert change_points(y) == []
    spiky = y.copy()
    spiky[30] *= 1.4
    assert change_points(spiky) == []
    y[25:] *= 1.10
    (split,) = change_points(y)
    assert split.index == 25 and split.rel_change == pytest.approx(0.10, abs=0.02)
    assert split.p_value < 1e-3


def test_nightly_over_a_store_attributes_changes_to_versions():
    store = ResultStore.open()
    # series 1: a new artifact on night 20 makes it 10 % slower; a new runtime on night 30, 20 %
    fill(
        store,
        [5.0] * 20 + [5.5] * 10 + [6.6] * 10,
        artifact_from={20: 1},
        model="mobileone_s0",
    )
    # series 2: steady, but the newest night is 20 % slower with nothing under test changed
    fill(store, [2.0] * 25 + [2.4], model="mobilenetv4_conv_small", seed=1)
    report = nightly(store)
    by_model = {s.labels["model"]: s for s in report.series}
    changes = by_model["mobileone_s0"].changes
    assert [c.run_id[:6] for c in changes] == ["000014", "00001e"]  # nights 20 and 30
    assert list(changes[0].changed_versions) == ["artifact_sha256"]
    assert changes[0].rel_change == pytest.approx(0.10, abs=0.01)
    assert by_model["mobileone_s0"].screening.label == "ok"  # relevelled after night 30
    assert by_model["mobilenetv4_conv_small"].screening.label == "environment_shift"
    counts = report.counts()
    assert counts["environment_shift"] == 1 and counts["ok"] == 1 and counts["change_points"] == 2


def test_runtime_version_change_is_named_in_a_regression(isolated_project):
    store = ResultStore.open()
    fill(store, [3.0] * 20)
    fill(store, [3.6], start=20, runtime_version="1.32.0")
    (series,) = nightly(store).series
    assert series.screening.label == "regression"
    assert series.screening.changed_versions == {"runtime_version": ["1.31.1", "1.32.0"]}


def test_config_overrides_and_curation(isolated_project: Path):
    store = ResultStore.open()
    recs = fill(store, [3.0] * 20 + [3.3], artifact_from={20: 1})
    assert nightly(store).series[0].screening.label == "regression"
    cfg = isolated_project / "regress.toml"
    cfg.write_text('[[override]]\nmatch = "mobileone_s0 .* host"\nrel_threshold = 0.15\n')
    assert nightly(store, load_config(cfg)).series[0].screening.label == "ok"
    cfg.write_text(f'[[begins_segment]]\nrun = "{recs[-1].run_id[:12]}"\nreason = "new phone"\n')
    (s,) = nightly(store, load_config(cfg)).series
    assert s.screening.label == "insufficient_data"
    cfg.write_text(f'[[exclude]]\nrun = "{recs[-1].run_id}"\nreason = "charging"\n')
    (s,) = nightly(store, load_config(cfg)).series
    assert s.screening.label == "invalid" and "charging" in s.screening.reason


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[detector]\nrel_treshold = 0.1\n", "unknown detector setting 'rel_treshold'"),
        ("[detector]\nwindow = 'x'\n", "window must be a number"),
        ('[[override]]\nmatch = "("\n', "is not a regex"),
        ("[[exclude]]\nrun = 'zz'\n", "is not a run id"),
        ("[nightly]\n", "unknown section(s) nightly"),
        ("not toml = = 1", "cannot read detector config"),
    ],
)
def test_bad_config_is_a_config_error(tmp_path: Path, text: str, message: str):
    path = tmp_path / "regress.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(path)


def test_since_leaves_out_series_without_a_recent_result_and_reads_none_of_them():
    from datetime import timedelta

    from _regress_data import START

    from benchctl.results.regress import nightly

    store = ResultStore.open()
    fill(store, noisy(5.0, 12, 0.01, 1), model="mobileone_s0")  # nights 0–11
    fill(store, noisy(3.0, 8, 0.01, 2), model="fastvit_t8", seed=1)  # nights 0–7
    read: list[str | None] = []
    rows = store.rows

    def counted(columns, **kw):
        read.append(kw.get("series_key"))
        return rows(columns, **kw)

    store.rows = counted  # type: ignore[method-assign]
    recent = nightly(store, since=START + timedelta(days=10))
    assert [s.labels["model"] for s in recent.series] == ["mobileone_s0"]
    assert read == [recent.series[0].key]  # the other series was never read
    assert len(nightly(store).series) == 2
