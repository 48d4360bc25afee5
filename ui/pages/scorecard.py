"""Scorecard: the headline metrics (and the detailed place scorecard) with SPC charts."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from tracker.metrics.scorecard_view import MetricView
from tracker.report.charts import chart_summary, event_lines, plotly_chart
from tracker.report.ipr import icons_html, summary_rows, summary_table_html
from tracker.spc.icons import icon_key_html
from ui.context import sidebar_context
from ui.data import get_project, query, views
from ui.icons import ipr_styles, our_html
from ui.tables import scorecard_table
from ui.widgets import csv_download, metric_reading, plain, run_safely


def _detail(view: MetricView, definitions: pd.DataFrame, context, key: str) -> None:
    orgs = query("metrics/metric_orgs", metric_id=view.metric_id,
                 place_orgs=list(get_project().settings["place_orgs"]))
    if len(orgs) > 1:
        place = dict(zip(orgs["org"], orgs["is_place"], strict=True))
        names = list(place)
        org = st.selectbox("Organisation", names,
                           index=names.index(view.org) if view.org in names else 0,
                           format_func=lambda o: f"{o} (the place's)" if place[o] else o,
                           key=f"org_{key}")
        if org != view.org:
            [view] = views(context.quarter.end_date, [view.metric_id], org)
    if view.is_stale:
        st.warning(f"**No recent data.** The latest {plain(view.name)} figure for {plain(view.org)} is for "
                   f"{view.latest_period:%B %Y}: it is not the current position.", icon=":material/schedule:")
    if view.is_example:
        st.warning("**Example data.** These figures are invented for demonstration; they are not "
                   "Sefton's.", icon=":material/warning:")
    if icons_html(view):
        our_html(icons_html(view))
    st.plotly_chart(plotly_chart(view), width="stretch", key=f"chart_{view.metric_id}")
    st.caption(plain(chart_summary(view)))  # the chart's text alternative
    if view.events:
        st.markdown("**Events marked on the chart**  \n"
                    + "  \n".join(plain(line) for line in event_lines(view)))
    metric_reading(view)
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
    definitions = query("metrics/metric_definitions")
    ids = definitions[definitions["headline"]]["metric_id"].tolist() if headline_only else None
    metric_views = views(context.quarter.end_date, ids)
    st.caption(f"As at the end of {context.quarter}: data for periods up to "
               f"{context.quarter.end_date:%B %Y}. Variation and assurance follow NHS England's "
               "Making Data Count.")
    if any(v.is_example for v in metric_views):
        st.warning("**Example data.** Metrics marked *(example)* use invented figures shipped for "
                   "demonstration. They are not Sefton's performance.", icon=":material/warning:")
    if not metric_views:
        st.info("No metrics are defined yet: analysts add them in data/metrics/.")
        return
    choices = chart_choices(metric_views)
    caption = (("Headline metrics" if headline_only else "All metrics")
               + f": Integrated Performance Report summary, as at the end of {context.quarter}")
    ipr_styles()
    our_html(summary_table_html(summary_rows(metric_views, list(choices)), caption))
    st.caption("To open a measure's chart and its explanation in plain words, choose it under "
               "**Show the chart for** below.")
    with st.expander("Icon key: how to read the variation and assurance icons"):
        our_html(icon_key_html())
    table = scorecard_table(metric_views)
    csv_download("Download the scorecard (CSV)", table.drop(columns=["id"]),
                 f"scorecard-{context.quarter}.csv".replace(" ", "-"))
    chosen = st.selectbox("Show the chart for", list(choices),
                          format_func=lambda k: choices[k][0], index=None,
                          placeholder="Choose a measure", key="chart_metric")
    if chosen:
        _detail(choices[chosen][1], definitions, context, chosen)


def chart_choices(metric_views: list[MetricView]) -> dict[str, tuple[str, MetricView]]:
    """Each row of the scorecard as a choice: the metric's id, or `id@org` for a metric shown
    for several organisations, with its label."""
    counts = Counter(v.metric_id for v in metric_views)
    return {(v.metric_id if counts[v.metric_id] == 1 else f"{v.metric_id}@{v.org}"):
            (v.name + (f" · {v.org}" if counts[v.metric_id] > 1 else ""), v)
            for v in metric_views}

run_safely(render)()
