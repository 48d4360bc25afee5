"""A pooled period on a chart is named as published (#15): "2019 - 21", though stored at 2021."""

from __future__ import annotations

import pandas as pd

from tracker.metrics.scorecard import evaluate
from tracker.report.charts import chart_summary, plotly_chart, svg_chart


def test_charts_name_a_pooled_period_as_published() -> None:
    """The chart's hover text, its axis labels and its text alternative say "2019 - 21"."""
    definition = {"metric_id": "m", "name": "M", "unit": "rate", "direction": "lower_is_better",
                  "frequency": "annual", "is_example": False, "target_value": None}
    series = pd.DataFrame({"period": pd.to_datetime(["2020-01-01", "2021-01-01"]), "value": [1.0, 2.0],
                           "period_label": ["2018 - 20", "2019 - 21"]})
    view = evaluate(definition, series, pd.DataFrame(columns=["period", "value"]), [], "Sefton")
    hovers = [list(trace.customdata) for trace in plotly_chart(view).data if trace.customdata is not None]
    assert hovers == [["2018 - 20", "2019 - 21"]]
    assert ">2018 - 20</text>" in svg_chart(view) and ">2019 - 21</text>" in svg_chart(view)
    assert "2 points from 2018 - 20 to 2019 - 21, latest 2.00 (2019 - 21)" in chart_summary(view)
