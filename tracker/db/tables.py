"""The plans as rows: every plan and metric file read, checked against each other, and
turned into the rows of the database's plan tables (one list of dicts per table)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from tracker import cycle_collector
from tracker.access.people import Register
from tracker.metrics.definitions import PlacedMetric, load_metrics
from tracker.plans.catalogue import Catalogue, LoadedPlan, PlacedObjective, load_catalogue
from tracker.plans.models import Update
from tracker.plans.problems import Problem
from tracker.project import Project
from tracker.status.quarters import parse_quarter


@dataclass
class PlanTables:
    """The plans' rows for the database, each table as Arrow (None when it has no rows), with
    the problems of every plan and metric file and the rows counted for the build's report."""

    tables: dict[str, pa.Table | None]
    problems: list[Problem]
    counts: dict[str, int]


def plan_tables(project: Project) -> PlanTables:
    """Read every plan and metric definition and make the plans' tables (with the cycle
    collector paused: `tracker.cycle_collector` says why)."""
    with cycle_collector.paused():
        catalogue, _ = load_sources(project)
        tables = plan_rows(catalogue, project.example_data)
    return PlanTables(
        tables={name: pa.Table.from_pylist(rows) if rows else None for name, rows in tables.items()},
        problems=catalogue.problems, counts={name: len(rows) for name, rows in tables.items()})


def load_sources(project: Project) -> tuple[Catalogue, list[PlacedMetric]]:
    """Every plan and metric definition, with all their problems in `catalogue.problems`."""
    catalogue = load_catalogue(project)
    metrics, metric_problems = load_metrics(project)
    catalogue.problems.extend(metric_problems)
    catalogue.problems.extend(_unknown_metric_links(catalogue, metrics))
    catalogue.problems.sort(key=lambda p: (p.path, p.line or 0, p.message))
    return catalogue, metrics


def _unknown_metric_links(catalogue: Catalogue, metrics: list[PlacedMetric]) -> list[Problem]:
    """Objectives naming metrics that do not exist, and metrics naming unknown objectives."""
    objective_ids = {o.objective.id for o in catalogue.objectives()}
    problems = missing_metrics(catalogue.objectives(), {m.metric.id for m in metrics})
    if all(plan.complete for plan in catalogue.plans):
        problems += [
            Problem(m.path, m.line, f"metric {m.metric.id}: objective '{o}' does not exist")
            for m in metrics for o in m.metric.objectives if o not in objective_ids
        ]
    return problems


def missing_metrics(objectives: list[PlacedObjective], metric_ids: set[str]) -> list[Problem]:
    """Objectives naming metrics that do not exist."""
    return [
        Problem(o.path, o.line, f"{o.objective.id}: metric '{m}' does not exist in data/metrics/")
        for o in objectives for m in o.objective.metrics if m not in metric_ids
    ]


def month_start(text: str | None) -> dt.date | None:
    """'2024-03' -> 1 March 2024; a year alone ('2028') -> 1 December of that year."""
    if text is None:
        return None
    if len(text) == 4:
        return dt.date(int(text), 12, 1)
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def plan_rows(
    catalogue: Catalogue, example_data: bool, seen: set[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The rows of every plan table. `seen`: the objective ids of the plans before these
    (when only some plans are made again, `tracker.db.plan_folders`); it is added to."""
    tables: dict[str, list[dict[str, Any]]] = {
        name: [] for name in (
            "plans", "themes", "groups", "areas", "objectives", "impacts", "actions",
            "partners", "risks", "objective_metrics", "milestones", "targets", "updates",
            "signoffs", "problems", "unread_files",
        )
    }
    seen = set() if seen is None else seen
    present: set[tuple[str, str]] = set()  # (objective, quarter) of the update rows so far
    for position, loaded in enumerate(catalogue.plans):
        _plan_rows(loaded, position, tables)
        first_update = len(tables["updates"])
        for placed in loaded.objectives:
            if placed.objective.id in seen:
                continue  # a duplicate id: reported as a problem, the first one is kept
            seen.add(placed.objective.id)
            _objective_rows(placed, tables, catalogue.people)
        present.update((row["objective_id"], row["quarter"])
                       for row in tables["updates"][first_update:])
        if example_data:
            _example_rows(loaded, seen, present, tables)
    tables["problems"] = [
        {"path": p.path, "line": p.line, "message": p.message} for p in catalogue.problems
    ]
    tables["unread_files"] = [
        {"plan_id": u.plan_id, "area_id": u.area_id, "path": u.path, "line": u.problem.line,
         "message": u.problem.message, "shown_as_at": None, "objectives": 0}
        for u in catalogue.unread
    ]
    return tables


def _plan_rows(loaded: LoadedPlan, position: int, tables: dict[str, list[dict[str, Any]]]) -> None:
    plan = loaded.plan
    tables["plans"].append({
        "plan_id": plan.id, "name": plan.name, "owner": plan.owner,
        "period_start": month_start(plan.period.start), "period_end": month_start(plan.period.end),
        "source": plan.source, "vision": plan.vision, "position": position,
    })
    tables["themes"] += [
        {"plan_id": plan.id, "theme_id": t.id, "name": t.name, "description": t.description,
         "position": i} for i, t in enumerate(plan.themes)
    ]
    area_position = 0
    for g, group in enumerate(plan.groups):
        tables["groups"].append(
            {"plan_id": plan.id, "group_id": group.id, "name": group.name, "position": g}
        )
        for area in group.areas:
            tables["areas"].append({
                "plan_id": plan.id, "group_id": group.id, "area_id": area.id,
                "name": area.name, "code": area.code, "position": area_position,
            })
            area_position += 1


def _listed(objective_id: str, column: str, values: Iterable[str]) -> list[dict[str, Any]]:
    return [{"objective_id": objective_id, "position": i, column: v} for i, v in enumerate(values)]


def _objective_rows(
    placed: PlacedObjective, tables: dict[str, list[dict[str, Any]]], people: Register
) -> None:
    o = placed.objective
    leads = [people.by_id(i) for i in o.lead]
    emails = [p.email for p in leads if p is not None]
    tables["objectives"].append({
        "objective_id": o.id, "plan_id": placed.plan_id, "group_id": placed.group_id,
        "area_id": placed.area_id, "position": placed.position, "objective": o.objective,
        "timeframe": o.timeframe, "target_month": month_start(o.target_date),
        "rationale": o.rationale, "lead": "; ".join(people.names(list(o.lead))) or None,
        "lead_email": "; ".join(emails) or o.lead_email, "lead_ids": list(o.lead),
        "lead_as_published": o.lead_as_published, "notes": o.notes,
        "source_path": placed.path, "source_line": placed.line,
        "problem": "; ".join(map(str, placed.problems)) or None, "shown_as_at": None,
    })
    tables["impacts"] += _listed(o.id, "impact", o.impacts)
    tables["actions"] += _listed(o.id, "action", o.actions)
    tables["partners"] += _listed(o.id, "partner", o.partners)
    tables["risks"] += _listed(o.id, "risk", o.risks)
    tables["objective_metrics"] += [{"objective_id": o.id, "metric_id": m} for m in o.metrics]
    tables["milestones"] += [
        {"objective_id": o.id, "position": i, "description": m.description, "due": m.due,
         "due_month": month_start(m.due), "completed_month": month_start(m.completed)}
        for i, m in enumerate(o.milestones)
    ]
    tables["targets"] += [
        {"objective_id": o.id, "position": i, "measure": t.measure, "value": t.value,
         "unit": t.unit, "baseline": t.baseline, "due": t.due, "due_month": month_start(t.due),
         "metric_id": t.metric}
        for i, t in enumerate(o.targets)
    ]
    quarters_done: set[str] = set()
    for update in o.updates:
        if update.quarter not in quarters_done:  # a second one for a quarter is a reported problem
            _update_rows(o.id, update, False, placed.path, placed.line, tables)
            quarters_done.add(update.quarter)


def _example_rows(
    loaded: LoadedPlan, known: set[str], present: set[tuple[str, str]],
    tables: dict[str, list[dict[str, Any]]],
) -> None:
    """Example updates fill only the quarters with no real update: real ones replace them.

    `known` holds the objective ids so far and `present` the (objective, quarter) pairs of
    the update rows so far (this adds to it).
    """
    for example in loaded.examples:
        update = example.update
        key = (update.objective, update.quarter)
        if update.objective in known and key not in present:
            _update_rows(update.objective, update, True, example.path, example.line, tables)
            present.add(key)


def _update_rows(
    objective_id: str, update: Update, is_example: bool, path: str, line: int | None,
    tables: dict[str, list[dict[str, Any]]],
) -> None:
    quarter = parse_quarter(update.quarter)
    tables["updates"].append({
        "objective_id": objective_id, "quarter": update.quarter,
        "quarter_start": quarter.start_month, "quarter_end": quarter.end_date,
        "rag": update.rag, "commentary": update.commentary, "mitigations": update.mitigations,
        "updated_by": update.updated_by, "updated_on": update.updated_on,
        "is_example": is_example, "source_path": path, "source_line": line,
    })
    tables["signoffs"] += [
        {"objective_id": objective_id, "quarter": update.quarter, "org": s.org,
         "signed_by": s.by, "signed_on": s.on}
        for s in update.signoffs
    ]
