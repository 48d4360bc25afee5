"""Load analysts' extracts, as published, into one long table of metric values: the entry
point (`load_extracts`, which `tracker.db.build` calls), and one file's load from start to end.

Every source row ends up either loaded into `metric_values` or rejected into
`extract_rejects` with its row number and a reason, or, when the metric's
`filter` leaves it out (or it is a benchmark organisation's row, read for the
benchmark only), counted as filtered: rows read = loaded + rejected + filtered
(+ suppressed) for every metric of every extract. A file that cannot be read is
one entry in `extract_files` with its path and what is wrong; the others load.

Each extract is read once into its own in-memory DuckDB (the sandbox), every
column as text (a Parquet file's number columns also as the numbers they are)
with row numbers as a person sees them. The sandbox then switches off file
access and locks its configuration before any analyst's expression runs in
it, so even an expression that got past `tracker.metrics.sqlguard` could not read a
file or touch the database being built. The row-level work is set-based SQL
(`queries/metrics/extracts/`), one pass over the rows for all the metrics that read
them alike; the results travel to the build's connection as Arrow. Python only
reads workbooks (DuckDB 2.0 has no Excel reader here: `tracker.metrics.readers`) and re-encodes Windows-1252
CSVs to UTF-8, whole-file.

The steps, each in its own module of `tracker.metrics`:

- `sandbox`: the sandbox, its locking, and the limits of memory, time and size;
- `extract_reading`: a file into the sandbox's `raw` table (CSV encodings, workbooks,
  Parquet), and `row_numbers`: a CSV record's line number in the file;
- `metric_sql`: a metric's checked expressions and the SQL that values its rows;
- `judging`: every metric of a file judged at once, counted, its rejected rows collected;
- `benchmark_rows`: a benchmark organisation's rows set apart as the benchmark's values;
- `assembly`: points made of several rows (a long file's numerator and denominator rows,
  organisations combined), put together after the rows are judged one by one;
- `metric_tables`: the definitions and the sandboxes' results written into the build;
- `extract_report`: the `extract_files` rows and the report `build` prints.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pyarrow as pa

from tracker.db.queries import query_text
from tracker.metrics.benchmark_rows import BENCHMARKS, set_benchmark_rows_apart
from tracker.metrics.definitions import Metric, PlacedMetric, extract_path
from tracker.metrics.extract_reading import TooLarge, UnreadableExtract, native_numbers, raw_columns, read_raw
from tracker.metrics.extract_report import ExtractReport, file_row, first_line
from tracker.metrics.judging import collect_rejects, count_rows, judge_file
from tracker.metrics.metric_tables import FileResult, Writer, insert_definitions, insert_file_rows
from tracker.metrics.sandbox import Deadline, Limits, lock_sandbox, open_sandbox
from tracker.project import Project

__all__ = ["ExtractReport", "load_extracts"]

logger = logging.getLogger(__name__)

# Extracts worked on at once: each sandbox's queries are small, so files in parallel use the
# cores better than one file's queries do. Fewer files than that (a build that judges one
# replaced extract again) share the cores among their sandboxes instead (0.60 s -> 0.44 s for
# one 500,000-row extract on 2 cores).
CORES = os.cpu_count() or 1
WORKERS = min(2, CORES)


def load_extracts(
    con: duckdb.DuckDBPyConnection, project: Project, metrics: list[PlacedMetric]
) -> ExtractReport:
    """Fill the metric tables (already created) from every metric's extract.

    Each file is read once for all the metrics that read it the same way (same sheet,
    header row, encoding and delimiter), in its own sandbox; two files are worked on at
    once (the machine's cores), and what they make is written here in file order. One bad
    file or metric spoils nothing else.
    """
    insert_definitions(con, metrics)
    return load_extract_files(con, project, metrics)


def load_extract_files(
    con: duckdb.DuckDBPyConnection, project: Project, metrics: list[PlacedMetric],
    only: frozenset[str] | None = None,
) -> ExtractReport:
    """`load_extracts` without the definitions: the extracts of `metrics` (numbered in this
    order), or only those whose `source.file` is in `only` (a build that redoes only the
    extracts that changed)."""
    readings: dict[tuple[str, ...], list[tuple[int, Metric]]] = defaultdict(list)
    for number, placed in enumerate(metrics):
        source = placed.metric.source
        if only is not None and source.file not in only:
            continue
        key = (source.file, source.sheet or "", str(source.header_row), source.encoding or "",
               source.delimiter or "")
        readings[key].append((number, placed.metric))
    writer = Writer(con, metrics)
    if only is not None:  # the extracts judged again bring their own labels
        writer.forget_period_labels(keep=[p.metric.id for p in metrics if p.metric.source.file not in only])
    report = ExtractReport()
    workers = max(1, min(WORKERS, len(readings)))
    threads = max(1, CORES // workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(lambda key: load_file(project, readings[key], threads), sorted(readings)):
            writer.add(result)
            report.files += result.files
    writer.flush()
    insert_file_rows(con, report.files)
    return report


def load_file(project: Project, group: list[tuple[int, Metric]], threads: int = 1) -> FileResult:
    """Read one extract into a sandbox, lock it, and judge the metrics that read it
    (`group`: each metric with its number in the load; they share the file and how it is read;
    `threads`: the sandbox's share of the cores)."""
    relative = group[0][1].source.file
    shown = f"data/{relative}"
    limits = Limits.of(project)
    sandbox = open_sandbox(threads=threads, memory_mb=limits.memory_mb)
    deadline = Deadline(sandbox, limits.seconds)
    try:
        result = _load_in(sandbox, project, group, shown, limits, lambda: deadline.expired)
    except duckdb.Error as exc:  # out of memory, or interrupted: this file fails, the others load
        logger.info("extract %s failed", shown, exc_info=True)
        message = (f"{shown} needs more than {limits.memory_mb:,} MB to load (setting "
                   "extract_memory_limit_mb): make the file smaller, or raise the limit in settings.yaml"
                   if isinstance(exc, duckdb.OutOfMemoryException)
                   else f"{shown} could not be loaded: {first_line(exc)}")
        result = FileResult([file_row(shown, m.id, "failed", message=message) for _, m in group])
    finally:
        expired = deadline.stop()
        sandbox.close()
    if expired:
        message = (f"{shown} took longer than {limits.seconds:,} s to load (setting "
                   "extract_time_limit_seconds): make the file smaller or its metrics' "
                   "expressions simpler, or raise the limit in settings.yaml")
        result = FileResult([file_row(shown, m.id, "failed", message=message) for _, m in group])
    return result


# The points of one row each: the rows that passed, but repeats (and, when some metric's
# points are made of several rows, that metric's rows: they are in `assembled`).
_LOADED = """create or replace view loaded as
    select j.* from judged as j
    anti join repeats as r on r.metric_no = j.metric_no and r.source_row = j.source_row
    where j.problem is null and not j.suppressed"""
_LOADED_OF_ONE_ROW = """create or replace view loaded as
    select j.* from judged as j
    anti join repeats as r on r.metric_no = j.metric_no and r.source_row = j.source_row
    anti join assembly_metrics as a on a.metric_no = j.metric_no
    where j.problem is null and not j.suppressed"""


def _load_in(sandbox: duckdb.DuckDBPyConnection, project: Project, group: list[tuple[int, Metric]],
             shown: str, limits: Limits, expired: Callable[[], bool]) -> FileResult:
    """`load_file`'s work in its sandbox."""
    relative = group[0][1].source.file
    path = extract_path(project, relative)
    try:
        if path is None:  # load_metrics refuses these; this is the last line of defence
            raise UnreadableExtract(f"{shown} is outside data/")
        rows_read = read_raw(sandbox, path, group[0][1], shown, limits, expired)
    except (UnreadableExtract, OSError) as exc:
        message = str(exc) if isinstance(exc, UnreadableExtract) else f"{shown}: {exc.strerror or exc}"
        status = "refused" if isinstance(exc, TooLarge) else "unreadable"
        return FileResult([file_row(shown, m.id, status, message=message) for _, m in group])
    lock_sandbox(sandbox, project)
    columns = raw_columns(sandbox)
    parquet = path.suffix.lower() == ".parquet"
    native = native_numbers(sandbox) if parquet else frozenset()
    plans, results = judge_file(sandbox, project, group, columns, shown, native)
    if not plans:
        return FileResult([results[m.id] for _, m in group])
    benchmarked = any(sql.metric.benchmark for sql in plans)
    if benchmarked:  # a benchmark organisation's rows are the benchmark's, not the area's data
        set_benchmark_rows_apart(sandbox, plans)
    results.update(count_rows(sandbox, plans, shown, rows_read))
    several = any(sql.assembled for sql in plans)  # points made of several rows: apart
    sandbox.execute(_LOADED_OF_ONE_ROW if several else _LOADED)
    values = sandbox.sql("select metric_no, org, period, value, numerator, denominator, source_row "
                         "from loaded").to_arrow_table()
    labels = (sandbox.sql(query_text(project, "metrics/extracts/period_labels")).to_arrow_table()
              if _has_pooled_periods(sandbox) else None)
    assembled = sandbox.sql("select * from assembled").to_arrow_table() if several else None
    benchmarks = _benchmarks(sandbox, several) if benchmarked else None
    rejects = collect_rejects(sandbox, columns, [sql.number for sql in plans], parquet)
    return FileResult([results[m.id] for _, m in group], values, benchmarks, rejects, assembled, labels)


def _has_pooled_periods(sandbox: duckdb.DuckDBPyConnection) -> bool:
    """Whether any period text of the file is a pooled run (one row per distinct text: most
    files have none, and then the labels' pass over every judged row is not made)."""
    found = sandbox.execute("select coalesce(bool_or(pooled), false) from period_lookup").fetchall()
    return bool(found[0][0])


def _benchmarks(sandbox: duckdb.DuckDBPyConnection, several: bool) -> pa.Table:
    """The benchmark beside each loaded point (`BENCHMARKS`). A point made of several rows
    (`several`: there are such) has one when its rows agree on it (England's figure is the
    same on every row of a period); it has no interval of its own (rows' intervals do not add)."""
    one_row = sandbox.sql(BENCHMARKS)
    if not several:
        return one_row.to_arrow_table()
    return one_row.union(sandbox.sql("""
        select a.metric_no, a.org, a.period,
            coalesce(b.value, a.benchmark_value) as benchmark_value,
            b.lower as benchmark_lower, b.upper as benchmark_upper,
            null::double as lower_ci, null::double as upper_ci
        from (select metric_no, org, period,
                  case when min(benchmark_value) = max(benchmark_value)
                       then min(benchmark_value) end as benchmark_value
              from assembly_rows
              semi join assembled using (metric_no, org, period)
              group by metric_no, org, period) as a
        left join benchmark_values as b on b.metric_no = a.metric_no and b.period = a.period
        where coalesce(b.value, a.benchmark_value) is not null
        """)).to_arrow_table()
