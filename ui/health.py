"""The banner every page with counts shows first when the plan files have problems."""

from __future__ import annotations

import streamlit as st

from tracker.status.health import SourceHealth, health_from_frames
from ui.data import query
from ui.widgets import plain


def source_health(plan_id: str | None) -> SourceHealth:
    """What the figures leave out or show from an old build (cached with the database)."""
    return health_from_frames(query("plans/objective_problems", plan_id=plan_id),
                              query("status/unread_files", plan_id=plan_id), query("plans/problems"))


def problem_banner(health: SourceHealth, shown: int | None = None) -> None:
    """Say, above the counts, which objectives have a problem or are shown from an old build."""
    sentences = health.sentences(shown)
    if not sentences:
        return
    lines = "\n".join(f"- {plain(s)}" for s in sentences)
    st.error(f"**Problems in the plan files: read these figures with care.**\n\n{lines}\n\n"
             "Every problem, with its file and line, is on the **Data quality** page.",
             icon=":material/flag:")
