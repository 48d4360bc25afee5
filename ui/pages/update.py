"""Update an objective, or sign an update off: for signed-in leads and signatories.

Off unless `allow_dashboard_updates: true` in settings.yaml, and never without
sign-in: the form offers only what the signed-in person may change, and the write
itself (tracker.plans.editing) checks their roles again, so a forged request is refused too.
"""

from __future__ import annotations

import datetime as dt
import difflib

import pandas as pd
import streamlit as st

from tracker.access.audit import history
from tracker.access.people import Person
from tracker.access.permissions import may_update_led_by, signs_for
from tracker.files import read_text
from tracker.plans.catalogue import load_catalogue, load_people
from tracker.plans.editing import add_signoff, add_update, find_objective, objective_version
from tracker.plans.models import RAG_VALUES
from tracker.plans.refusals import EditRefused, Stale, UpdateExists
from tracker.plans.splicing import existing_update
from tracker.project import Project
from tracker.status.rag import STATUS_STYLES
from ui.auth import sign_in_button, visitor
from ui.context import Context, sidebar_context
from ui.data import get_project, query
from ui.widgets import plain, run_safely


def _diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        fromfile=f"a/{name}", tofile=f"b/{name}",
    ))


def render() -> None:
    # A reminder's link names the objective and quarter: open the form on them.
    linked = st.query_params.get("quarter")
    if linked and "kept_quarter" not in st.session_state:
        st.session_state["kept_quarter"] = linked
    context = sidebar_context()
    st.title("Update an objective")
    project = get_project()
    if not project.settings["allow_dashboard_updates"]:
        st.info(
            "Updating from the dashboard is switched off here. Leads record updates with "
            "`python -m tracker update`. To switch it on, an administrator sets up sign-in "
            "(see the README, *Sign-in*) and adds `allow_dashboard_updates: true` to "
            "`settings.yaml` in the project folder (create the file if there is none).",
            icon=":material/lock:",
        )
        return
    who = visitor(project)
    if not who.sign_in_configured:
        st.info("This dashboard is read-only: sign-in is not set up here, and changes need "
                "to know who makes them. The administrator can set it up (see the README, "
                "*Sign-in*).", icon=":material/lock:")
        return
    if not who.signed_in:
        st.info("Sign in with your organisation's account to update your objectives.", icon=":material/lock:")
        sign_in_button()
        return
    if who.person is None:
        st.warning(f"You are signed in as {plain(who.email or '')}, which is not in the "
                   "tracker's people register, so you can read but not change anything. Ask "
                   "the programme office to add you.", icon=":material/lock:")
        return
    person = who.person
    objectives = query("plans/objectives_table", as_at=context.quarter.end_date)
    if context.plan_id:
        objectives = objectives[objectives["plan_id"] == context.plan_id]
    people = load_people(project)
    mine = objectives[[may_update_led_by(people, person, list(ids) if ids is not None else [])
                       for ids in objectives["lead_ids"]]]
    org = signs_for(person)
    if mine.empty and org is None:
        st.info(f"Signed in as {plain(person.name)}: your role lets you read the tracker, not "
                "change it. Leads update their own objectives; signatories sign updates off.",
                icon=":material/visibility:")
        return
    if not mine.empty:
        _update_form(project, context, person, mine)
    if org is not None:
        _signoff_form(project, context, person, org)


def _update_form(project: Project, context: Context, person: Person, mine: pd.DataFrame) -> None:
    labels = {row.objective_id: f"{row.objective_id}: {row.objective[:80]}"
              for row in mine.itertuples()}
    ids = list(labels)
    wanted = st.query_params.get("objective")
    objective_id = st.selectbox("Objective", ids, format_func=labels.get, key="u_objective",
                                index=ids.index(wanted) if wanted in ids else 0)
    quarter = str(context.quarter)
    st.write(f"Quarter: **{quarter}** (change it with *As at the end of* in the sidebar)")
    version_key = f"u_version_{objective_id}_{quarter}"
    existing = None
    try:
        if version_key not in st.session_state:  # the version this person is shown
            st.session_state[version_key] = objective_version(project, objective_id)
        placed, _ = find_objective(project, objective_id)
        existing = existing_update(read_text(project.root / placed.path), objective_id, quarter)
    except EditRefused as exc:  # the form still shows; saving says what to fix
        st.warning(f"{plain(exc)}.", icon=":material/warning:")
    replace = False
    if existing is not None:
        st.markdown(f"**{objective_id} already has an update for {quarter}.** This is what "
                    "replacing it would replace:")
        st.code(existing["text"], language="yaml")
        signed = ", ".join(s.get("org", "?") for s in existing["signoffs"])
        if signed:
            st.write(f"Its sign-offs ({plain(signed)}) would be withdrawn, and the withdrawal "
                     "recorded.")
        replace = st.checkbox("Replace this update (I have read it)", key="u_replace")
    with st.form("update"):
        rag = st.radio("Status", RAG_VALUES, horizontal=True, key="u_rag", index=None,
                       format_func=lambda r: STATUS_STYLES[r].label)
        commentary = st.text_area("Commentary", key="u_commentary")
        mitigations = st.text_area("Mitigations (optional)", key="u_mitigations")
        st.caption(f"Updated by: **{plain(person.name)}** (from your sign-in)")
        submitted = st.form_submit_button("Save update")
    if not submitted:
        return
    update = {"quarter": quarter, "rag": rag, "commentary": commentary,
              "mitigations": mitigations, "updated_on": dt.date.today()}
    try:
        edit = add_update(project, objective_id, update, replace=replace, by=person.id,
                          expected_version=st.session_state.get(version_key))
    except UpdateExists:
        st.error(f"Not saved: {objective_id} already has an update for {quarter}: tick "
                 "Replace to replace it.", icon=":material/block:")
        return
    except Stale as exc:
        st.error(f"Not saved: {plain(exc)}.", icon=":material/block:")
        st.button("Reload", key="u_reload", on_click=st.session_state.pop, args=(version_key,))
        return
    except EditRefused as exc:
        st.error(f"Not saved: {plain(exc)}.", icon=":material/block:")
        return
    st.session_state.pop(version_key, None)
    name = edit.path.relative_to(project.root).as_posix()
    st.success(f"Saved {objective_id} {quarter} to `{name}`.", icon=":material/check_circle:")
    withdrawn = edit.record.get("withdrawn_signoffs") or []
    if withdrawn:
        st.info("Withdrawn sign-offs of the replaced update: "
                + plain(", ".join(s.get("org", "?") for s in withdrawn))
                + ". They are recorded and must be given again.")
    st.code(_diff(edit.before, edit.after, name), language="diff")


def _signoff_form(project: Project, context: Context, person: Person, org: str) -> None:
    quarter = str(context.quarter)
    st.subheader(f"Sign off for {plain(org)}")
    waiting = [placed.objective.id for placed in load_catalogue(project).objectives()
               for u in placed.objective.updates
               if u.quarter == quarter and org not in {s.org for s in u.signoffs}
               and (context.plan_id is None or placed.plan_id == context.plan_id)]
    withdrawn = [e for e in history(project) if e.get("quarter") == quarter
                 and any(s.get("org") == org for s in e.get("withdrawn_signoffs") or [])]
    for entry in withdrawn:
        st.warning(f"{entry['objective']}: {plain(entry.get('reason', ''))}.", icon=":material/undo:")
    if not waiting:
        st.write(f"No update for {quarter} is waiting for {plain(org)}'s sign-off.")
        return
    with st.form("signoff"):
        objective_id = st.selectbox("Update to sign off", waiting, key="s_objective")
        st.caption(f"Signed off by: **{plain(person.name)}** for {plain(org)} (from your sign-in)")
        submitted = st.form_submit_button(f"Sign off for {org}")
    if not submitted:
        return
    try:
        add_signoff(project, objective_id, quarter, org, person.id, dt.date.today())
    except EditRefused as exc:
        st.error(f"Not signed off: {plain(exc)}.", icon=":material/block:")
        return
    st.success(f"Signed off {objective_id} {quarter} for {plain(org)}.", icon=":material/check_circle:")


run_safely(render)()
