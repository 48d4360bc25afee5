"""Scorecard: the headline metrics (and the detailed place scorecard) with SPC charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.charts import plotly_chart
from tracker.scorecard import MetricView
from ui.context import sidebar_context
from ui.data import query, views
from ui.tables import scorecard_table
from ui.widgets import csv_download, plain, run_safely


def _detail(view: MetricView, definitions: pd.DataFrame, context) -> None:
    orgs = query("metric_orgs", metric_id=view.metric_id)["org"].tolist()
    if len(orgs) > 1:
        org = st.selectbox("Organisation", orgs, index=orgs.index(view.org) if view.org in orgs else 0,
                           key=f"org_{view.metric_id}")
        if org != view.org:
            [view] = views(context.quarter.end_date, [view.metric_id], org)
    if view.is_example:
        st.warning("**Example data.** These figures are invented for demonstration; they are not "
                   "Sefton's.", icon="⚠️")
    st.plotly_chart(plotly_chart(view), width="stretch", key=f"chart_{view.metric_id}")
    st.markdown(plain(view.explanation))
    for sentence in view.flagged:
        st.markdown("- " + plain(sentence))
    definition = definitions.set_index("metric_id").loc[view.metric_id]
    st.caption(f"Source: {plain(definition['source_file'])}; defined in "
               f"{plain(definition['definition_path'])}"
               + (f"; owner: {plain(definition['owner'])}" if isinstance(definition["owner"], str) else ""))


def render() -> None:
    context = sidebar_context()
    st.title("Scorecard")
    headline_only = st.toggle("Headline metrics only (the balanced scorecard)", value=True,
                              key="headline_only")
    definitions = query("metric_definitions")
    ids = definitions[definitions["headline"]]["metric_id"].tolist() if headline_only else None
    metric_views = views(context.quarter.end_date, ids)
    st.caption(f"As at the end of {context.quarter}: data for periods up to "
               f"{context.quarter.end_date:%B %Y}. Variation and assurance follow NHS England's "
               "Making Data Count.")
    if any(v.is_example for v in metric_views):
        st.warning("**Example data.** Metrics marked *(example)* use invented figures shipped for "
                   "demonstration. They are not Sefton's performance.", icon="⚠️")
    if not metric_views:
        st.info("No metrics are defined yet: analysts add them in data/metrics/.")
        return
    table = scorecard_table(metric_views)
    st.dataframe(table.drop(columns=["id"]), hide_index=True, width="stretch")
    csv_download("Download the scorecard (CSV)", table.drop(columns=["id"]),
                 f"scorecard-{context.quarter}.csv".replace(" ", "-"))
    names = {v.metric_id: v.name for v in metric_views}
    chosen = st.selectbox("Show the chart for", list(names), format_func=names.get, index=None,
                          placeholder="Choose a metric", key="chart_metric")
    if chosen:
        _detail(next(v for v in metric_views if v.metric_id == chosen), definitions, context)


run_safely(render)()
