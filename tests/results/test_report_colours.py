"""The HTML report's colours tell apart what they name (probe item 30): failed vs invalid badges,
change points vs environment shift, and the series plots carry a legend and axis labels."""

from __future__ import annotations

from benchctl.results.plot import LABEL_COLOURS, SPARKLINE_LEGEND


def test_badges_that_mean_different_things_have_different_colours():
    assert LABEL_COLOURS["failed"] != LABEL_COLOURS["invalid"]
    assert LABEL_COLOURS["change_points"] != LABEL_COLOURS["environment_shift"]
    assert len(set(LABEL_COLOURS.values())) == len(LABEL_COLOURS)  # every label its own


def test_the_legend_names_every_mark_of_a_series_plot():
    marks = {text for text, _, _ in SPARKLINE_LEGEND}
    assert {"valid medians", "invalid run", "change point", "baseline ± threshold"} <= marks
