"""Regression detection over the results database (anchors_regression.md §3.4):

validity gate (`validity`) → screen of each series' newest result against its recent history
(`screen`) → environment-shift labelling (same versions under test, different level) → change
points over each series' history, attributed to the versions that changed (`changepoint`,
`nightly`). The interleaved A/B confirmation on a device lives in `benchctl.harness.confirm`.
"""

from __future__ import annotations

from benchctl.results.regress.changepoint import Split, change_points
from benchctl.results.regress.history import Point, Series, load_series
from benchctl.results.regress.nightly import ChangeReport, NightlyReport, SeriesReport, nightly
from benchctl.results.regress.screen import LABELS, Screening, screen
from benchctl.results.regress.settings import DetectorSettings, RegressConfig, load_config
from benchctl.results.regress.validity import Validity, check_validity

__all__ = [
    "LABELS",
    "ChangeReport",
    "DetectorSettings",
    "NightlyReport",
    "Point",
    "RegressConfig",
    "Screening",
    "Series",
    "SeriesReport",
    "Split",
    "Validity",
    "change_points",
    "check_validity",
    "load_config",
    "load_series",
    "nightly",
    "screen",
]
