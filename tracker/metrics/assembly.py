"""Points made of several rows (`tracker.metrics.long_forms`): what each such metric needs,
written into the sandbox as small tables, and `queries/metrics/extracts/assemble.sql` run over the
rows judged one by one.

Every row still ends up loaded, rejected, filtered or suppressed: a row that passed on its
own but makes no point (its period lacks the other side of the ratio, or a combined
organisation's part) is rejected with that reason, and a point's rows all count as loaded
(`source_rows` says how many a point is made of, so the counts reconcile).
"""

from __future__ import annotations

import duckdb

from tracker.db.queries import query_text
from tracker.metrics.long_forms import side_where
from tracker.metrics.metric_sql import MetricSql
from tracker.project import Project

_SPECS = """
    create or replace table assembly_metrics (metric_no integer, ratio boolean);
    create or replace table assembly_sides (metric_no integer, side varchar, side_where varchar);
    create or replace table assembly_parts (metric_no integer, org varchar, part varchar, position integer);
"""
# When no metric of the extract is made of several rows: the outputs, empty.
_NOTHING = """
    create or replace table assembled (metric_no integer, org varchar, period date, value double,
        numerator double, denominator double, source_row integer, source_rows integer);
    create or replace table assembly_rejects (metric_no integer, source_row integer, reason varchar);
"""


def assemble(con: duckdb.DuckDBPyConnection, project: Project, plans: list[MetricSql]) -> None:
    """Make the points of the metrics made of several rows (table `assembled`), and reject
    with its reason each of their rows that makes none (`assembly_rejects`)."""
    con.execute(_SPECS)
    several = [sql for sql in plans if sql.assembled]
    if not several:
        con.execute(_NOTHING)
        return
    for sql in several:
        source = sql.metric.source
        con.execute("insert into assembly_metrics values ($no, $ratio)",
                    {"no": sql.number, "ratio": sql.numerator is not None})
        sides = ([(s, side_where(getattr(source, s))) for s in ("numerator", "denominator")]
                 if sql.sides is not None else [(None, None)])
        con.executemany("insert into assembly_sides values (?, ?, ?)",
                        [(sql.number, side, where) for side, where in sides])
        parts = [(sql.number, org, part, position) for org, members in (source.combine or {}).items()
                 for position, part in enumerate(members)]
        if parts:
            con.executemany("insert into assembly_parts values (?, ?, ?, ?)", parts)
    con.execute(query_text(project, "metrics/extracts/assemble"))
