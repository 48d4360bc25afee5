"""Who still owes an update, and what changed this quarter: for leads and the Board.

Both read the built database through named queries, so the command line and
the dashboard give the same answers.
"""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd

from tracker.access.people import Register
from tracker.db.queries import connect_read_only, read_query, run_query
from tracker.db.serving import require_database
from tracker.metrics.scorecard import freshness_parameters
from tracker.plans.catalogue import load_people
from tracker.project import Project
from tracker.status.objectives import reported_status
from tracker.status.quarters import FinancialQuarter
from tracker.status.rag import status_rank_rows


def reminders(project: Project, quarter: FinancialQuarter, plan_id: str | None = None) -> pd.DataFrame:
    """Objectives with no real update for `quarter`, one row each, ordered by lead.

    "No real update" is `has_real_update` of the status engine, so the reminders, the
    overview, the pack and `status` count the same objectives. `example_only` marks those
    that show an example update instead.
    """
    require_database(project)
    con = connect_read_only(project.db_path)
    try:
        status = reported_status(con, project, quarter, plan_id)
        waiting = status[~status["has_real_update"].astype(bool)]
        rows = run_query(con, project, "status/reminders", quarter_end=quarter.end_date,
                         waiting=list(waiting["id"]))
    finally:
        con.close()
    example_only = set(waiting.loc[waiting["reported_is_example"].astype(bool), "id"])
    rows = rows.assign(example_only=rows["objective_id"].isin(example_only))
    return by_person(rows, load_people(project))


def by_person(rows: pd.DataFrame, people: Register) -> pd.DataFrame:
    """One row per (person, objective): an objective with two leads reaches both, and one
    person spelt three ways in the plan is one person (their id in people.yaml)."""
    out = []
    for row in rows.to_dict(orient="records"):
        found = row.pop("lead_ids", None)
        ids = [] if found is None else list(found)
        for person_id in ids or [None]:
            person = people.by_id(person_id) if person_id else None
            out.append({**row, "person_id": person_id,
                        "lead": person.name if person else (person_id or row["lead"]),
                        "lead_email": person.email if person else row["lead_email"]})
    frame = pd.DataFrame(out, columns=[*(c for c in rows.columns if c != "lead_ids"), "person_id"])
    if frame.empty:
        return frame
    frame["_none"] = frame["lead"] == "No lead named"
    frame = frame.sort_values(["_none", "lead"], kind="stable").drop(columns="_none")
    return frame.reset_index(drop=True)


def stale_metrics(project: Project, quarter: FinancialQuarter) -> pd.DataFrame:
    """Metrics whose data for the place are older than their freshness window, as at the
    quarter's end (the scorecard shows the same ones as "no recent data")."""
    require_database(project)
    return read_query(project, "metrics/stale_metrics", as_at=quarter.end_date,
                      **freshness_parameters(project))


def changes(project: Project, quarter: FinancialQuarter, plan_id: str | None = None) -> pd.DataFrame:
    """Every update for `quarter`, with the status the quarter before and the movement."""
    require_database(project)
    return read_query(project, "status/changes", quarter=str(quarter),
                      previous_quarter=str(quarter.previous()), plan_id=plan_id,
                      status_ranks=status_rank_rows())


def reminder_mailto(email: str | None, lead: str, quarter: FinancialQuarter, rows: pd.DataFrame) -> str:
    """A ready-to-send e-mail link asking one lead for their outstanding updates."""
    lines = [f"Dear {lead},", "",
             f"The Sefton Partnership Board's {quarter} progress report is being prepared. "
             "We have no update yet for:", ""]
    lines += [f"- {objective_id}: {_short(text)}"
              for objective_id, text in zip(rows["objective_id"], rows["objective"], strict=True)]
    lines += ["", "Please record a RAG status and commentary for each on the tracker's update form "
              "(Update an objective, after signing in).", "", "Thank you."]
    subject = f"Sefton Plan: {quarter} update needed for {len(rows)} objective(s)"
    return f"mailto:{quote(email or '')}?subject={quote(subject)}&body={quote(chr(10).join(lines))}"


def _short(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
