"""The choices every page honours: which plan, and "as at" which quarter."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from tracker.status.quarters import FinancialQuarter, parse_quarter, quarters_between
from ui.data import query

ALL_PLANS = "All plans"


@dataclass(frozen=True)
class Context:
    plan_id: str | None  # None: all plans
    plan_name: str
    quarter: FinancialQuarter


def _quarter_choices(plans: pd.DataFrame) -> list[FinancialQuarter]:
    first = FinancialQuarter.quarter_of(plans["period_start"].min())
    last = FinancialQuarter.quarter_of(plans["period_end"].max())
    return list(reversed(quarters_between(first, last)))


def _default_quarter(choices: list[FinancialQuarter]) -> FinancialQuarter:
    """The latest quarter with updates, else the latest quarter of the plans."""
    with_updates = query("status/quarters_with_updates")
    for text in with_updates["quarter"]:
        quarter = parse_quarter(text)
        if quarter in choices:
            return quarter
    return choices[0]


def _remembered(widget_key: str, options: list[str], default: str) -> None:
    """Keep a sidebar choice across pages.

    Streamlit forgets a widget's value when the page changes, so the choice is
    kept under a second key and handed back to the widget before it is drawn.
    """
    kept = f"kept_{widget_key}"
    if st.session_state.get(kept) not in options:
        st.session_state[kept] = default
    st.session_state[widget_key] = st.session_state[kept]


def _keep(widget_key: str) -> None:
    st.session_state[f"kept_{widget_key}"] = st.session_state[widget_key]


def sidebar_context() -> Context:
    """Draw the plan and quarter selectors in the sidebar and return the choice."""
    plans = query("plans/plans")
    names = {row.plan_id: row.name for row in plans.itertuples()}
    options = [ALL_PLANS, *names]
    _remembered("plan", options, ALL_PLANS)
    plan_choice = st.sidebar.selectbox(
        "Plan", options, key="plan", format_func=lambda p: names.get(p, p),
        on_change=_keep, args=("plan",),
    )
    choices = _quarter_choices(plans)
    labels = [str(q) for q in choices]
    _remembered("quarter", labels, str(_default_quarter(choices)))
    chosen = st.sidebar.selectbox("As at the end of", labels, key="quarter",
                                  on_change=_keep, args=("quarter",))
    plan_id = None if plan_choice == ALL_PLANS else plan_choice
    return Context(plan_id, names.get(plan_choice, ALL_PLANS), parse_quarter(chosen))
