"""Data quality: what is wrong with the sources, so leads and analysts can fix it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.metrics.scorecard import freshness_parameters
from ui.context import sidebar_context
from ui.data import get_project, objective_status, query
from ui.widgets import csv_download, run_safely, show_table


def _problems() -> None:
    st.header("Problems in the plan and metric files")
    problems = query("plans/problems")
    if problems.empty:
        st.success("No problems found in the plan and metric files at the last build.",
                   icon=":material/check_circle:")
        return
    st.error(f"{len(problems)} problem(s) in the source files. Each names the file and line.")
    show_table(problems.rename(columns=str.capitalize), "source-problems.csv")


def _extracts() -> None:
    st.header("Extracts")
    files = query("metrics/extract_files")
    if files.empty:
        st.info("No extracts are defined.")
        return
    unreadable = files[~files["status"].isin(["loaded", "nothing loaded"])]
    if not unreadable.empty:
        st.error(f"{len(unreadable)} extract(s) could not be loaded: see the message column.")
    empty = files[files["status"] == "nothing loaded"]
    if not empty.empty:
        st.error(f"{len(empty)} metric(s) loaded nothing from an extract that has rows: "
                 f"{', '.join(empty['metric_id'])}. Their rejected rows below say why.")
    show_table(files.rename(columns=lambda c: c.replace("_", " ").capitalize()), "extracts.csv")
    rejects = query("metrics/extract_rejects")
    st.markdown(f"**{len(rejects)}** rejected row(s). Each was read and kept out of the figures "
                "for the reason given; fix the extract and rebuild.")
    if not rejects.empty:
        table = rejects.rename(columns=lambda c: c.replace("_", " ").capitalize())
        st.dataframe(table, hide_index=True, width="stretch")
        csv_download("Download the rejected rows (CSV)", table, "rejected-rows.csv")


def _stale(context) -> None:
    st.header(f"Metrics with out-of-date data as at {context.quarter.end_date:%d %B %Y}")
    stale = query("metrics/stale_metrics", as_at=context.quarter.end_date,
                  **freshness_parameters(get_project()))
    if stale.empty:
        st.success("Every metric has data as recent as its frequency allows.", icon=":material/check_circle:")
        return
    stale = stale.assign(latest_period=pd.to_datetime(stale["latest_period"]).dt.strftime("%b %Y"))
    show_table(stale[["name", "frequency", "latest_period", "owner"]].rename(columns={
        "name": "Metric", "frequency": "Frequency", "latest_period": "Latest data", "owner": "Owner"}),
        f"stale-metrics-{context.quarter}.csv".replace(" ", "-"))


def _missing_updates(context) -> None:
    st.header(f"Objectives with no real update for {context.quarter}")
    status = objective_status(context.quarter, context.plan_id)
    missing = status[~status["has_real_update"].astype(bool)]  # the one definition: see status
    examples = int(missing["reported_is_example"].sum())
    st.write(f"**{len(missing)}** of {len(status)} objectives ({examples} show only an example "
             "update).")
    show_table(missing[["id", "area", "lead"]].rename(columns=str.capitalize).fillna("—"),
          f"missing-updates-{context.quarter}.csv".replace(" ", "-"))


def render() -> None:
    context = sidebar_context()
    st.title("Data quality")
    _problems()
    _extracts()
    _stale(context)
    _missing_updates(context)


run_safely(render)()
