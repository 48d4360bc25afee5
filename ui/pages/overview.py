"""Board overview: where are we, what changed, what needs the Board's attention."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from tracker.status.objectives import exceptions as exception_rows
from tracker.status.objectives import (
    not_reported_by_lead,
    real_update_counts,
    reported_counts,
)
from tracker.status.quarters import FinancialQuarter
from tracker.status.rag import (
    DERIVED_LABELS,
    MOVEMENT_LABELS,
    REPORTED_STATUSES,
    STATUS_STYLES,
    reported_label,
)
from tracker.words import plural
from ui.context import sidebar_context
from ui.data import get_project, objective_status, query, revised_since_reported, views
from ui.health import problem_banner, source_health
from ui.packs import board_pack, prepared_pack
from ui.tables import Links, scorecard_table
from ui.widgets import csv_download, example_banner, plain, run_safely, show_static_table, static_table


def _counts(frame: pd.DataFrame, quarter: object) -> None:
    """One figure per reported status, with how many of them come from example updates."""
    counts = reported_counts(frame)
    columns = st.columns(len(REPORTED_STATUSES))
    for column, status in zip(columns, REPORTED_STATUSES, strict=True):
        column.metric(STATUS_STYLES[status].label, counts[status]["all"])
        if counts[status]["example"]:
            column.caption(f"⚠ {counts[status]['example']} of them from example updates")
    real = real_update_counts(frame)
    st.write(f"**{real['real']}** of {len(frame)} objectives have a real update for {quarter}; "
             f"**{real['waiting']}** have no real update yet ({real['example_only']} show only an "
             f"example update, {real['none']} no update at all).")


def _matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """Reported status counts by group and area, in the plan's order (counted by groupby, not
    `pd.crosstab`, which took 0.012 s of the overview's script for the same table)."""
    by_area = frame.groupby(["group", "area"], sort=False)
    order = pd.MultiIndex.from_frame(frame.drop_duplicates(["group", "area"])[["group", "area"]])
    counts = (by_area["reported_rag"].value_counts().unstack(fill_value=0)
              .reindex(columns=list(REPORTED_STATUSES), fill_value=0).reindex(order).reset_index())
    counts.columns = ["Group", "Area", *[STATUS_STYLES[s].label for s in REPORTED_STATUSES]]
    counts["Of which from examples"] = by_area["reported_is_example"].sum().to_numpy()
    counts["Overdue"] = by_area["overdue"].sum().to_numpy()
    return counts


def area_links(frame: pd.DataFrame, context) -> list[str]:
    """For each row of the area table, the Objectives page filtered to that area, as at the
    same quarter and plan (a link opens the page afresh, which has no memory of the sidebar)."""
    areas = frame.drop_duplicates(["group", "area"])["area_id"]
    chosen = {"quarter": str(context.quarter)} | ({"plan": context.plan_id} if context.plan_id else {})
    return [f"objectives?{urlencode({'area': area} | chosen)}" for area in areas]


def _by_area(frame: pd.DataFrame, context) -> None:
    """The area table: each row leads to that area's objectives."""
    st.header("By area")
    table = _matrix(frame)
    shown = table.assign(Objectives=area_links(frame, context))
    # "Open", not "Open the area's objectives": a link's name must not repeat the page link's.
    static_table(shown, "Reported status by area", links={"Objectives": Links(
        "Open", named_by="Area", title="Opens the Objectives page filtered to this area")})
    csv_download("Download (CSV)", table, f"status-by-area-{context.quarter}.csv".replace(" ", "-"))


def exceptions(frame: pd.DataFrame, quarter: FinancialQuarter, include: list[str]) -> pd.DataFrame:
    """Objectives the Board should look at, worst first, with why in words (the rule:
    tracker.status.objectives.exceptions)."""
    flagged = exception_rows(frame, str(quarter.previous()), include)
    return pd.DataFrame({
        "ID": flagged["id"],
        "Area": flagged["area"],
        "Reported": [reported_label(r, e) for r, e in
                     zip(flagged["reported_rag"], flagged["reported_is_example"], strict=True)],
        "Evidence": flagged["derived_status"].map(DERIVED_LABELS),
        "Why": flagged["why"].map(lambda rs: "; ".join(rs)),
        "Commentary": flagged["commentary"].fillna(""),
        "Mitigations": flagged["mitigations"].fillna(""),
    })


def _headline_metrics(context) -> None:
    definitions = query("metrics/metric_definitions")
    headline = definitions[definitions["headline"]]["metric_id"].tolist()
    if not headline:
        return
    st.header("Headline metrics")
    metric_views = views(context.quarter.end_date, headline)
    if any(v.is_example for v in metric_views):
        st.caption("Metrics marked (example) use invented figures, not Sefton's.")
    table = scorecard_table(metric_views)
    show_static_table(table[["Metric", "Organisation", "Latest", "Target", "Against target",
                             "Variation", "Assurance"]], "Headline metrics",
                      f"headline-metrics-{context.quarter}.csv".replace(" ", "-"))


def signoff_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Each update for the quarter with who has signed it off and who has not yet (an objective
    complete since an earlier quarter has no update of this quarter to sign)."""
    reported = frame[frame["signoff_due"]]
    return pd.DataFrame({
        "ID": reported["id"],
        "Reported": [reported_label(r, e) for r, e in
                     zip(reported["reported_rag"], reported["reported_is_example"], strict=True)],
        "Signed off by": reported["signed_off_by"].map(lambda s: "; ".join(s) or "—"),
        "Waiting for": reported["awaiting_signoff"].map(lambda s: "; ".join(s) or "✔ Fully signed off"),
    })


def _signoffs(frame: pd.DataFrame, quarter: object) -> None:
    st.header(f"Sign-off of the {quarter} updates")
    table = signoff_table(frame)
    done = int((table["Waiting for"] == "✔ Fully signed off").sum())
    st.write(f"**{done}** of {len(table)} updates are signed off by every partner.")
    show_static_table(table, "Sign-off of the updates", f"sign-off-{quarter}.csv".replace(" ", "-"))


def _revised_since_reported(context) -> None:
    """Anything that differs from the pack the Board saw for this quarter, if it was frozen."""
    if context.plan_id is None:
        return
    found = revised_since_reported(context.plan_id, context.quarter)
    if found is None:
        return
    revisions, frozen_on, problem = found
    if problem:
        st.error(f"**Revisions not checked.** {plain(problem)}", icon=":material/push_pin:")
        return
    if frozen_on is None:  # the file went between looking and reading: as if never frozen
        return
    if not revisions:
        st.info(f"As the Board saw it on {plain(frozen_on)}: nothing has changed since.",
                icon=":material/push_pin:")
        return
    lines = "\n".join("- " + plain(r.sentence()) for r in revisions)
    st.warning(f"**Revised since reported.** {len(revisions)} item(s) differ from the pack the "
               f"Board saw on {plain(frozen_on)}:\n\n{lines}", icon=":material/push_pin:")


def _report_downloads(context) -> None:
    """The Board pack for the chosen plan and quarter: printed when asked for, then downloaded.

    Printing takes a few seconds, so it is not done on every rerun. Streamlit's
    deferred download (a callable as the button's data) was tried: its answer
    reached the browser only a minute after the file was ready, so the pack is
    printed on a button press and offered as ordinary downloads. It is printed
    once per database version for everyone (ui.packs): a press in another session
    waits for that print rather than starting another.
    """
    st.header("Board report")
    if context.plan_id is None:
        st.caption("Choose a plan in the sidebar to download its quarterly Board report.")
        return
    project = get_project()
    name = f"{context.plan_id}-{str(context.quarter).replace(' ', '-')}"
    pack = prepared_pack(project, context.plan_id, context.quarter)
    if pack is None:
        if not st.button("Prepare the Board report (PDF and HTML)", key="report_prepare",
                         icon=":material/print:"):
            st.caption(f"The quarterly pack for {context.quarter}, as the Board will see it.")
            return
        with st.spinner("Printing the Board report…"):
            pack = board_pack(project, context.plan_id, context.quarter)
    pdf, html = pack
    left, right = st.columns(2)
    left.download_button("Download the Board report (PDF)", pdf, file_name=f"{name}.pdf",
                         mime="application/pdf", on_click="ignore", key="report_pdf",
                         icon=":material/picture_as_pdf:")
    right.download_button("Download the Board report (HTML)", html, file_name=f"{name}.html",
                          mime="text/html", on_click="ignore", key="report_html", icon=":material/html:")


def render() -> None:
    context = sidebar_context()
    st.title("Board overview")
    frame = objective_status(context.quarter, context.plan_id)
    st.caption(f"{plain(context.plan_name)}: {len(frame)} objectives, as at the end of {context.quarter} "
               f"({context.quarter.end_date:%d %B %Y}).")
    problem_banner(source_health(context.plan_id), len(frame))
    example_banner(bool(frame["reported_is_example"].any()))
    _revised_since_reported(context)
    _counts(frame, context.quarter)
    # The area table is full width so every status column shows without scrolling.
    _by_area(frame, context)
    left, right = st.columns(2)
    with left:
        st.header(f"Since {context.quarter.previous()}")
        movement = frame["movement"].value_counts().reindex(list(MOVEMENT_LABELS), fill_value=0)
        with_example = (frame[frame["movement_involves_example"].astype(bool)]["movement"]
                        .value_counts().reindex(list(MOVEMENT_LABELS), fill_value=0))
        static_table(pd.DataFrame({"Movement": [MOVEMENT_LABELS[m] for m in movement.index],
                                   "Objectives": movement.to_numpy(),
                                   "Of which involve an example": with_example.to_numpy()}),
                     f"Movement since {context.quarter.previous()}")
    with right:
        st.header("What the evidence says")
        derived = frame["derived_status"].value_counts().reindex(list(DERIVED_LABELS), fill_value=0)
        static_table(pd.DataFrame({"Evidence": [DERIVED_LABELS[d] for d in derived.index],
                                   "Objectives": derived.to_numpy()}), "What the evidence says")
        # Complete is the lead's word alone: when that word is an example's, say so.
        on_example = int((frame["derived_status"].eq("complete")
                          & frame["reported_is_example"].astype(bool)).sum())
        if on_example:
            st.caption(f"⚠ {on_example} of the {int(derived['complete'])} complete are complete "
                       "only by an example update.")
    _headline_metrics(context)
    st.header("Exceptions")
    include = list(get_project().settings["exceptions_include"])
    table = exceptions(frame, context.quarter, include)
    st.write(f"**{len(table)}** {plural(len(table), 'objective')} "
             f"{plural(len(table), 'is', 'are')} red, overdue, reported rosier than the evidence, "
             f"deteriorated since {context.quarter.previous()}, or linked to a metric of concern"
             + (f" (and, by the settings, {', '.join(include)})" if include else "") + ".")
    static_table(table, "Exceptions")
    csv_download("Download the exceptions (CSV)", table,
                 f"exceptions-{context.quarter}.csv".replace(" ", "-"))
    waiting = not_reported_by_lead(frame)
    if waiting:
        n = sum(len(row["ids"]) for row in waiting)
        st.caption(f"Not exceptions: {n} {plural(n, 'objective')} not reported for "
                   f"{context.quarter}, by lead: " + "; ".join(
                       f"{plain(row['lead'])}{' (' + plain(row['area']) + ')' if row['area'] else ''}: "
                       f"{', '.join(row['ids'])}" for row in waiting) + ".")
    _signoffs(frame, context.quarter)
    _report_downloads(context)


run_safely(render)()
