"""Objectives: every objective of the plans, filterable, with its latest status."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.rag import STATUS_STYLES
from ui.context import sidebar_context
from ui.data import query
from ui.widgets import example_banner, rag_column, run_safely

STATUS_ORDER = ["red", "amber", "green", "blue", "not_reported"]


def _filters(frame: pd.DataFrame) -> pd.DataFrame:
    col1, col2, col3 = st.columns(3)
    groups = col1.multiselect("Group", sorted(frame["group_name"].unique()), key="f_group")
    if groups:
        frame = frame[frame["group_name"].isin(groups)]
    areas = col2.multiselect("Area", sorted(frame["area_name"].unique()), key="f_area")
    if areas:
        frame = frame[frame["area_name"].isin(areas)]
    statuses = col3.multiselect(
        "Latest status", STATUS_ORDER, key="f_status",
        format_func=lambda s: STATUS_STYLES[s].label,
    )
    if statuses:
        frame = frame[frame["latest_rag"].isin(statuses)]
    col4, col5 = st.columns([1, 2])
    no_date = col4.checkbox("Only objectives with no target date", key="f_nodate")
    if no_date:
        frame = frame[frame["target_month"].isna()]
    text = col5.text_input("Search the objective text", key="f_text").strip()
    if text:
        haystack = frame["objective"] + " " + frame["objective_id"]
        frame = frame[haystack.str.contains(text, case=False, regex=False)]
    return frame


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "ID": frame["objective_id"],
        "Plan": frame["plan_name"],
        "Group": frame["group_name"],
        "Area": frame["area_name"],
        "Objective": frame["objective"],
        "Target date": pd.to_datetime(frame["target_month"]).dt.strftime("%b %Y").fillna("No date set"),
        "Latest status": rag_column(frame),
        "Reported in": frame["latest_quarter"].fillna("—"),
    })


def render() -> None:
    context = sidebar_context()
    st.title("Objectives")
    frame = query("objectives_table", as_at=context.quarter.end_date)
    if context.plan_id:
        frame = frame[frame["plan_id"] == context.plan_id]
    st.caption(f"{context.plan_name}, as at the end of {context.quarter}.")
    shown = _filters(frame)
    example_banner(bool(shown["is_example"].any()))
    st.write(f"**{len(shown)}** of {len(frame)} objectives shown.")
    table = _table(shown)
    st.dataframe(table, hide_index=True, width="stretch")
    st.download_button(
        "Download this table (CSV)", table.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"objectives-{context.quarter}.csv".replace(" ", "-"), mime="text/csv",
    )


run_safely(render)()
