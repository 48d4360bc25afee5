"""Charts draw only finite numbers: NaN or infinity blanks a chart (and, in the PDF, the next
chart and the footer with it)."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
import pytest

from tracker.charts import chart_summary, plotly_chart, svg_chart
from tracker.scorecard import MetricView


def _view(values: list[float], target: float | None, spc: bool) -> MetricView:
    periods = [dt.date(2023, 4 + i, 1) for i in range(len(values))]
    points = pd.DataFrame({"period": pd.to_datetime(periods), "value": values})
    if spc:
        points["mean"] = [2.0, math.nan, 2.0, 2.0, 2.0]
        points["lpl"] = [0.0, 0.0, -math.inf, 0.0, 0.0]
        points["upl"] = [4.0, 4.0, 4.0, math.inf, 4.0]
        points["point_type"] = "common_cause"
    return MetricView(metric_id="m", name="M", org=None, unit="count", direction="neutral",
                      is_example=False, method="spc" if spc else "run_chart", method_reason="",
                      points=points, target=target)


HOSTILE = [
    ([1.0, 2.0, 3.0, 2.0, 1.0], math.inf),  # `target: {value: .inf}` wrote `nan` into the PDF
    ([1.0, math.nan, 3.0, math.inf, 1.0], None),
    ([1.0, 2.0, 3.0, 2.0, 1.0], math.nan),
]


@pytest.mark.hostile
@pytest.mark.parametrize("spc", [True, False])
@pytest.mark.parametrize(("values", "target"), HOSTILE)
def test_the_report_chart_never_draws_nan_or_infinity(values: list[float], target: float | None,
                                                      spc: bool) -> None:
    svg = svg_chart(_view(values, target, spc))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    numbers = re.findall(r'(?:d|points|x1|x2|y1|y2|cx|cy|x|y)="([^"]*)"', svg)
    assert numbers and not any(re.search(r"nan|inf", n, re.I) for n in numbers), svg
    assert svg.count("<path") >= 1


@pytest.mark.hostile
@pytest.mark.parametrize("spc", [True, False])
@pytest.mark.parametrize(("values", "target"), HOSTILE)
def test_the_dashboard_chart_never_receives_nan_or_infinity(values: list[float], target: float | None,
                                                            spc: bool) -> None:
    figure = plotly_chart(_view(values, target, spc))
    drawn = [y for trace in figure.data for y in (trace.y if trace.y is not None else [])]
    drawn += [shape[end] for shape in figure.layout.shapes for end in ("y0", "y1")]
    assert drawn and all(y is None or math.isfinite(y) for y in drawn), drawn
    assert not any("Target" in str(note.text) for note in figure.layout.annotations)


@pytest.mark.hostile
def test_a_chart_with_no_finite_number_is_no_chart() -> None:
    assert svg_chart(_view([math.nan, math.inf], None, spc=False)) == ""


@pytest.mark.hostile
def test_numbers_at_the_limits_of_floating_point_draw_no_broken_chart() -> None:
    svg = svg_chart(_view([1.7e308, -1.7e308, 1.0, 1.0, 1.0], None, spc=False))
    assert "nan" not in svg and "inf" not in svg


def test_the_chart_summary_says_what_the_chart_shows() -> None:
    """The text alternative of a chart: months, latest value, target and what it says."""
    view = _view([1.0, 2.0, 3.0, 2.0, 5.0], 4.0, spc=True)
    view.org, view.latest_value, view.latest_period = "Sefton", 5.0, dt.date(2023, 8, 1)
    view.variation_icon, view.assurance_icon = "improvement_high", "inconsistent"
    assert chart_summary(view) == (
        "Chart: M (Sefton): 5 points from Apr 2023 to Aug 2023, latest 5 (Aug 2023), target 4; "
        "special cause: improving (higher); hit and miss: may or may not meet the target.")
    one = _view([7.0, math.nan, math.inf, math.nan, math.nan], math.inf, spc=False)
    assert chart_summary(one) == "Chart: M: 1 point from Apr 2023 to Apr 2023."
    assert chart_summary(_view([math.nan] * 5, None, spc=False)) == "Chart: M: no data to chart."


def test_the_report_chart_carries_its_summary_as_title_and_description() -> None:
    view = _view([1.0, 2.0, 3.0, 2.0, 5.0], 4.0, spc=False)
    svg = svg_chart(view)
    assert f'aria-label="{chart_summary(view)}"' in svg
    assert f"<desc>{chart_summary(view)}</desc>" in svg and "<title>M chart</title>" in svg
