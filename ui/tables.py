"""Tables shared by several pages (formatting only)."""

from __future__ import annotations

import pandas as pd

from tracker.metrics.scorecard_view import MetricView
from tracker.metrics.scorecard_words import benchmark_label, format_value, latest_label
from tracker.status.rag import NOT_JUDGED, TRAVEL_WORDS
from tracker.status.rag import TARGET_WORDS as RAG_WORDS  # one wording, shared with the pack

METHOD_WORDS = {"spc": "SPC chart", "run_chart": "Run chart", "target_only": "Target only",
                "no_data": "No data"}


def scorecard_table(metric_views: list[MetricView]) -> pd.DataFrame:
    return pd.DataFrame({
        "Metric": [v.name + (" (example)" if v.is_example else "") for v in metric_views],
        "Organisation": [v.org or "—" for v in metric_views],
        "Latest": [latest_label(v) for v in metric_views],
        "Target": [format_value(v.target, v.unit) for v in metric_views],
        "Against target": [NOT_JUDGED if v.is_stale else RAG_WORDS[v.rag] for v in metric_views],
        "Since last period": [TRAVEL_WORDS[v.vs_previous] for v in metric_views],
        "Since last year": [TRAVEL_WORDS[v.vs_last_year] for v in metric_views],
        "Variation": [v.variation_label for v in metric_views],
        "Assurance": [v.assurance_label for v in metric_views],
        "Benchmark": [benchmark_label(v) for v in metric_views],
        "Shown as": [METHOD_WORDS[v.method] for v in metric_views],
        "id": [v.metric_id for v in metric_views],
    })
