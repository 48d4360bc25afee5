"""Carrying forward: the objectives of a plan file that cannot be read now are shown as the
last good build had them, copied from that database into the new one, so a typo never
makes objectives vanish from the Board's counts."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from tracker.db.queries import query_text
from tracker.project import Project

logger = logging.getLogger(__name__)


# The tables of an objective's rows, and of a plan's, that a file which cannot be read now
# takes from the last good build (`carry_forward`).
OBJECTIVE_TABLES = ("objectives", "impacts", "actions", "partners", "risks", "objective_metrics",
                    "milestones", "targets", "updates", "signoffs")


PLAN_TABLES = ("plans", "themes", "groups", "areas")


def carry_forward(con: duckdb.DuckDBPyConnection, project: Project) -> int:
    """Show the objectives of files that cannot be read now as the last good build had them.

    A typo must not make objectives vanish from the Board's counts: the previous
    database (if there is one and it can be read) is attached read-only, and the rows of
    the unreadable files' objectives are copied from it, each marked "shown as at <date>:
    the file now has a problem". Returns how many objectives were carried; where there was
    no good build, `unread_files` still says which files could not be read.
    """
    previous = project.db_path
    if not previous.is_file():
        return 0
    try:
        con.execute(f"attach '{_sql_text(previous)}' as previous (read_only)")
    except duckdb.Error:
        logger.warning("the last build %s could not be read to carry objectives forward",
                       previous, exc_info=True)
        return 0
    con.execute("begin transaction")  # all of it or none: never half an objective
    try:
        carried = _carry_from_previous(con, project)
        con.execute("commit")
        return carried
    except duckdb.Error:  # an older or damaged database: the files are still named as unread
        logger.warning("objectives could not be carried forward from %s", previous, exc_info=True)
        con.execute("rollback")
        return 0
    finally:
        con.execute("detach previous")


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _carry_from_previous(con: duckdb.DuckDBPyConnection, project: Project) -> int:
    columns = _columns(con, "previous", "objectives")
    shown = "" if "shown_as_at" in columns else ", null::timestamp as shown_as_at"
    con.execute(f"create temp view previous_objectives as select *{shown} from previous.objectives")  # noqa: S608
    con.execute("create temp view previous_build as select * from previous.build_info")
    con.execute("create temp table carried as " + query_text(project, "db/carried_objectives"))
    con.execute("create temp table carried_plans as select plan_id from unread_files "
                "where area_id is null and plan_id not in (select plan_id from plans)")
    for table in PLAN_TABLES:
        _copy(con, table, "plan_id in (select plan_id from carried_plans)")
    for table in OBJECTIVE_TABLES:
        examples = "" if project.example_data or table != "updates" else " and not is_example"
        _copy(con, table, f"objective_id in (select objective_id from carried){examples}")  # noqa: S608
    con.execute(query_text(project, "db/mark_carried"))
    carried = con.execute("select count(*) from carried").fetchall()[0][0]
    con.execute("drop view previous_objectives")
    con.execute("drop view previous_build")
    con.execute("drop table carried")
    con.execute("drop table carried_plans")
    return int(carried)


def _columns(con: duckdb.DuckDBPyConnection, database: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() where database_name = $db and table_name = $t "
        "order by column_index", {"db": database, "t": table}).fetchall()
    return [row[0] for row in rows]


def _copy(con: duckdb.DuckDBPyConnection, table: str, where: str) -> None:
    """Copy the rows of `table` matching `where` from the previous build (the columns both have)."""
    ours = _columns(con, _database_name(con), table)
    shared = ", ".join(f'"{c}"' for c in _columns(con, "previous", table) if c in ours)
    con.execute(f"insert into {table} ({shared}) select {shared} from previous.{table} where {where}")  # noqa: S608 - our own names


def _database_name(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("select current_database()").fetchall()[0][0])
