"""Who still owes an update, and what changed this quarter: for leads and the Board.

Both read the built database through named queries, so the command line and
the dashboard give the same answers.
"""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd

from tracker.build import ensure_built
from tracker.project import Project
from tracker.quarters import FinancialQuarter
from tracker.queries import read_query
from tracker.scorecard import freshness_parameters


def reminders(project: Project, quarter: FinancialQuarter, plan_id: str | None = None) -> pd.DataFrame:
    """Objectives with no real update for `quarter`, one row each, ordered by lead."""
    ensure_built(project)
    return read_query(project, "reminders", quarter=str(quarter), quarter_end=quarter.end_date,
                      plan_id=plan_id)


def stale_metrics(project: Project, quarter: FinancialQuarter) -> pd.DataFrame:
    """Metrics whose data for the place are older than their freshness window, as at the
    quarter's end (the scorecard shows the same ones as "no recent data")."""
    ensure_built(project)
    return read_query(project, "stale_metrics", as_at=quarter.end_date,
                      **freshness_parameters(project))


def changes(project: Project, quarter: FinancialQuarter, plan_id: str | None = None) -> pd.DataFrame:
    """Every update for `quarter`, with the status the quarter before and the movement."""
    ensure_built(project)
    return read_query(project, "changes", quarter=str(quarter),
                      previous_quarter=str(quarter.previous()), plan_id=plan_id)


def reminder_mailto(email: str | None, lead: str, quarter: FinancialQuarter, rows: pd.DataFrame) -> str:
    """A ready-to-send e-mail link asking one lead for their outstanding updates."""
    lines = [f"Dear {lead},", "",
             f"The Sefton Partnership Board's {quarter} progress report is being prepared. "
             "We have no update yet for:", ""]
    lines += [f"- {row.objective_id}: {_short(row.objective)}" for row in rows.itertuples()]
    lines += ["", "Please record a RAG status and commentary for each (python -m tracker update, "
              "or the dashboard's update form).", "", "Thank you."]
    subject = f"Sefton Plan: {quarter} update needed for {len(rows)} objective(s)"
    return f"mailto:{quote(email or '')}?subject={quote(subject)}&body={quote(chr(10).join(lines))}"


def _short(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
