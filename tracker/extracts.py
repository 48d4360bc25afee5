"""Load analysts' extracts, as published, into one long table of metric values.

Every source row ends up either loaded into `metric_values` or rejected into
`extract_rejects` with its row number and a reason (or, when the metric's
`filter` leaves it out, counted as filtered), so rows read = loaded +
rejected + filtered for every extract. A file that cannot be read is one
entry in `extract_files` with its path and what is wrong; the others load.

The row-level work is set-based DuckDB SQL. Python only reads XLSX (DuckDB
2.0 has no Excel reader here) and re-encodes Windows-1252 CSVs to UTF-8.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from tracker.metrics import PlacedMetric, extract_path
from tracker.project import Project
from tracker.sqlguard import UnsafeExpression, check_expression

# Period text to the first day of its month (quarters: their first month). Order matters:
# the first format that parses wins.
PERIOD_SQL = """
date_trunc('month', coalesce(
    try_strptime({p}, '%Y-%m-%d')::date,
    try_strptime({p}, '%Y-%m-%d %H:%M:%S')::date,
    try_strptime({p}, '%d/%m/%Y')::date,
    try_strptime({p}, '%Y-%m')::date,
    try_strptime({p}, '%b-%y')::date,
    try_strptime({p}, '%b %Y')::date,
    try_strptime({p}, '%B %Y')::date,
    try_strptime({p}, '%B-%y')::date,
    case when regexp_full_match({p}, '(?i)\\d{{4}}\\s*[-/]\\s*\\d{{2}}(\\d{{2}})?\\s*Q[1-4]')
        then make_date(
            cast(regexp_extract({p}, '^(\\d{{4}})', 1) as integer)
                + (cast(regexp_extract({p}, '(?i)Q([1-4])', 1) as integer) = 4)::integer,
            ((cast(regexp_extract({p}, '(?i)Q([1-4])', 1) as integer) * 3) % 12) + 1, 1)
    end,
    case when regexp_full_match({p}, '(?i)Q[1-4]\\s*\\d{{2}}(\\d{{2}})?\\s*[-/]\\s*\\d{{2}}(\\d{{2}})?')
        then make_date(
            (case when length(regexp_extract({p}, '(?i)Q[1-4]\\s*(\\d+)', 1)) = 2 then 2000 else 0 end)
                + cast(regexp_extract({p}, '(?i)Q[1-4]\\s*(\\d+)', 1) as integer)
                + (cast(regexp_extract({p}, '(?i)Q([1-4])', 1) as integer) = 4)::integer,
            ((cast(regexp_extract({p}, '(?i)Q([1-4])', 1) as integer) * 3) % 12) + 1, 1)
    end
))
"""


@dataclass
class ExtractReport:
    """What happened to each extract, for `build` to print and the dashboard to show."""

    files: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for f in self.files:
            name = f"{f['source_file']} ({f['metric_id']})" if f["metric_id"] else f["source_file"]
            if f["status"] != "loaded":
                out.append(f"{name}: {f['status']}: {f['message']}")
                continue
            filtered = f" + filtered {f['rows_filtered']}" if f["rows_filtered"] else ""
            out.append(f"{name}: read {f['rows_read']} = loaded {f['rows_loaded']} + rejected "
                       f"{f['rows_rejected']}{filtered}")
        return out

    @property
    def problems(self) -> list[str]:
        return [line for f, line in zip(self.files, self.lines(), strict=True)
                if f["status"] != "loaded"]


class UnreadableExtract(Exception):
    """A file that cannot be read at all: missing, empty, or not the format it claims."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- reading one file into a raw table of text columns, with row numbers --------------


def read_raw(con: duckdb.DuckDBPyConnection, path: Path, table: str, metric: PlacedMetric) -> int:
    """Read an extract into `table` (every column as text, plus source_row); return bad lines
    rejected by the parser into `{table}_parse_rejects`."""
    if not path.is_file():
        raise UnreadableExtract(f"file not found: {path}")
    if path.stat().st_size == 0:
        raise UnreadableExtract("the file is empty")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(con, path, table, metric)
    if suffix == ".xlsx":
        _read_xlsx(con, path, table, metric.metric.source.sheet)
        return 0
    if suffix == ".parquet":
        _read_parquet(con, path, table)
        return 0
    raise UnreadableExtract(f"'{path.suffix}' files are not supported: use CSV, XLSX or Parquet")


def _utf8_copy(path: Path, forced: str | None) -> Path | None:
    """None if the file is UTF-8 already; else a UTF-8 copy of its Windows-1252 text."""
    raw = path.read_bytes()
    if forced != "windows-1252":
        try:
            raw.decode("utf-8")
            return None
        except UnicodeDecodeError:
            if forced == "utf-8":
                raise UnreadableExtract("the file is not UTF-8 text, as its definition says") from None
    text = raw.decode("cp1252", errors="replace")
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".csv", delete=False)  # noqa: SIM115
    with handle:
        handle.write(text)
    return Path(handle.name)


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str, metric: PlacedMetric) -> int:
    source = metric.metric.source
    copy = _utf8_copy(path, source.encoding)
    target = copy or path
    options = ["all_varchar = true", "header = true", "ignore_errors = true",
               "store_rejects = true", f"rejects_table = '{table}_errors'",
               f"rejects_scan = '{table}_scans'"]
    if source.delimiter:
        options.append(f"delim = {_literal(source.delimiter)}")
    try:
        con.execute(f"create temp table {table}_read as select * from read_csv("
                    f"{_literal(str(target))}, {', '.join(options)})")
    except duckdb.Error as exc:
        raise UnreadableExtract(f"not a readable CSV file: {str(exc).splitlines()[0]}") from exc
    finally:
        if copy:
            copy.unlink(missing_ok=True)
    bad_lines = [r[0] for r in con.execute(
        f"select distinct line from {table}_errors order by line").fetchall()]
    skipped = sorted(set(bad_lines) | set(_blank_lines(path)))
    _number_rows(con, table, skipped)
    con.execute(f"""
        create temp table {table}_parse_rejects as
        select line as source_row, string_agg(distinct error_message, '; ') as reason,
               any_value(csv_line) as raw
        from {table}_errors group by line""")
    return len(bad_lines)


def _blank_lines(path: Path) -> list[int]:
    """Line numbers of blank lines, which the CSV reader skips (so rows are numbered right)."""
    data = path.read_bytes()
    if b"\n\n" not in data and b"\n\r\n" not in data:
        return []
    lines = data.split(b"\n")
    return [i + 1 for i, line in enumerate(lines[:-1]) if not line.strip()]


def _number_rows(con: duckdb.DuckDBPyConnection, table: str, skipped: list[int]) -> None:
    """Give each data row its line number: header is line 1; skipped lines are stepped over.

    For the j-th skipped line s_j (ascending), s_j - j - 1 data rows come before it, so
    row k (from 0) sits at line k + 2 + (how many skipped lines have s_j - j - 1 <= k).
    """
    con.execute(f"create temp table {table}_skips (threshold bigint, passed bigint)")
    if skipped:
        rows = [(line - j - 1, j) for j, line in enumerate(skipped, start=1)]
        con.executemany(f"insert into {table}_skips values (?, ?)", rows)
    con.execute(f"""
        create temp table {table} as
        with numbered as (select rowid as k, * from {table}_read)
        select (numbered.k + 2 + coalesce(s.passed, 0))::integer as source_row,
               numbered.* exclude (k)
        from numbered asof left join {table}_skips as s on numbered.k >= s.threshold""")


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, table: str, sheet: str | None) -> None:
    from openpyxl import load_workbook  # only XLSX needs it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableExtract(f"not a readable XLSX workbook: {exc}") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UnreadableExtract(f"no sheet named '{sheet}' (sheets: {', '.join(book.sheetnames)})")
        rows = (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise UnreadableExtract("the sheet is empty")
        names = [str(h).strip() if h is not None else f"column{i + 1}" for i, h in enumerate(header)]
        records = [[_cell_text(v) for v in row] + [n]
                   for n, row in enumerate(rows, start=2) if any(v is not None for v in row)]
    finally:
        book.close()
    frame = pd.DataFrame(records, columns=[*names, "source_row"], dtype="object")
    con.register(f"{table}_frame", frame)
    con.execute(f"create temp table {table} as select source_row::integer as source_row, "
                f"* exclude (source_row) from {table}_frame")
    con.unregister(f"{table}_frame")
    con.execute(f"create temp table {table}_parse_rejects (source_row integer, reason varchar, raw varchar)")


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    try:
        con.execute(f"create temp table {table}_read as select * from read_parquet({_literal(str(path))})")
    except duckdb.Error as exc:
        raise UnreadableExtract(f"not a readable Parquet file: {str(exc).splitlines()[0]}") from exc
    columns = [r[0] for r in con.execute(f"describe {table}_read").fetchall()]
    casts = ", ".join(f"{_quote(c)}::varchar as {_quote(c)}" for c in columns)
    con.execute(f"create temp table {table} as select (rowid + 1)::integer as source_row, {casts} "
                f"from {table}_read")
    con.execute(f"create temp table {table}_parse_rejects (source_row integer, reason varchar, raw varchar)")


# --- one metric over one raw table ------------------------------------------------


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe {table}").fetchall() if r[0] != "source_row"]


def _resolve(column: str, columns: list[str]) -> str:
    """The extract's own spelling of a column named in a definition (case-insensitive)."""
    for c in columns:
        if c.lower() == column.lower():
            return c
    raise UnsafeExpression(f"there is no column '{column}' in the extract (columns: {', '.join(columns)})")


def _expressions(metric: PlacedMetric, columns: list[str]) -> tuple[dict[str, str], set[str]]:
    """The metric's checked SQL pieces, and the columns that must hold numbers."""
    source = metric.metric.source
    numeric: set[str] = set()
    pieces: dict[str, str] = {}
    for role in ("value", "numerator", "denominator"):
        text = getattr(source, role)
        if text is not None:
            numeric |= check_expression(text, columns, role)
            pieces[role] = text
    pieces["filter"] = source.filter or "true"
    if source.filter:
        check_expression(source.filter, columns, "filter")
    pieces["period"] = _quote(_resolve(source.period, columns))
    pieces["org"] = (f"nullif(trim({_quote(_resolve(source.org, columns))}::varchar), '')"
                     if source.org else _literal(source.default_org))
    benchmark = metric.metric.benchmark
    for role in ("value", "lower", "upper"):
        given = getattr(benchmark, role) if benchmark else None
        if isinstance(given, str):
            column = _resolve(given, columns)
            numeric.add(column.lower())
            pieces[f"benchmark_{role}"] = _quote(column)
        else:
            pieces[f"benchmark_{role}"] = "null" if given is None else repr(float(given))
    return pieces, numeric


def load_metric(
    con: duckdb.DuckDBPyConnection, metric: PlacedMetric, table: str, shown_file: str
) -> dict[str, Any]:
    """Stage one metric from its raw table: values and rejects, set-based; return the counts."""
    columns = _columns(con, table)
    pieces, numeric = _expressions(metric, columns)
    typed = ", ".join(
        f"try_cast(regexp_replace({_quote(c)}, '[£$€,%\\s]', '', 'g') as double) as {_quote(c)}"
        if c.lower() in numeric else _quote(c) for c in columns
    )
    checks = " ".join(
        f"when nullif(trim({_quote('__raw__' + c)}), '') is not null and {_quote(c)} is null "
        f"then '''' || {_quote('__raw__' + c)} || ''' in column {c} is not a number'"
        for c in columns if c.lower() in numeric
    )
    metric_id = metric.metric.id
    value = pieces.get("value") or f"({pieces['numerator']}) / nullif(({pieces['denominator']}), 0)"
    ratio = "value" not in pieces
    raw_copies = "".join(f", {_quote(c)} as {_quote('__raw__' + c)}" for c in columns
                         if c.lower() in numeric)
    everything = ", ".join(f"coalesce({_quote(c)}, '')" for c in columns)
    con.execute(f"""
        create or replace temp table staged as
        with typed as (
            select source_row, {typed}, {pieces['period']} as __period_text,
                   concat_ws(',', {everything}) as __raw {raw_copies}
            from {table}
        ),
        computed as (
            select
                source_row,
                __period_text as period_text,
                {PERIOD_SQL.format(p="trim(__period_text)")} as period,
                {pieces['org']} as org,
                ({value})::double as value,
                {f"({pieces['numerator']})::double" if ratio else "null::double"} as numerator,
                {f"({pieces['denominator']})::double" if ratio else "null::double"} as denominator,
                {pieces['benchmark_value']}::double as benchmark_value,
                {pieces['benchmark_lower']}::double as benchmark_lower,
                {pieces['benchmark_upper']}::double as benchmark_upper,
                coalesce(({pieces['filter']}), false) as kept,
                case {checks} when false then null end as number_problem,
                __raw as raw
            from typed
        )
        select *,
            case
                when not kept then null
                when period is null then 'period ''' || coalesce(period_text, '') ||
                    ''' is not a date, month (2023-04, Apr-23, April 2023) or quarter (2023-24 Q2)'
                when org is null then 'no organisation code'
                when number_problem is not null then number_problem
                when {'denominator = 0' if ratio else 'false'} then 'the denominator is zero'
                when value is null or isnan(value) or isinf(value) then 'no value'
            end as reason
        from computed""")
    _reject_duplicates(con)
    con.execute(f"""
        insert into metric_values
        select {_literal(metric_id)}, org, period, value, numerator, denominator,
               benchmark_value, benchmark_lower, benchmark_upper, {_literal(shown_file)}, source_row
        from staged where kept and reason is null""")
    con.execute(f"""
        insert into extract_rejects
        select {_literal(metric_id)}, {_literal(shown_file)}, source_row, reason, raw
        from staged where kept and reason is not null""")
    counts = con.execute("""
        select count(*), count(*) filter (kept and reason is null),
               count(*) filter (kept and reason is not null), count(*) filter (not kept)
        from staged""").fetchall()[0]
    return {"rows_read": counts[0], "rows_loaded": counts[1], "rows_rejected": counts[2],
            "rows_filtered": counts[3]}


def _reject_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """Same metric, organisation and period twice: an exact repeat keeps the first row;
    different values reject every row of the clash, since we cannot know which is right."""
    con.execute("""
        create or replace temp table clashes as
        select source_row,
            min(source_row) over w as first_row,
            count(distinct value) over w as distinct_values,
            string_agg(source_row::varchar, ', ') over w as rows_in_clash
        from staged
        where kept and reason is null
        window w as (partition by org, period)""")
    con.execute("""
        update staged set reason = case
            when c.distinct_values > 1 then 'the same organisation and period has different values '
                || 'in rows ' || c.rows_in_clash
            else 'repeats row ' || c.first_row
        end
        from clashes as c
        where staged.source_row = c.source_row
            and (c.distinct_values > 1 or c.source_row <> c.first_row)""")


# --- all metrics ----------------------------------------------------------------------


def load_extracts(
    con: duckdb.DuckDBPyConnection, project: Project, metrics: list[PlacedMetric]
) -> ExtractReport:
    """Fill the metric tables from every metric's extract; one bad file spoils nothing else."""
    _insert_definitions(con, metrics)
    report = ExtractReport()
    by_file: dict[str, list[PlacedMetric]] = defaultdict(list)
    for metric in metrics:
        by_file[metric.metric.source.file].append(metric)
    for n, (relative, group) in enumerate(sorted(by_file.items())):
        report.files += _load_file(con, project, relative, group, f"raw_{n}")
    for row in report.files:
        con.execute("insert into extract_files values ($source_file, $metric_id, $status, "
                    "$rows_read, $rows_loaded, $rows_rejected, $rows_filtered, $message)", row)
    return report


def _load_file(
    con: duckdb.DuckDBPyConnection, project: Project, relative: str, group: list[PlacedMetric],
    table: str,
) -> list[dict[str, Any]]:
    shown = f"data/{relative}"
    path = extract_path(project, relative)
    results = []
    try:
        assert path is not None  # metrics with paths outside data/ were refused when loaded
        parse_rejects = read_raw(con, path, table, group[0])
    except (UnreadableExtract, OSError) as exc:
        return [_file_row(shown, m.metric.id, "unreadable", message=str(exc)) for m in group]
    con.execute(f"""insert into extract_rejects
        select null, {_literal(shown)}, source_row, 'the line could not be read: ' || reason, raw
        from {table}_parse_rejects""")
    for metric in group:
        try:
            counts = load_metric(con, metric, table, shown)
        except UnsafeExpression as exc:
            results.append(_file_row(shown, metric.metric.id, "refused",
                                     message=f"metric {metric.metric.id}: {exc}"))
            continue
        except duckdb.Error as exc:
            results.append(_file_row(shown, metric.metric.id, "refused",
                                     message=f"metric {metric.metric.id}: the expression failed: "
                                             f"{str(exc).splitlines()[0]}"))
            continue
        counts["rows_read"] += parse_rejects
        counts["rows_rejected"] += parse_rejects
        results.append(_file_row(shown, metric.metric.id, "loaded", **counts))
    return results


def _file_row(source_file: str, metric_id: str | None, status: str, **values: Any) -> dict[str, Any]:
    row = {"source_file": source_file, "metric_id": metric_id, "status": status, "rows_read": 0,
           "rows_loaded": 0, "rows_rejected": 0, "rows_filtered": 0, "message": None}
    row.update(values)
    return row


def _insert_definitions(con: duckdb.DuckDBPyConnection, metrics: list[PlacedMetric]) -> None:
    for placed in metrics:
        m = placed.metric
        target = m.target
        con.execute(
            "insert into metrics values ($id, $name, $description, $unit, $direction, $frequency, "
            "$target_value, $target_due, $tolerance, $fixed, $headline, $owner, $owner_email, "
            "$example, $source_file, $path, $line)",
            {"id": m.id, "name": m.name, "description": m.description, "unit": m.unit,
             "direction": m.direction, "frequency": m.frequency,
             "target_value": target.value if target else None,
             "target_due": f"{target.due}-01" if target and target.due else None,
             "tolerance": m.tolerance, "fixed": m.fix_after_n_points, "headline": m.headline,
             "owner": m.owner,
             "owner_email": m.owner_email, "example": m.example,
             "source_file": f"data/{m.source.file}", "path": placed.path, "line": placed.line},
        )
        for objective_id in m.objectives:
            con.execute("insert into metric_objectives values ($m, $o)", {"m": m.id, "o": objective_id})
        for point in target.trajectory if target else []:
            con.execute("insert into metric_trajectory values ($m, $p::date, $v)",
                        {"m": m.id, "p": f"{point.period}-01", "v": point.value})
        for month in m.rebase:
            con.execute("insert into metric_rebase values ($m, $p::date)",
                        {"m": m.id, "p": f"{month}-01"})
