"""Objective status as at the end of a quarter: reported, derived, and the gap.

The rules live in `queries/objective_status.sql` so the dashboard, the report
and the command line share one definition; this module supplies the
quarter arithmetic and the thresholds from settings.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from tracker.build import ensure_built
from tracker.project import Project
from tracker.quarters import FinancialQuarter
from tracker.queries import connect_read_only, run_query
from tracker.rag import REPORTED_STATUSES, STATUS_RANKS, status_rank_rows
from tracker.scorecard import MetricView, evidence_by_metric, format_value, metric_views

# The exception rule's order: worst reported status first (then the plan's own order).
EXCEPTION_ORDER = {"red": 0, "amber": 1, "not_reported": 2, "green": 3, "blue": 4}


def status_parameters(project: Project, quarter: FinancialQuarter, plan_id: str | None) -> dict:
    """The named parameters `objective_status.sql` takes."""
    return {
        "quarter": str(quarter),
        "quarter_end": quarter.end_date,
        "previous_quarter": str(quarter.previous()),
        "at_risk_window_months": int(project.settings["at_risk_window_months"]),
        "signoff_orgs": [str(org) for org in project.settings["signoff_orgs"]],
        "plan_id": plan_id,
        "status_ranks": status_rank_rows(),
    }


def objective_status(
    project: Project, quarter: FinancialQuarter, plan_id: str | None = None
) -> pd.DataFrame:
    """One row per objective: reported RAG, derived status, reasons, movement.

    The dated rules are SQL; the evidence of linked metrics (missing their target, or
    SPC assurance that they will consistently fail) is added here from the scorecard.
    """
    ensure_built(project)
    con = connect_read_only(project.db_path)
    try:
        links = metric_links(con, project)
        linked = sorted(set(links["metric_id"]))
        views = metric_views(project, quarter.end_date, linked, con=con) if linked else []
        return status_on(con, project, quarter, plan_id, links, evidence_by_metric(views))
    finally:
        con.close()


def metric_links(con: duckdb.DuckDBPyConnection, project: Project) -> pd.DataFrame:
    """Which metric evidences which objective: its metrics are the ones `status_on` needs judged."""
    return run_query(con, project, "objective_metric_links")


def status_on(
    con: duckdb.DuckDBPyConnection, project: Project, quarter: FinancialQuarter,
    plan_id: str | None, links: pd.DataFrame, views: Mapping[str, MetricView],
) -> pd.DataFrame:
    """`objective_status` on an open connection, with the linked metrics already judged.

    `links` is `metric_links`; `views` holds every linked metric judged as at the
    quarter's end. The report judges its metrics once for both its scorecard and
    this evidence.
    """
    return _with_metric_evidence(reported_status(con, project, quarter, plan_id), links, views)


def reported_status(
    con: duckdb.DuckDBPyConnection, project: Project, quarter: FinancialQuarter,
    plan_id: str | None,
) -> pd.DataFrame:
    """The dated rules of `objective_status.sql` alone, without judging any metric.

    Enough for what does not depend on the evidence (who has a real update), and fast.
    """
    return run_query(con, project, "objective_status", **status_parameters(project, quarter, plan_id))


def exceptions(frame: pd.DataFrame) -> pd.DataFrame:
    """The objectives the Board should look at, worst first: the one rule for the dashboard
    and the pack.

    An objective is an exception when it is reported red or amber, or not reported, or is
    overdue, at risk, or reported rosier than the evidence.
    """
    flagged = frame[
        frame["reported_rag"].isin(["red", "amber", "not_reported"])
        | frame["overdue"].astype(bool) | frame["rosier_than_evidence"].astype(bool)
        | frame["derived_status"].eq("at_risk")
    ]
    order = flagged["reported_rag"].map(EXCEPTION_ORDER)
    return (flagged.assign(_order=order)
            .sort_values(["_order", "plan", "position"], kind="stable")
            .drop(columns="_order"))


def reported_counts(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per reported status, how many objectives show it and how many of those come from an
    example update (directly or carried forward): counts never pass examples off as real."""
    return {
        status: {
            "all": int((frame["reported_rag"] == status).sum()),
            "example": int(((frame["reported_rag"] == status)
                            & frame["reported_is_example"].astype(bool)).sum()),
        }
        for status in REPORTED_STATUSES
    }


def real_update_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many objectives have a real update for the quarter (`has_real_update`), how many
    only an example, and how many none at all: the same three figures everywhere."""
    real = frame["has_real_update"].astype(bool)
    example = frame["reported_is_example"].astype(bool) & ~real
    return {"real": int(real.sum()), "example_only": int(example.sum()),
            "none": int((~real & ~example).sum()), "waiting": int((~real).sum())}


def metric_concern(view: MetricView) -> str | None:
    """Why a linked metric counts against its objective, or None if it does not."""
    if view.latest_value is None:
        return None
    example = " (example data)" if view.is_example else ""
    if view.rag == "missed":
        return (f"Linked metric {view.name}{example}: {format_value(view.latest_value, view.unit)} "
                f"in {view.latest_period:%B %Y} misses the target of "
                f"{format_value(view.target, view.unit)}")
    if view.assurance_icon == "consistent_fail":
        return (f"Linked metric {view.name}{example}: SPC shows it will consistently miss its "
                "target without a change")
    return None


def _with_metric_evidence(
    frame: pd.DataFrame, links: pd.DataFrame, views: Mapping[str, MetricView]
) -> pd.DataFrame:
    frame = frame.copy()
    frame["metrics"] = [[] for _ in range(len(frame))]
    concerns: dict[str, list[str]] = {}
    linked: dict[str, list[str]] = {}
    for row in links.itertuples():
        linked.setdefault(row.objective_id, []).append(row.metric_id)
        view = views.get(row.metric_id)
        concern = metric_concern(view) if view else None
        if concern:
            concerns.setdefault(row.objective_id, []).append(concern)
    for i, objective_id in enumerate(frame["id"]):
        frame.at[frame.index[i], "metrics"] = linked.get(objective_id, [])
        found = concerns.get(objective_id)
        if not found:
            continue
        index = frame.index[i]
        frame.at[index, "reasons"] = [*list(frame.at[index, "reasons"]), *found]
        if frame.at[index, "derived_status"] in ("on_track", "no_date"):
            frame.at[index, "derived_status"] = "at_risk"
        reported = STATUS_RANKS.get(frame.at[index, "reported_rag"])
        derived = STATUS_RANKS.get(frame.at[index, "derived_status"])
        frame.at[index, "rosier_than_evidence"] = bool(reported and derived and reported > derived)
    return frame
