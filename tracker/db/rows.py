"""A few Python rows into a table, passed to DuckDB as query parameters (a list per column).

Not through pyarrow: building an Arrow table from Python objects makes pyarrow import pandas,
0.14 s that a build which judges one extract again would otherwise spend on its hundred
`extract_files` rows. For the many rows of a cold build's plans Arrow is still the way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb

from tracker.metrics.sql_quoting import quote_name


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Mapping[str, object]]) -> None:
    """Insert `rows` (each with the same keys, the table's column names) into `table`
    (one of ours: its name is not quoted)."""
    if not rows:
        return
    columns = list(rows[0])
    select = ", ".join(f"unnest(${n}) as {quote_name(column)}" for n, column in enumerate(columns, start=1))
    con.execute(f"insert into {table} by name select {select}",
                [[row[column] for row in rows] for column in columns])
