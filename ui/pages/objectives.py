"""Objectives: every objective of the plans, filterable, with its status as at the quarter.

The status is the status engine's (`tracker.status.objectives.objective_status`), the same the
overview, the pack and `status` show, marked when it comes from an example update.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from tracker.access.audit import history
from tracker.metrics.scorecard_words import latest_label
from tracker.report.charts import chart_summary, plotly_chart, plotly_text
from tracker.report.ipr import icons_html
from tracker.spc.icons import icon_key_html
from tracker.status.rag import DERIVED_LABELS, REPORTED_STATUSES, STATUS_STYLES, reported_label
from ui.context import sidebar_context
from ui.data import get_project, objective_status, query, views
from ui.icons import ipr_styles, our_html
from ui.widgets import csv_download, example_banner, metric_reading, plain, rag_column, run_safely

NO_LEAD = "No lead named"
OVERDUE = "overdue"  # offered beside the reported statuses: "red or overdue" is one choice


def status_word(choice: str) -> str:
    return "⚑ Overdue" if choice == OVERDUE else STATUS_STYLES[choice].label


def picker_label(objective_id: str, words: str) -> str:
    """An objective as the picker shows it: its id and the start of its words."""
    words = " ".join(str(words).split())
    return f"{objective_id}: {words[:80]}" + ("…" if len(words) > 80 else "")


def _sidebar_from_link() -> None:
    """A link from the overview's area table (`?area=<id>&quarter=..&plan=..`) opens a new
    tab, which has no memory of the sidebar: the link's quarter and plan become its choices."""
    params = st.query_params
    for name in ("quarter", "plan"):
        if name in params:
            st.session_state[f"kept_{name}"] = params[name]
            del params[name]


def _area_from_link(frame: pd.DataFrame) -> None:
    """The link's area becomes the area filter, once: it then leaves the address, so later
    choices are the user's own."""
    if "area" in st.query_params:
        area = st.query_params["area"]
        st.session_state["f_area"] = sorted(frame.loc[frame["area_id"] == area, "area_name"].unique())
        st.session_state["f_group"] = []
        del st.query_params["area"]


def _filters(frame: pd.DataFrame) -> pd.DataFrame:
    # Bounds from the whole list, so narrowing another filter never moves them.
    dated = frame["target_month"].dropna()
    col1, col2, col3 = st.columns(3)
    groups = col1.multiselect("Group", sorted(frame["group_name"].unique()), key="f_group")
    if groups:
        frame = frame[frame["group_name"].isin(groups)]
    areas = col2.multiselect("Area", sorted(frame["area_name"].unique()), key="f_area")
    if areas:
        frame = frame[frame["area_name"].isin(areas)]
    statuses = col3.multiselect(
        "Reported status or overdue (any of them)", [*REPORTED_STATUSES, OVERDUE], key="f_status",
        format_func=status_word,
    )
    if statuses:
        frame = frame[frame["reported_rag"].isin(statuses)
                      | (frame["overdue"].astype(bool) & (OVERDUE in statuses))]
    col4, col5, col6 = st.columns(3)
    leads = sorted(frame["lead"].dropna().unique())
    chosen_leads = col4.multiselect("Lead", [*leads, NO_LEAD], key="f_lead")
    if chosen_leads:
        frame = frame[frame["lead"].fillna(NO_LEAD).isin(chosen_leads)]
    if not dated.empty:
        first, last = pd.Timestamp(dated.min()).date(), pd.Timestamp(dated.max()).date()
        span = col5.date_input("Target date between", value=(first, last), min_value=first,
                               max_value=last, key="f_dates", format="DD/MM/YYYY")
        if isinstance(span, tuple | list) and len(span) == 2 and tuple(span) != (first, last):
            months = pd.to_datetime(frame["target_month"])
            frame = frame[months.between(pd.Timestamp(span[0]), pd.Timestamp(span[1]))]
    text = col6.text_input("Search the objective text", key="f_text").strip()
    if text:
        haystack = frame["objective"] + " " + frame["objective_id"]
        frame = frame[haystack.str.contains(text, case=False, regex=False)]
    if st.checkbox("Only objectives with no target date", key="f_nodate"):
        frame = frame[frame["target_month"].isna()]
    return frame


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "ID": frame["objective_id"],
        "Plan": frame["plan_name"],
        "Group": frame["group_name"],
        "Area": frame["area_name"],
        "Objective": frame["objective"],
        "Target date": pd.to_datetime(frame["target_month"]).dt.strftime("%b %Y").fillna("No date set"),
        "Reported": [reported_label(r, e) for r, e in
                     zip(frame["reported_rag"], frame["reported_is_example"], strict=True)],
        "Evidence": frame["derived_status"].map(DERIVED_LABELS),
        "Reported in": frame["reported_quarter"].fillna("—"),
        "Last update": [q + (" (example)" if e else "") if isinstance(q, str) else "—"
                        for q, e in zip(frame["latest_quarter"], frame["latest_is_example"],
                                        strict=True)],
    })


def _detail(objective_id: str, context) -> None:
    detail = query("plans/objective_detail", objective_id=objective_id).iloc[0]
    lists = query("plans/objective_lists", objective_id=objective_id)
    status = objective_status(context.quarter, detail["plan_id"])
    now = status.set_index("id").loc[objective_id]
    st.header(f"{objective_id}: {plain(detail['area_name'])}")
    st.caption(" › ".join(plain(detail[name]) for name in ("plan_name", "group_name", "area_name")))
    st.markdown(plain(detail["objective"]))
    left, right = st.columns(2)
    with left:
        st.markdown("**Impacts**")
        for impact in lists[lists["kind"] == "impact"]["text"]:
            st.markdown("- " + plain(impact))
        actions = lists[lists["kind"] == "action"]["text"]
        if not actions.empty:
            st.markdown("**Actions**")
            for action in actions:
                st.markdown("- " + plain(action))
    with right:
        st.markdown(f"**Timeframe:** {plain(detail['timeframe'])}")
        target = detail["target_month"]
        st.markdown(f"**Target date:** {target:%B %Y}" if pd.notna(target) else "**Target date:** none set")
        if isinstance(detail["lead"], str):
            st.markdown(f"**Lead:** {plain(detail['lead'])}")
        label = reported_label(now["reported_rag"], bool(now["reported_is_example"]))
        source = (f" (reported in {now['reported_quarter']})"
                  if isinstance(now["reported_quarter"], str)
                  and now["reported_quarter"] != str(context.quarter) else "")
        st.markdown(f"**Reported for {context.quarter}:** {label}{source}")
        st.markdown(f"**Evidence:** {DERIVED_LABELS[now['derived_status']]}"
                    + (" — ⚠ the reported status is rosier than this" if now["rosier_than_evidence"] else ""))
        for reason in now["reasons"]:
            st.markdown("- " + plain(reason))
    _timeline(objective_id)
    _linked_metrics(list(now["metrics"]), context)
    updates = query("plans/objective_updates", objective_id=objective_id, as_at=context.quarter.end_date)
    st.subheader("Quarterly updates")
    if updates.empty:
        st.write("No updates yet.")
    else:
        example_banner(bool(updates["is_example"].any()))
        st.dataframe(pd.DataFrame({
            "Quarter": updates["quarter"],
            "Status": rag_column(updates, status="rag"),
            "Commentary": updates["commentary"],
            "Mitigations": updates["mitigations"].fillna(""),
            "By": updates["updated_by"].fillna(""),
            "Signed off by": updates["signed_off_by"],
        }), hide_index=True, width="stretch")
    _history(objective_id)


def _history(objective_id: str) -> None:
    """Every recorded change to the objective (data/audit), newest first."""
    changes = history(get_project(), objective_id)
    if not changes:
        return
    st.markdown("**History of changes**")
    what = {"update": "Update", "replace": "Replaced the update", "signoff": "Sign-off",
            "new-objective": "Added the objective"}
    st.dataframe(pd.DataFrame({
        "When (UTC)": [e.get("at", "")[:16].replace("T", " ") for e in changes],
        "Who": [e.get("name", e.get("by", "")) for e in changes],
        "What": [what.get(e.get("action", ""), e.get("action", "")) for e in changes],
        "Quarter": [e.get("quarter", "") for e in changes],
        "Note": [e.get("reason") or (f"for {e['org']}" if e.get("org") else "") for e in changes],
        "Replaced text": [e.get("old", "") for e in changes],
    }).iloc[::-1], hide_index=True, width="stretch")


def _linked_metrics(metric_ids: list[str], context) -> None:
    if not metric_ids:
        return
    st.subheader("Linked metrics")
    for view in views(context.quarter.end_date, metric_ids):
        label = view.name + (" (example data)" if view.is_example else "") + (
            f" · {view.org}" if view.org else "")
        with st.expander(f"{plain(label)}: {latest_label(view)} · {view.variation_label}"):
            if icons_html(view):
                our_html(icons_html(view))
            st.plotly_chart(plotly_chart(view), width="stretch",
                            key=f"linked_{view.metric_id}_{view.org}")
            st.caption(plain(chart_summary(view)))  # the chart's text alternative
            metric_reading(view)
    with st.expander("Icon key: how to read the variation and assurance icons"):
        ipr_styles()
        our_html(icon_key_html())


def timeline_axis(months: pd.Series) -> dict[str, object]:
    """A date axis labelled in months, padded by a month either side, its ticks whole
    months (monthly over a year or less, quarterly up to three years, then yearly)."""
    first, last = months.min(), months.max()
    span = (last.year - first.year) * 12 + last.month - first.month + 2
    return {"type": "date", "tickformat": "%b %Y",
            "dtick": "M1" if span <= 12 else "M3" if span <= 36 else "M12",
            "range": [(first - pd.DateOffset(months=1)).strftime("%Y-%m-%d"),
                      (last + pd.DateOffset(months=1)).strftime("%Y-%m-%d")]}


def timeline_summary(timeline: pd.DataFrame) -> str:
    """The milestone chart in words, for those who cannot see it."""
    parts = [f"Target {r.due_month:%B %Y}: {r.what}: {r.value:g}{'%' if r.unit == 'percent' else ''}"
             if r.kind == "target" else f"Milestone {r.due_month:%B %Y}: {r.what}"
             for r in timeline.itertuples()]
    return plain("Chart: " + "; ".join(parts) + ".")


def _timeline(objective_id: str) -> None:
    timeline = query("plans/objective_timeline", objective_id=objective_id)
    if timeline.empty:
        return
    st.subheader("Milestones and targets")
    labels = timeline.apply(  # milestone and target words come from the plan files
        lambda r: plotly_text(f"{r['what']}: {r['value']:g}{'%' if r['unit'] == 'percent' else ''}"
                              if r["kind"] == "target" else r["what"]), axis=1)
    months = pd.to_datetime(timeline["due_month"])
    figure = px.scatter(
        x=months, y=timeline["kind"].str.capitalize(),
        text=labels, symbol=timeline["kind"], symbol_map={"milestone": "diamond", "target": "star"},
    )
    figure.update_traces(textposition="top center", marker_size=14, showlegend=False)
    figure.update_layout(height=220, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         xaxis_title=None, yaxis_title=None)
    # Months whatever the number of points: one milestone alone gave an axis in milliseconds.
    figure.update_xaxes(**timeline_axis(months))
    st.plotly_chart(figure, width="stretch")
    st.caption(timeline_summary(timeline))


def render() -> None:
    _sidebar_from_link()
    context = sidebar_context()
    st.title("Objectives")
    frame = query("plans/objectives_table", as_at=context.quarter.end_date)
    if context.plan_id:
        frame = frame[frame["plan_id"] == context.plan_id]
    status = objective_status(context.quarter, context.plan_id)
    status = status[["id", "reported_rag", "reported_is_example", "reported_quarter",
                     "derived_status", "overdue", "area_id"]].rename(columns={"id": "objective_id"})
    frame = (frame.rename(columns={"is_example": "latest_is_example"})
             .merge(status, on="objective_id", how="inner"))
    st.caption(f"{plain(context.plan_name)}, as at the end of {context.quarter}.")
    _area_from_link(frame)
    shown = _filters(frame)
    example_banner(bool(shown["reported_is_example"].any()))
    st.write(f"**{len(shown)}** of {len(frame)} objectives shown.")
    table = _table(shown)
    st.dataframe(table, hide_index=True, width="stretch")
    csv_download("Download this table (CSV)", table,
                 f"objectives-{context.quarter}.csv".replace(" ", "-"))
    if not shown.empty:
        words = dict(zip(shown["objective_id"], shown["objective"], strict=True))
        chosen = st.selectbox("Open an objective", list(words), key="detail",
                              format_func=lambda i: picker_label(i, words[i]),
                              index=None, placeholder="Choose an objective to see its detail")
        if chosen:
            _detail(chosen, context)


run_safely(render)()
