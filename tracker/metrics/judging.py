"""Judge every metric of one locked sandbox at once: each kept row valued and either
loaded or rejected with its reason (table `judged`), repeats found (`repeats`), points made
of several rows put together (`tracker.metrics.assembly`), and the counts that reconcile
(read = loaded + rejected + filtered + suppressed).

All metrics of a file are judged in one statement; only when that fails is each tried
alone, so the metric whose expression fails on this file is reported and the others load.
The row-level rules themselves are SQL in `queries/metrics/extracts/`.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pyarrow as pa

from tracker.db.queries import query_text
from tracker.metrics.assembly import assemble
from tracker.metrics.definitions import Metric
from tracker.metrics.extract_report import FileRow, file_row, first_line
from tracker.metrics.metric_sql import MetricFailed, MetricSql, branch_sql, metric_sql, reading_key
from tracker.metrics.row_numbers import rows_at
from tracker.metrics.sql_quoting import quote_literal, quote_name
from tracker.metrics.sqlguard import UnsafeExpression
from tracker.project import Project


def _judge(con: duckdb.DuckDBPyConnection, plans: list[MetricSql], columns: list[str],
           native: frozenset[str]) -> None:
    """Every metric's kept rows, valued and judged, in one table `judged` (one statement)."""
    benchmarks = any(sql.metric.benchmark for sql in plans)
    alike: dict[tuple[object, ...], list[MetricSql]] = defaultdict(list)
    for sql in plans:
        alike[reading_key(sql)].append(sql)

    def judge(first_match: bool) -> None:
        branches = " union all ".join(branch_sql(group, columns, native, benchmarks, first_match)
                                      for group in alike.values())
        con.execute(f"create or replace table judged as {branches}")

    judge(first_match=True)
    if con.execute("select coalesce(bool_or(kept_twice), false) from judged").fetchall()[0][0]:
        judge(first_match=False)  # some row is kept by two metrics: each gets it


def _runnable(con: duckdb.DuckDBPyConnection, plans: list[MetricSql], columns: list[str],
              native: frozenset[str], results: dict[str, FileRow], shown: str) -> list[MetricSql]:
    """Judge all metrics at once; if that fails, find the metrics whose SQL fails on this
    extract (reported as failed) and judge the others."""
    try:
        _judge(con, plans, columns, native)
        return plans
    except duckdb.Error:
        pass
    good = []
    for sql in plans:
        try:
            _judge(con, [sql], columns, native)
            good.append(sql)
        except duckdb.Error as exc:
            results[sql.metric.id] = file_row(
                shown, sql.metric.id, "failed",
                message=f"metric {sql.metric.id}: the expression failed on this extract: {first_line(exc)}")
    if good:
        _judge(con, good, columns, native)
    return good


def _lookup_periods(con: duckdb.DuckDBPyConnection, project: Project, plans: list[MetricSql]) -> None:
    """Parse each distinct period text once per period column and frequency."""
    for column, frequency in sorted({(sql.period, sql.metric.frequency) for sql in plans}):
        con.execute(f"create or replace view period_texts as select {quote_name(column)}::varchar "
                    "as period_text from raw")
        con.execute(query_text(project, "metrics/extracts/period_lookup"),
                    {"column": column, "frequency": frequency})


def judge_file(con: duckdb.DuckDBPyConnection, project: Project, metrics: list[tuple[int, Metric]],
               columns: list[str], shown: str, native: frozenset[str] = frozenset(),
               ) -> tuple[list[MetricSql], dict[str, FileRow]]:
    """Check and judge every metric of one extract, set-based, into `judged` and `repeats`
(and `assembled` and `assembly_rejects`, for points made of several rows).

    Returns the metrics that ran, and an `extract_files` row for each that did not.
    """
    results: dict[str, FileRow] = {}
    plans = []
    orgs: dict[str, str] = {}
    for number, metric in metrics:
        try:
            plans.append(metric_sql(con, metric, number, columns, orgs))
        except UnsafeExpression as exc:
            results[metric.id] = file_row(shown, metric.id, "refused", message=f"metric {metric.id}: {exc}")
        except MetricFailed as exc:
            results[metric.id] = file_row(shown, metric.id, "failed", message=f"metric {metric.id}: {exc}")
    if plans:
        _lookup_periods(con, project, plans)
        plans = _runnable(con, plans, columns, native, results, shown)
    if plans:
        con.execute(query_text(project, "metrics/extracts/repeats"))
        assemble(con, project, plans)
    return plans, results


def count_rows(con: duckdb.DuckDBPyConnection, plans: list[MetricSql], shown: str,
               rows_read: int) -> dict[str, FileRow]:
    """Each judged metric's row counts: read = loaded + rejected + filtered + suppressed
    (a row that passed on its own is rejected if it is a repeat or makes no point)."""
    parse_rejects = con.execute("select count(*) from parse_rejects").fetchall()[0][0]
    found = {row[0]: (row[1], row[2], row[3]) for row in con.execute("""
        select j.metric_no,
               count(*) filter (j.problem is null and not j.suppressed) - coalesce(any_value(r.n), 0),
               count(j.problem) + coalesce(any_value(r.n), 0), count(*) filter (j.suppressed)
        from judged as j
        left join (
            select metric_no, count(*) as n
            from (select metric_no from repeats union all select metric_no from assembly_rejects)
            group by metric_no
        ) as r on r.metric_no = j.metric_no
        group by j.metric_no""").fetchall()}
    results = {}
    for sql in plans:
        loaded, rejected, suppressed = found.get(sql.number, (0, 0, 0))
        rejected += parse_rejects
        results[sql.metric.id] = file_row(shown, sql.metric.id, "loaded", rows_read=rows_read,
                                          rows_loaded=loaded, rows_rejected=rejected,
                                          rows_suppressed=suppressed,
                                          rows_filtered=rows_read - loaded - rejected - suppressed)
    return results


def collect_rejects(sandbox: duckdb.DuckDBPyConnection, columns: list[str], numbers: list[int],
                    parquet: bool) -> pa.Table:
    """Each metric's rejected rows with their reasons and the row's text as read. (A Parquet
    file's rows are joined in their own types and only the rejected ones turned into text.)"""
    # One concat_ws over the columns, not a chain of ||: a chain is as deep as the file is
    # wide, and DuckDB refuses expressions over 1000 deep (some 330 columns).
    raw_text = ("concat_ws(', ', " + ", ".join(
        f"{quote_literal(c + '=')} || coalesce(raw.{quote_name(c)}::varchar, '')" for c in columns) + ")"
        if columns else "''")
    rejected = """
            select metric_no, source_row, problem as reason from judged where problem is not null
            union all
            select metric_no, source_row, reason from repeats
            union all
            select metric_no, source_row, reason from assembly_rejects
            union all
            select m.metric_no, p.source_row, p.reason
            from (select unnest($numbers) as metric_no) as m, parse_rejects as p"""
    return sandbox.sql(f"""
        with rejected as ({rejected})
        select r.metric_no, r.source_row, r.reason, coalesce(p.raw, {raw_text}) as raw
        from rejected as r
        left join ({rows_at(sandbox, "raw_native" if parquet else "raw", rejected)}) as raw
            on raw.source_row = r.source_row
        left join parse_rejects as p on p.source_row = r.source_row""",
        params={"numbers": numbers}).to_arrow_table()
