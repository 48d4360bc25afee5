"""A benchmark read from another organisation's rows of the same extract (`benchmark: {org:
E92000001}`): in the sandbox, after every row is judged, those rows are set apart as the
benchmark's values and never counted as the area's data.

`judged` (made by `tracker.metrics.judging`) holds every kept row valued by its metric,
whatever its organisation, and with each row its own `lower`/`upper` columns (under the
names benchmark_lower and benchmark_upper). Here, for each metric whose benchmark names
an organisation:

- that organisation's rows that load (no problem, not suppressed, not a rejected repeat)
  give the benchmark's value and 95% interval for their period (`benchmark_values`);
- all its rows then leave `judged` and `repeats`, so they are neither loaded nor
  rejected: in read = loaded + rejected + filtered + suppressed they count as filtered
  (read for the benchmark only). A benchmark row that would have been rejected gives
  no benchmark for its period, and the area's point there is not compared.

`BENCHMARKS` then pairs each loaded point of the area with its benchmark, its own
interval (the area's `lower`/`upper` columns) and, for an organisation's rows, the
benchmark's interval.
"""

from __future__ import annotations

import duckdb

from tracker.metrics.metric_sql import MetricSql

# Each loaded point with a benchmark or an interval: the benchmark's value (from its
# organisation's row, or from a column or number on the area's own row), the benchmark's
# own interval (from its organisation's row only) and the area's interval.
BENCHMARKS = """
    select l.metric_no, l.org, l.period,
        coalesce(b.value, l.benchmark_value) as benchmark_value,
        b.lower as benchmark_lower, b.upper as benchmark_upper,
        l.benchmark_lower as lower_ci, l.benchmark_upper as upper_ci
    from loaded as l
    left join benchmark_values as b on b.metric_no = l.metric_no and b.period = l.period
    where coalesce(b.value, l.benchmark_value, l.benchmark_lower, l.benchmark_upper) is not null"""


def benchmark_orgs(plans: list[MetricSql]) -> list[tuple[int, str]]:
    """Each metric (by its number in the load) whose benchmark is an organisation's rows."""
    return [(sql.number, sql.metric.benchmark.org) for sql in plans
            if sql.metric.benchmark is not None and sql.metric.benchmark.org is not None]


def set_benchmark_rows_apart(con: duckdb.DuckDBPyConnection, plans: list[MetricSql]) -> None:
    """Move the benchmark organisations' rows out of `judged` and `repeats` into
    `benchmark_values` (metric_no, period, value, lower, upper), made empty when no metric's
    benchmark is an organisation's rows."""
    pairs = benchmark_orgs(plans)
    con.execute("create or replace table benchmark_orgs (metric_no integer, org varchar)")
    if pairs:
        con.executemany("insert into benchmark_orgs values (?, ?)", pairs)
    con.execute("""
        create or replace table benchmark_values as
        select j.metric_no, j.period, any_value(j.value) as value,
            any_value(j.benchmark_lower) as lower, any_value(j.benchmark_upper) as upper
        from judged as j
        semi join benchmark_orgs as b on b.metric_no = j.metric_no and b.org = j.org
        anti join repeats as r on r.metric_no = j.metric_no and r.source_row = j.source_row
        where j.problem is null and not j.suppressed and j.period is not null
        group by j.metric_no, j.period""")
    if not pairs:
        return
    con.execute("""
        delete from repeats as r
        where exists (select 1 from judged as j
                      semi join benchmark_orgs as b on b.metric_no = j.metric_no and b.org = j.org
                      where j.metric_no = r.metric_no and j.source_row = r.source_row)""")
    con.execute("delete from judged as j using benchmark_orgs as b "
                "where b.metric_no = j.metric_no and b.org = j.org")
