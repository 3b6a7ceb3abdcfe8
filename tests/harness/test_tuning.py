"""`devices doctor host` tuning checks on sysfs trees laid out as Linux lays them out."""

from __future__ import annotations

from pathlib import Path

from benchctl.harness import tuning


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
    return root


def test_an_untuned_laptop_gets_a_fix_for_each(tmp_path):
    root = _tree(
        tmp_path,
        {
            "cpu0/cpufreq/scaling_governor": "powersave",
            "cpu1/cpufreq/scaling_governor": "performance",
            "intel_pstate/no_turbo": "0",
            "smt/control": "on",
            "isolated": "",
        },
    )
    checks = {t.name: t for t in tuning.host_tuning(root)}
    assert not checks["governor"].good and "performance, powersave" in checks["governor"].detail
    assert "frequency-set -g performance" in checks["governor"].fix
    assert not checks["turbo"].good and "no_turbo" in checks["turbo"].fix
    assert not checks["smt"].good and "smt/control" in checks["smt"].fix
    assert not checks["isolated cpus"].good and "isolcpus" in checks["isolated cpus"].fix


def test_a_tuned_box_passes_and_names_its_isolated_cpus(tmp_path):
    root = _tree(
        tmp_path,
        {
            "cpu0/cpufreq/scaling_governor": "performance",
            "cpufreq/boost": "0",
            "smt/control": "off",
            "isolated": "2-3",
        },
    )
    checks = {t.name: t for t in tuning.host_tuning(root)}
    assert all(checks[n].good for n in ("governor", "turbo", "smt", "isolated cpus"))
    assert "--cpus 2-3" in checks["isolated cpus"].detail


def test_a_vm_without_cpufreq_says_so(tmp_path):
    checks = {t.name: t for t in tuning.host_tuning(_tree(tmp_path, {"cpu0/online": "1"}))}
    assert checks["governor"].good and "no cpufreq" in checks["governor"].detail
    assert checks["turbo"].good and checks["smt"].good


def test_load_beyond_a_tenth_of_the_cpus_is_flagged(monkeypatch):
    monkeypatch.setattr(tuning.os, "getloadavg", lambda: (3.0, 2.0, 1.0))
    busy = tuning.load(ncpu=2)
    assert not busy.good and "3.00 on 2 CPUs" in busy.detail
    monkeypatch.setattr(tuning.os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    assert tuning.load(ncpu=2).good


def test_doctor_host_reports_tuning_as_advice_not_failure(monkeypatch):
    from benchctl.harness.devices import get_device
    from benchctl.harness.doctor import diagnose

    monkeypatch.setattr(tuning.os, "getloadavg", lambda: (50.0, 50.0, 50.0))
    report = diagnose(get_device("host"))
    load = next(c for c in report.checks if c.name == "load")
    assert load.advisory and not load.ok and load.fix
    assert report.ok  # advice never fails doctor
