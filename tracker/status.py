"""Objective status as at the end of a quarter: reported, derived, and the gap.

The rules live in `queries/objective_status.sql` so the dashboard, the report
and the command line share one definition; this module supplies the
quarter arithmetic and the thresholds from settings.
"""

from __future__ import annotations

import pandas as pd

from tracker.build import ensure_built
from tracker.project import Project
from tracker.quarters import FinancialQuarter
from tracker.queries import read_query

DERIVED_STATUSES = ("complete", "on_track", "at_risk", "overdue", "no_date")
REPORTED_STATUSES = ("red", "amber", "green", "blue", "not_reported")
MOVEMENTS = ("improved", "deteriorated", "unchanged", "new", "not_reported")


def status_parameters(project: Project, quarter: FinancialQuarter, plan_id: str | None) -> dict:
    """The named parameters `objective_status.sql` takes."""
    return {
        "quarter": str(quarter),
        "quarter_end": quarter.end_date,
        "previous_quarter": str(quarter.previous()),
        "at_risk_window_months": int(project.settings["at_risk_window_months"]),
        "signoff_orgs": [str(org) for org in project.settings["signoff_orgs"]],
        "plan_id": plan_id,
    }


def objective_status(
    project: Project, quarter: FinancialQuarter, plan_id: str | None = None
) -> pd.DataFrame:
    """One row per objective: reported RAG, derived status, reasons, movement."""
    ensure_built(project)
    return read_query(project, "objective_status", **status_parameters(project, quarter, plan_id))
