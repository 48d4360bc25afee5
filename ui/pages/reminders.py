"""Reminders and changes: who still owes an update, and what moved this quarter."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from tracker.access.mail import reminder_messages
from tracker.status.rag import movement_label, reported_label
from tracker.status.workflow import changes, reminder_mailto, reminders, stale_metrics
from ui.context import sidebar_context
from ui.data import get_project
from ui.health import problem_banner, source_health
from ui.widgets import example_banner, plain, run_safely, show_table


def _reminders(project, context) -> None:
    rows = reminders(project, context.quarter, context.plan_id)
    st.header(f"Waiting for an update for {context.quarter}")
    if rows.empty:
        st.success("Every objective has a real update for this quarter.", icon=":material/check_circle:")
        return
    objectives = rows.drop_duplicates("objective_id")  # one row per lead of each
    example_only = int(objectives["example_only"].sum())
    st.write(f"**{len(objectives)}** objective(s) have no real update yet (example updates do "
             f"not count): {example_only} show only an example update, "
             f"{len(objectives) - example_only} no update at all.")
    # One e-mail per person in the register: the deadline, the plan, a link to the form.
    written = {m.person_id: m for m in reminder_messages(project, rows, context.quarter)}
    for (lead, email), group in rows.groupby(["lead", "lead_email"], dropna=False, sort=False):
        email = email if isinstance(email, str) else None
        message = written.get(str(group["person_id"].iloc[0]))
        with st.expander(f"{plain(lead)}: {len(group)} objective(s)"):
            link = (f"mailto:{quote(message.to)}?subject={quote(message.subject)}"
                    f"&body={quote(message.body)}" if message is not None
                    else reminder_mailto(email, lead, context.quarter, group))
            st.link_button("Write the reminder e-mail", link, icon=":material/mail:")
            table = group[["objective_id", "area_name", "objective"]].assign(
                **{"Shows now": group["example_only"].map({True: "An example update", False: "No update"})})
            show_table(table, f"waiting-{lead}-{context.quarter}.csv".replace(" ", "-"))


def _stale(project, context) -> None:
    stale = stale_metrics(project, context.quarter)
    st.header("Metrics waiting for new data")
    if stale.empty:
        st.success("Every metric's data are as recent as its frequency allows.",
                   icon=":material/check_circle:")
        return
    for owner, group in stale.groupby("owner", sort=False):
        with st.expander(f"{plain(owner)}: {len(group)} metric(s)"):
            show_table(group[["metric_id", "name", "latest_period"]],
                       f"stale-{owner}-{context.quarter}.csv".replace(" ", "-"))


def _changes(project, context) -> None:
    rows = changes(project, context.quarter, context.plan_id)
    st.header(f"What changed in {context.quarter}")
    example_banner(bool((rows["is_example"] | rows["previous_is_example"]).any()))
    if rows.empty:
        st.info("No updates for this quarter yet.")
        return
    table = pd.DataFrame({
        "ID": rows["objective_id"],
        "Area": rows["area_name"],
        "Before": [reported_label(r, e) if isinstance(r, str) else "—"
                   for r, e in zip(rows["previous_rag"], rows["previous_is_example"], strict=True)],
        "Now": [reported_label(r, e) for r, e in zip(rows["rag"], rows["is_example"], strict=True)],
        "Movement": [movement_label(m, e) for m, e in
                     zip(rows["movement"], rows["movement_involves_example"], strict=True)],
        "Commentary": rows["commentary"],
    })
    show_table(table, f"changes-{context.quarter}.csv".replace(" ", "-"))


def render() -> None:
    context = sidebar_context()
    st.title("Reminders and changes")
    project = get_project()
    problem_banner(source_health(context.plan_id))
    _reminders(project, context)
    _stale(project, context)
    _changes(project, context)


run_safely(render)()
