"""The detector's parameters, their defaults and where each default comes from, plus the optional
config file (`.benchctl/regress.toml`) with per-series overrides and curation.

Curation lives here, in a file the team reviews, not in the results tables (results are never
edited): `begins_segment` starts a series' baseline afresh at a run (a change that was accepted),
`exclude` keeps a run out of every baseline (a night known to be broken).

    [detector]                 # every key optional; defaults below
    rel_threshold = 0.05
    [[override]]               # applied in file order to series whose description matches
    match = "mobilevit.*host"  # a regular expression, searched in the series description
    rel_threshold = 0.15
    [[begins_segment]]
    run = "3f2a9c"             # a run id or a unique prefix
    reason = "new OS image on the lab phones"
    [[exclude]]
    run = "77be01"
    reason = "device was charging"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from benchctl.errors import ConfigError
from benchctl.harness.gating import DRIFT_THRESHOLD
from benchctl.runner.contention import DEFAULT_THRESHOLDS as CONTENTION

CONFIG_FILE = "regress.toml"


@dataclass(frozen=True)
class DetectorSettings:
    """Every threshold the validity gate, the screen and the change-point pass use."""

    # Stage 0, validity gate (anchors_regression.md §3.4; starting heuristics, per device class).
    max_drift: float = DRIFT_THRESHOLD  # median(last 10 %) / median(first 10 %) − 1
    drift_fraction: float = 0.10
    min_drift_samples: int = 20  # fewer samples: drift not checked
    max_temp_c: float | None = None  # device temperature at the start; None: not gated
    max_thermal_level: int = 1  # 0 nominal/none, 1 fair/light, 2 serious/moderate, 3 severe…
    # Contention in the timed loop (runner/contention.py; chosen by scripts/noise_quality.py).
    max_others_share: float = CONTENTION["max_others_share"]
    max_others_share_window: float = CONTENTION["max_others_share_window"]
    max_run_delay_share: float = CONTENTION["max_run_delay_share"]
    # Stage 1, screen against the series' recent history (conbench z, asv/IREE 5 %, LNT floor).
    window: int = 30  # baseline: at most this many valid results, newest first
    min_history: int = 10  # fewer valid results before the new one: insufficient_data
    z_threshold: float = 5.0
    rel_threshold: float = 0.05
    abs_floor_ms: float = 0.05  # never report a change smaller than this (nor 2× the timer)
    scale_floor: float = 0.005  # noise scale ≥ this fraction of the baseline level
    # Stage 3, change points (Hunter/Otava significance and merge rule on a ruptures PELT fit).
    max_points: int = 200
    min_segment: int = 3
    max_pvalue: float = 0.001
    penalty: float = 3.0  # PELT penalty = penalty × σ² × ln(n), σ from first differences

    def abs_floor_ns(self, timer_floor_ns: float = 0.0) -> float:
        return max(self.abs_floor_ms * 1e6, 2.0 * timer_floor_ns)


_NUMERIC = {f.name for f in fields(DetectorSettings)}


@dataclass(frozen=True)
class Override:
    match: str
    pattern: re.Pattern[str]
    values: dict[str, Any]


@dataclass(frozen=True)
class RunNote:
    run: str  # run id or prefix
    reason: str


@dataclass(frozen=True)
class RegressConfig:
    """Defaults, per-series overrides and curation, as read from the config file."""

    defaults: DetectorSettings = field(default_factory=DetectorSettings)
    overrides: tuple[Override, ...] = ()
    begins_segment: tuple[RunNote, ...] = ()
    exclude: tuple[RunNote, ...] = ()
    source: str | None = None  # the file it came from

    def for_series(self, description: str) -> DetectorSettings:
        settings = self.defaults
        for ov in self.overrides:
            if ov.pattern.search(description):
                settings = replace(settings, **ov.values)
        return settings

    def with_defaults(self, **values: Any) -> RegressConfig:
        """A copy whose defaults (not overrides) take these values (command-line options)."""
        given = {k: v for k, v in values.items() if v is not None}
        return replace(self, defaults=_checked_settings(self.defaults, given, "option"))


def _checked_settings(
    base: DetectorSettings, values: dict[str, Any], where: str
) -> DetectorSettings:
    for key, value in values.items():
        if key not in _NUMERIC:
            raise ConfigError(
                f"{where}: unknown detector setting {key!r}; known: {', '.join(sorted(_NUMERIC))}"
            )
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ConfigError(f"{where}: {key} must be a number, got {value!r}")
        if value is not None and value < 0:
            raise ConfigError(f"{where}: {key} must be ≥ 0, got {value}")
    merged = replace(base, **values)
    if merged.min_segment < 1 or merged.window < 1 or merged.min_history < 1:
        raise ConfigError(f"{where}: window, min_history and min_segment must be ≥ 1")
    if not 0 < merged.drift_fraction <= 0.5:
        raise ConfigError(
            f"{where}: drift_fraction must be in (0, 0.5], got {merged.drift_fraction}"
        )
    return merged


def _notes(doc: dict[str, Any], key: str, path: Path) -> tuple[RunNote, ...]:
    out = []
    for i, item in enumerate(doc.get(key, [])):
        if not isinstance(item, dict) or not isinstance(item.get("run"), str) or not item["run"]:
            raise ConfigError(f'{path}: [[{key}]] entry {i + 1} needs run = "<run id>"')
        if not re.fullmatch(r"[0-9a-f]{4,32}", item["run"]):
            raise ConfigError(f"{path}: [[{key}]] run {item['run']!r} is not a run id (hex, ≥ 4)")
        out.append(RunNote(item["run"], str(item.get("reason", ""))))
    return tuple(out)


def load_config(path: Path | None = None) -> RegressConfig:
    """The config at `path`, else `<BENCHCTL_HOME>/regress.toml` if it exists, else defaults."""
    from benchctl import config

    explicit = path is not None
    path = path or config.home() / CONFIG_FILE
    if not path.is_file():
        if explicit:
            raise ConfigError(f"no detector config at {path}")
        return RegressConfig()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read detector config {path}: {exc}") from exc
    unknown = set(doc) - {"detector", "override", "begins_segment", "exclude"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
            "known: detector, override, begins_segment, exclude"
        )
    defaults = _checked_settings(DetectorSettings(), dict(doc.get("detector", {})), str(path))
    overrides = []
    for i, item in enumerate(doc.get("override", [])):
        values = dict(item)
        match = values.pop("match", None)
        if not isinstance(match, str) or not match:
            raise ConfigError(f'{path}: [[override]] entry {i + 1} needs match = "<regex>"')
        try:
            pattern = re.compile(match)
        except re.error as exc:
            raise ConfigError(
                f"{path}: [[override]] match {match!r} is not a regex: {exc}"
            ) from exc
        _checked_settings(defaults, values, f"{path} [[override]] {match!r}")
        overrides.append(Override(match, pattern, values))
    return RegressConfig(
        defaults=defaults,
        overrides=tuple(overrides),
        begins_segment=_notes(doc, "begins_segment", path),
        exclude=_notes(doc, "exclude", path),
        source=str(path),
    )
