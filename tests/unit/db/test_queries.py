"""Named SQL: `queries/<name>.sql` is the query `<name>`, run with `$name` parameters on a
read-only connection."""

from __future__ import annotations

import duckdb
import pytest

from tracker.db.build import build
from tracker.db.queries import QueryNotFound, connect_read_only, query_text, read_query, run_query
from tracker.project import Project


def test_a_query_is_found_by_its_file_name(minimal_project: Project) -> None:
    path = minimal_project.queries_dir / "plans" / "plans.sql"
    assert query_text(minimal_project, "plans/plans") == path.read_text()
    assert "create" in query_text(minimal_project, "db/create_tables").lower()


@pytest.mark.parametrize("name", ["no_such_query", "../settings", "build", "/etc/passwd"])
def test_a_name_with_no_sql_file_in_queries_is_refused_by_name(minimal_project: Project, name: str) -> None:
    (minimal_project.root / "settings.sql").write_text("select 1")  # beside queries/, not in it
    with pytest.raises(QueryNotFound, match=f"no query named '{name}' in "):
        query_text(minimal_project, name)


def test_parameters_are_passed_by_name_not_formatted_into_the_sql(minimal_project: Project) -> None:
    (minimal_project.queries_dir / "greeting.sql").write_text("select $who || ' owns ' || $what as line")
    build(minimal_project)
    hostile = "x'; drop table plans; --"
    frame = read_query(minimal_project, "greeting", who=hostile, what="LW-CAN-01")
    assert list(frame["line"]) == [f"{hostile} owns LW-CAN-01"]
    assert list(read_query(minimal_project, "plans/plans")["plan_id"]) == ["demo-plan"]  # untouched


def test_a_shipped_named_query_with_parameters(minimal_project: Project) -> None:
    """`changes` takes $quarter, $previous_quarter and $status_ranks: the Q1 update is new."""
    from tracker.status.rag import status_rank_rows

    build(minimal_project)
    con = connect_read_only(minimal_project.db_path)
    try:
        frame = run_query(con, minimal_project, "status/changes", quarter="2023-24 Q1",
                          previous_quarter="2022-23 Q4", plan_id=None, status_ranks=status_rank_rows())
    finally:
        con.close()
    assert [(r.objective_id, r.rag, r.movement) for r in frame.itertuples()] == [
        ("LW-CAN-01", "green", "new")]


def test_readers_never_write_the_database(minimal_project: Project) -> None:
    build(minimal_project)
    con = connect_read_only(minimal_project.db_path)
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("delete from plans")
    finally:
        con.close()
    assert list(read_query(minimal_project, "plans/plans")["name"]) == ["Demo Plan 2023-25"]
