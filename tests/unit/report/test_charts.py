"""Charts draw only finite numbers: NaN or infinity blanks a chart (and, in the PDF, the next
chart and the footer with it)."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
import pytest

from tracker.metrics.scorecard_view import MetricView
from tracker.report.charts import chart_summary, plotly_chart, svg_chart


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


# --- rebases and events on the charts -----------------------------------------------------------

HOSTILE_TEXT = 'Clinic <a href="https://x.example">opened</a> & <b>more</b>'


def _rebased_view() -> MetricView:
    """24 months rebased at the 13th, with two events (one with markup in its words)."""
    from tracker.metrics.scorecard_view import ChartNote
    from tracker.spc.xmr import spc

    periods = [dt.date(2022 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(24)]
    values = [10.0, 12.0] * 6 + [20.0, 22.0] * 6
    result = spc(periods, values, direction="increase", rebase=[dt.date(2023, 4, 1)])
    return MetricView(metric_id="m", name="M", org=None, unit="count", direction="higher_is_better",
                      is_example=False, method="spc", method_reason="", points=result.points,
                      rebases=[ChartNote(dt.date(2023, 4, 1), "New service")],
                      events=[ChartNote(dt.date(2022, 9, 1), HOSTILE_TEXT),
                              ChartNote(dt.date(2023, 4, 1), "Service opened")])


def test_the_dashboard_chart_marks_events_and_rebases_and_breaks_the_limits() -> None:
    figure = plotly_chart(_rebased_view())
    vertical = [s for s in figure.layout.shapes if s.x0 == s.x1]
    assert sorted(str(s.x0) for s in vertical) == ["2022-09-01", "2023-04-01", "2023-04-01"]
    notes = [str(a.text) for a in figure.layout.annotations]
    assert "1. Clinic &lt;a href=&quot;https://x.example&quot;&gt;op..." in notes  # cut at 40
    assert "2. Service opened" in notes and "Limits recalculated" in notes
    hover = [str(a.hovertext) for a in figure.layout.annotations]
    assert ("September 2022: Clinic &lt;a href=&quot;https://x.example&quot;&gt;opened&lt;/a&gt; "
            "&amp; &lt;b&gt;more&lt;/b&gt;") in hover and "New service" in hover
    assert not any("<a" in n or "<b>" in n for n in notes + hover)  # plotly would draw a link
    means = [t for t in figure.data if t.legendgroup == "mean"]
    assert [list(t.y) for t in means] == [[11.0] * 12, [21.0] * 12]  # no line from old to new
    assert [t.showlegend for t in means] == [True, False]


def test_the_report_chart_marks_events_and_rebases_and_breaks_the_limits() -> None:
    svg = svg_chart(_rebased_view())
    assert svg.count("stroke-dasharray=\"1,2\"") == 2 and "Limits recalculated" in svg
    assert "<title>September 2022: Clinic &lt;a href=&quot;https://x.example&quot;&gt;opened" in svg
    assert "<a " not in svg and "<b>" not in svg
    mean = next(p for p in re.findall(r'<path d="([^"]*)"[^>]*stroke="#231f20" stroke-width="1"/>', svg))
    assert mean.count("M") == 2  # the mean restarts at the rebase instead of joining old to new


def test_the_pack_lists_the_events_under_the_chart(shipped_copy, tmp_path) -> None:
    from tracker.db.serving import ensure_built
    from tracker.report.pack import build_report_data, render_html
    from tracker.status.quarters import parse_quarter

    path = shipped_copy.data_dir / "metrics" / "examples.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    target: {value: 66.7, due: 2023-09, set_by: NHS England (national ambition)}\n",
        "    target: {value: 66.7, due: 2023-09, set_by: NHS England (national ambition)}\n"
        "    rebase: [{period: 2023-07, reason: Memory service extended}]\n"
        "    events:\n"
        "      - {period: 2022-04, text: \"Coordinators <b>started</b> & trained\"}\n"
        "      - {period: 2025-01, text: After the quarter}\n", 1), encoding="utf-8")
    ensure_built(shipped_copy)
    data = build_report_data(shipped_copy, "sefton-plan-2023-25", parse_quarter("2023-24 Q4"))
    [row] = [m for m in data.scorecard if m["metric_id"] == "dementia-diagnosis-rate"]
    assert row["events"] == ["1. April 2022: Coordinators <b>started</b> & trained"]
    html = render_html(data)
    assert "<li>1. April 2022: Coordinators &lt;b&gt;started&lt;/b&gt; &amp; trained</li>" in html
    assert "After the quarter" not in html
    assert "Limits recalculated" in html and "July 2023 (Memory service extended)" in html


def test_the_chart_summary_says_what_the_chart_shows() -> None:
    """The text alternative of a chart: months, latest value, target and what it says."""
    view = _view([1.0, 2.0, 3.0, 2.0, 5.0], 4.0, spc=True)
    view.org, view.latest_value, view.latest_period = "Sefton", 5.0, dt.date(2023, 8, 1)
    view.variation_icon, view.assurance_icon = "improvement_high", "inconsistent"
    assert chart_summary(view) == (
        "Chart: M (Sefton): 5 points from Apr 2023 to Aug 2023, latest 5 (Aug 2023), target 4; "
        "special cause improving variation, high; the system may achieve or fail the target subject "
        "to random variation.")
    one = _view([7.0, math.nan, math.inf, math.nan, math.nan], math.inf, spc=False)
    assert chart_summary(one) == "Chart: M: 1 point from Apr 2023 to Apr 2023."
    assert chart_summary(_view([math.nan] * 5, None, spc=False)) == "Chart: M: no data to chart."


def test_the_report_chart_carries_its_summary_as_title_and_description() -> None:
    view = _view([1.0, 2.0, 3.0, 2.0, 5.0], 4.0, spc=False)
    svg = svg_chart(view)
    assert f'aria-label="{chart_summary(view)}"' in svg
    assert f"<desc>{chart_summary(view)}</desc>" in svg and "<title>M chart</title>" in svg
