"""Update an objective: a form for leads, writing through the same code as the CLI.

Off unless `allow_dashboard_updates: true` in settings.yaml, so a read-only
hosted dashboard can never change the plan files.
"""

from __future__ import annotations

import datetime as dt
import difflib

import streamlit as st

from tracker.editing import EditRefused, add_update
from tracker.models import RAG_VALUES
from tracker.rag import STATUS_STYLES
from ui.context import sidebar_context
from ui.data import get_project, query
from ui.widgets import plain, run_safely


def _diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=f"a/{name}", tofile=f"b/{name}",
    ))


def render() -> None:
    context = sidebar_context()
    st.title("Update an objective")
    project = get_project()
    if not project.settings["allow_dashboard_updates"]:
        st.info(
            "Updating from the dashboard is switched off here. Leads record updates with "
            "`python -m tracker update`, or an administrator sets "
            "`allow_dashboard_updates: true` in `settings.yaml`.", icon="🔒",
        )
        return
    objectives = query("objectives_table", as_at=context.quarter.end_date)
    if context.plan_id:
        objectives = objectives[objectives["plan_id"] == context.plan_id]
    labels = {row.objective_id: f"{row.objective_id}: {row.objective[:80]}"
              for row in objectives.itertuples()}
    with st.form("update"):
        objective_id = st.selectbox("Objective", list(labels), format_func=labels.get, key="u_objective")
        st.write(f"Quarter: **{context.quarter}** (change it with *As at the end of* in the sidebar)")
        rag = st.radio("Status", RAG_VALUES, horizontal=True, key="u_rag",
                       format_func=lambda r: STATUS_STYLES[r].label)
        commentary = st.text_area("Commentary", key="u_commentary")
        mitigations = st.text_area("Mitigations (optional)", key="u_mitigations")
        by = st.text_input("Your name", key="u_by")
        replace = st.checkbox("Replace an existing update for this quarter", key="u_replace")
        submitted = st.form_submit_button("Save update")
    if not submitted:
        return
    update = {"quarter": str(context.quarter), "rag": rag, "commentary": commentary,
              "mitigations": mitigations, "updated_by": by, "updated_on": dt.date.today()}
    try:
        edit = add_update(project, objective_id, update, replace=replace)
    except EditRefused as exc:
        st.error(f"Not saved: {plain(exc)}.", icon="✋")
        return
    name = edit.path.relative_to(project.root).as_posix()
    st.success(f"Saved {objective_id} {context.quarter} to `{name}`.", icon="✅")
    if edit.notes:
        st.warning(f"`{name}` still has a problem to fix: " + plain("; ".join(edit.notes)),
                   icon=":material/warning:")
    st.code(_diff(edit.before, edit.after, name), language="diff")


run_safely(render)()
