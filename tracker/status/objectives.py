"""Objective status as at the end of a quarter: reported, derived, and the gap.

The rules live in `queries/status/objective_status.sql` so the dashboard, the report
and the command line share one definition; this module supplies the
quarter arithmetic and the thresholds from settings.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pandas as pd

from tracker.db.queries import connect_read_only, run_query
from tracker.db.serving import require_database
from tracker.metrics.scorecard import evidence_by_metric, metric_views
from tracker.metrics.scorecard_view import MetricView
from tracker.metrics.scorecard_words import format_value
from tracker.project import Project
from tracker.status.quarters import FinancialQuarter
from tracker.status.rag import EXCEPTION_WIDENINGS, REPORTED_STATUSES, STATUS_RANKS, status_rank_rows

logger = logging.getLogger(__name__)

# The exception rule's order: worst reported status first (then the plan's own order).
EXCEPTION_ORDER = {"red": 0, "amber": 1, "not_reported": 2, "green": 3, "blue": 4}


def status_parameters(
    project: Project, quarter: FinancialQuarter, plan_id: str | None
) -> dict[str, Any]:
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
    require_database(project)
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
    return run_query(con, project, "metrics/objective_metric_links")


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
    return run_query(con, project, "status/objective_status", **status_parameters(project, quarter, plan_id))


_RAG_WORDS = {"red": "red", "amber": "amber", "green": "green", "blue": "complete",
              "not_reported": "not reported"}
_EVIDENCE_WORDS = {"complete": "complete", "on_track": "on track", "at_risk": "at risk",
                   "overdue": "overdue", "no_date": "without a target date"}


def exception_reasons(
    row: Mapping[str, Any], previous_quarter: str, include: Iterable[str] = ()
) -> list[str]:
    """Why an objective is an exception, in words; empty when it is not one.

    The rule: reported red; overdue; reported rosier than the evidence; deteriorated since
    the previous quarter (saying so when an example update is on either side); a linked
    metric with special-cause concerning variation or expected to fail its target.
    `include` widens it with any of EXCEPTION_WIDENINGS (the `exceptions_include` setting).
    Amber alone and not reported are not exceptions unless widened.
    """
    widen = set(include)
    example = " (example update)" if row["reported_is_example"] else ""
    reported, derived = row["reported_rag"], row["derived_status"]
    why = []
    if reported == "red":
        why.append(f"Reported red{example}")
    if row["overdue"]:
        why.append(f"Target date {_month_words(row['target_date'])} has passed")
    if row["rosier_than_evidence"]:
        evidence = [r for r in _items(row.get("reasons")) if not r.startswith("Target date")]
        why.append(f"Reported {_RAG_WORDS.get(reported, reported)}{example} but the evidence "
                   f"says {_EVIDENCE_WORDS.get(derived, derived)}"
                   + (f": {'; '.join(evidence)}" if evidence else ""))
    if row["movement"] == "deteriorated":
        involves = " (involves an example update)" if row["movement_involves_example"] else ""
        why.append(f"Deteriorated from {_RAG_WORDS.get(row['previous_rag'], row['previous_rag'])} "
                   f"to {_RAG_WORDS.get(reported, reported)} since {previous_quarter}{involves}")
    why.extend(_items(row.get("metric_concerns")))
    if "amber" in widen and reported == "amber":
        why.append(f"Reported amber{example}")
    if "not_reported" in widen and reported == "not_reported":
        why.append("No update for the quarter")
    if "at_risk" in widen and derived == "at_risk" and not row["rosier_than_evidence"]:
        why.append("The evidence says at risk")
    return why


def exceptions(
    frame: pd.DataFrame, previous_quarter: str, include: Iterable[str] = ()
) -> pd.DataFrame:
    """The objectives the Board should look at, worst first, each with a `why` list: the one
    rule (see `exception_reasons`) for the dashboard and the pack."""
    unknown = sorted(set(include) - set(EXCEPTION_WIDENINGS))
    if unknown:  # `validate` names the line in settings.yaml; the rule stands without them
        logger.warning("exceptions_include may hold %s, not %s: ignored",
                       ", ".join(EXCEPTION_WIDENINGS), ", ".join(unknown))
        include = [w for w in include if w in EXCEPTION_WIDENINGS]
    reasons: list[object] = [exception_reasons(row, previous_quarter, include) for row in _records(frame)]
    why = pd.Series(reasons, index=frame.index, dtype=object)
    flagged = frame.assign(why=why)[why.map(bool)]
    order = flagged["reported_rag"].map(EXCEPTION_ORDER)
    return (flagged.assign(_order=order)
            .sort_values(["_order", "plan", "position"], kind="stable")
            .drop(columns="_order"))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts keyed by column name (the columns of a query are named)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def not_reported_by_lead(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The objectives with no update for the quarter, by lead (by the plan's group where no
    lead is named), in the plan's order: one compact list, not exceptions."""
    # The three columns it reads only: every column of the frame as dicts took 0.008 s of
    # the overview's script.
    missing = frame.loc[frame["reported_rag"].eq("not_reported"), ["lead", "group", "id"]]
    rows: dict[tuple[str, str], list[str]] = {}
    for record in missing.to_dict(orient="records"):
        lead = record["lead"] if isinstance(record["lead"], str) and record["lead"] else None
        key = (lead or "No lead named", "" if lead else record["group"])
        rows.setdefault(key, []).append(record["id"])
    return [{"lead": lead, "area": area, "ids": ids} for (lead, area), ids in rows.items()]


def _items(value: object) -> list[str]:
    """A list column's value (a list, an array from DuckDB, or missing) as a list."""
    # a list or DuckDB's array: both iterate, which `object` cannot say
    return [] if value is None or isinstance(value, float) else [str(v) for v in value]  # type: ignore[attr-defined]


def _month_words(target_date: object) -> str:
    """'2024-03' -> 'March 2024' (as the plans write target months)."""
    if not isinstance(target_date, str):
        return "unknown"
    return f"{dt.date.fromisoformat(target_date + '-01'):%B %Y}"


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


def metric_exceptions(view: MetricView) -> list[str]:
    """What makes a linked metric an exception for its objective, in words: special-cause
    concerning variation, or SPC assurance that it will consistently fail its target."""
    if view.latest_value is None or view.is_stale:
        return []
    name = f"Linked metric {view.name}" + (" (example data)" if view.is_example else "")
    found = []
    if view.variation_icon in ("concern_high", "concern_low"):
        side = "high" if view.variation_icon == "concern_high" else "low"
        found.append(f"{name}: special cause concerning variation ({side})")
    if view.assurance_icon == "consistent_fail":
        found.append(f"{name}: expected to consistently fail its target")
    return found


def _with_metric_evidence(
    frame: pd.DataFrame, links: pd.DataFrame, views: Mapping[str, MetricView]
) -> pd.DataFrame:
    frame = frame.copy()
    concerns: dict[str, list[str]] = {}
    flagged: dict[str, list[str]] = {}
    linked: dict[str, list[str]] = {}
    for objective_id, metric_id in zip(links["objective_id"], links["metric_id"], strict=True):
        linked.setdefault(objective_id, []).append(metric_id)
        view = views.get(metric_id)
        if view:
            flagged.setdefault(objective_id, []).extend(metric_exceptions(view))
        concern = metric_concern(view) if view else None
        if concern:
            concerns.setdefault(objective_id, []).append(concern)
    ids = list(frame["id"])
    frame["metrics"] = [linked.get(objective_id, []) for objective_id in ids]
    frame["metric_concerns"] = [flagged.get(objective_id, []) for objective_id in ids]
    reasons, derived = list(frame["reasons"]), list(frame["derived_status"])
    reported, rosier = list(frame["reported_rag"]), list(frame["rosier_than_evidence"])
    for i, objective_id in enumerate(ids):
        found = concerns.get(objective_id)
        if not found:
            continue
        reasons[i] = [*list(reasons[i]), *found]
        if derived[i] in ("on_track", "no_date"):
            derived[i] = "at_risk"
        reported_rank, derived_rank = STATUS_RANKS.get(reported[i]), STATUS_RANKS.get(derived[i])
        rosier[i] = bool(reported_rank and derived_rank and reported_rank > derived_rank)
    if concerns:  # only then did a value change: the columns keep their types otherwise
        frame["reasons"], frame["derived_status"] = reasons, derived
        frame["rosier_than_evidence"] = rosier
    return frame
