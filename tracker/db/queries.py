"""Named SQL: `queries/<name>.sql` is the query `<name>`, in folders that mirror the tracker's
parts (`plans/`, `metrics/`, `status/`, `db/`), e.g. `status/objective_status`.

Queries take `$name` parameters, never string formatting. Readers open the
database read-only, so any number of dashboard sessions can share it while a
build writes the next version beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from tracker.project import Project

if TYPE_CHECKING:  # DuckDB makes the frames itself; `build` need not import pandas
    import pandas as pd


class QueryNotFound(LookupError):
    """A query name with no `.sql` file behind it."""


def query_text(project: Project, name: str) -> str:
    """The SQL of the named query, e.g. `plans/objectives_table` or `db/create_tables`."""
    path = (project.queries_dir / f"{name}.sql").resolve()
    if project.queries_dir.resolve() not in path.parents or not path.is_file():
        raise QueryNotFound(f"no query named '{name}' in {project.queries_dir}")
    return path.read_text(encoding="utf-8")


def connect_read_only(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: shares the file with other readers, never writes it."""
    return duckdb.connect(str(db_path), read_only=True)


def run_query(
    con: duckdb.DuckDBPyConnection, project: Project, name: str, **params: Any
) -> pd.DataFrame:
    """Run the named query with `$param` values and return its rows."""
    return con.execute(query_text(project, name), params or None).df()


def read_query(project: Project, name: str, **params: Any) -> pd.DataFrame:
    """Open the database read-only, run one named query, and close it again."""
    con = connect_read_only(project.db_path)
    try:
        return run_query(con, project, name, **params)
    finally:
        con.close()
