"""Make again the rows of only the plans whose files changed, in a copy of the last build.

Reading YAML is most of a build's time at a region's scale (1,200 plan files: seconds), and
a lead edits one file. A plan's rows depend on its own folder, except where plans meet:
an objective id used in two plans, an example update naming another plan's objective, a
file that cannot be read (its objectives carried from an older build), and the checks of
metrics against every objective. When any of these is in play, this declines and the
build reads every plan, as a cold build does; otherwise the rows are exactly a cold build's.
"""

from __future__ import annotations

import logging
from typing import Any

import duckdb
import pyarrow as pa

from tracker.db.carry import OBJECTIVE_TABLES, PLAN_TABLES
from tracker.db.tables import missing_metrics, plan_rows
from tracker.plans.catalogue import Catalogue, LoadedPlan, load_people, load_plan_folders
from tracker.plans.problems import display_path
from tracker.project import Project

logger = logging.getLogger(__name__)


def replace_plan_folders(
    con: duckdb.DuckDBPyConnection, project: Project, folders: set[str], metric_ids: set[str]
) -> bool:
    """Replace, in the database open on `con` (a copy of the last build), the rows of the
    plans in `folders` with their files as they are now. False, with nothing changed, when
    another plan's rows could change too (the caller then makes every plan again)."""
    why = _entangled(con)
    if why:
        logger.info("reading every plan again: %s", why)
        return False
    plans = dict(con.execute("select plan_id, position from plans").fetchall())
    if not folders <= plans.keys():
        return False
    owners = dict(con.execute("select objective_id, plan_id from objectives").fetchall())
    catalogue = load_plan_folders(project, [project.objectives_dir / f for f in sorted(folders)],
                                  load_people(project, Catalogue()))
    why = _crosses_plans(catalogue, folders, owners)
    if why:
        logger.info("reading every plan again: %s", why)
        return False
    tables = _rows(catalogue, plans, owners, project.example_data)
    tables["problems"] = [{"path": p.path, "line": p.line, "message": p.message} for p in
                          catalogue.problems + missing_metrics(catalogue.objectives(), metric_ids)]
    _delete(con, project, folders, [o for o, plan in owners.items() if plan in folders])
    for table, rows in tables.items():
        if rows:
            con.register("incoming", pa.Table.from_pylist(rows))
            try:
                con.execute(f"insert into {table} by name select * from incoming")  # noqa: S608 - our names
            finally:
                con.unregister("incoming")
    return True


def _entangled(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why, in the last build, plans could depend on each other; None when they do not."""
    if con.execute("select count(*) from unread_files").fetchall()[0][0]:
        return "a plan file could not be read at the last build"
    if con.execute("select count(*) from problems where message like '%ids must be unique across "
                   "all plans'").fetchall()[0][0]:
        return "an objective id was used in two places at the last build"
    crossing = con.execute("""
        select count(*) from updates as u join objectives as o using (objective_id)
        where u.is_example and not starts_with(u.source_path, 'objectives/' || o.plan_id || '/')
        """).fetchall()[0][0]
    return "an example update names another plan's objective" if crossing else None


def _crosses_plans(catalogue: Catalogue, folders: set[str], owners: dict[str, str]) -> str | None:
    """Why the plans read now could change other plans' rows; None when they cannot."""
    if catalogue.unread or len(catalogue.plans) != len(folders):
        return "a changed plan file cannot be read"
    for loaded in catalogue.plans:
        if loaded.plan.id not in folders:
            return f"plan {loaded.plan.id} is not in a folder of that name"
        ids = {o.objective.id for o in loaded.objectives}
        if ids != {o for o, plan in owners.items() if plan == loaded.plan.id}:
            return f"plan {loaded.plan.id} has objectives added, removed or renamed"
        if any(e.update.objective not in ids and e.update.objective in owners for e in loaded.examples):
            return f"plan {loaded.plan.id} has an example update of another plan's objective"
    others = {o for o, plan in owners.items() if plan not in folders}
    if any(written in others for written, _, _ in catalogue.written_ids):
        return "an objective id is used in two plans"
    return None


def _rows(catalogue: Catalogue, positions: dict[str, int], owners: dict[str, str],
          example_data: bool) -> dict[str, list[dict[str, Any]]]:
    """The plans' rows as a cold build makes them: each plan at its place, knowing the
    objectives of the plans before it (which example updates may fill)."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for loaded in sorted(catalogue.plans, key=lambda p: positions[p.plan.id]):
        before = {o for o, plan in owners.items() if positions[plan] < positions[loaded.plan.id]}
        tables = plan_rows(_alone(catalogue, loaded), example_data, before)
        for row in tables["plans"]:
            row["position"] = positions[loaded.plan.id]
        for name, rows in tables.items():
            merged.setdefault(name, []).extend(rows)
    return merged


def _alone(catalogue: Catalogue, loaded: LoadedPlan) -> Catalogue:
    return Catalogue(plans=[loaded], people=catalogue.people, signoff_orgs=catalogue.signoff_orgs)


def _delete(con: duckdb.DuckDBPyConnection, project: Project, folders: set[str],
            objective_ids: list[str]) -> None:
    """Remove the rows of the plans in `folders` (their objectives: `objective_ids`)."""
    for table in (*PLAN_TABLES, "objectives"):
        con.execute(f"delete from {table} where list_contains($f, plan_id)", {"f": sorted(folders)})  # noqa: S608
    for table in OBJECTIVE_TABLES[1:]:
        con.execute(f"delete from {table} where list_contains($ids, objective_id)",  # noqa: S608
                    {"ids": objective_ids})
    for folder in folders:
        prefix = display_path(project.objectives_dir / folder, project.root) + "/"
        con.execute("delete from problems where starts_with(path, $prefix)", {"prefix": prefix})
