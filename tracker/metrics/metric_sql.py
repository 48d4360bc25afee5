"""One metric's SQL over one extract: its expressions checked against the file's columns
(`tracker.metrics.sqlguard`, `tracker.metrics.layouts`), and the SELECT that values and
judges its rows, shared by the metrics that read the rows alike.

Every expression an analyst wrote reaches the SQL only as `sqlguard` rendered it; the
column names and texts assembled around them are quoted (`tracker.metrics.sql_quoting`).
`tracker.metrics.judging` runs what is assembled here.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from tracker.metrics.definitions import Metric
from tracker.metrics.layouts import check_column_or_expression, marks_sql, number_sql
from tracker.metrics.long_forms import as_where, side_value, side_where
from tracker.metrics.sql_quoting import quote_literal, quote_name
from tracker.metrics.sqlguard import CheckedExpression, UnsafeExpression

# Published numbers carry currency signs, thousands separators and percent signs.
NUMBER_SQL = ("coalesce(try_cast({c} as double), "
              "try_cast(regexp_replace({c}, '[£$€,%\\s]', '', 'g') as double))")
# Whitespace of every kind (Python's str.isspace), for trimming organisation codes: DuckDB's
# trim() alone strips spaces only, and a tab is no organisation.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


class MetricFailed(Exception):
    """A metric whose definition does not fit its extract (a missing column, a failing expression)."""


@dataclass(frozen=True)
class MetricSql:
    """A metric's checked SQL pieces over one extract; `number` identifies it in the load."""

    metric: Metric
    number: int
    value: str
    numerator: str | None
    denominator: str | None
    filter: str
    period: str
    org: str
    benchmark: dict[str, str]
    numeric: frozenset[str]  # columns to read as numbers
    checked: frozenset[str]  # of those, the ones a row is rejected for if they hold text
    sides: tuple[str, str] | None = None  # a long file's numerator and denominator `where`

    @property
    def assembled(self) -> bool:
        """Whether its points are made of several rows (`tracker.metrics.assembly`)."""
        return self.sides is not None or self.metric.source.combine is not None


def _resolve(column: str, columns: list[str], role: str) -> str:
    """The extract's own spelling of a column named in a definition (case-insensitive)."""
    for c in columns:
        if c.lower() == column.strip().lower():
            return c
    raise MetricFailed(f"the {role} column '{column}' is not in the extract "
                       f"(columns: {', '.join(columns)})")


def _org_sql(con: duckdb.DuckDBPyConnection, column: str, settled: dict[str, str]) -> str:
    """The organisation code without surrounding whitespace of any kind; null if none is left.

    Trimming every kind of whitespace is slow, and even checking each row for it costs more
    than the rest of the row's work, so the column's distinct codes are checked once: when
    every code begins and ends with a printable ASCII character (nearly every extract), the
    codes are taken as they are. `settled` remembers the answer per column for the file.
    """
    if column not in settled:
        c = f"{quote_name(column)}::varchar"  # a Parquet file's codes may be numbers

        def tidy(code: str) -> str:
            return f"ord({code}) between 33 and 126 and ord(right({code}, 1)) between 33 and 126"

        untidy = con.execute(  # (as a filtered count, which DuckDB cannot push below the distinct)
            f"select count(*) filter (where code is not null and not ({tidy('code')})) "
            f"from (select distinct {c} as code from raw)").fetchall()[0][0]
        trimmed = f"trim({c}, {quote_literal(WHITESPACE)})"
        settled[column] = f"nullif(case when {tidy(c)} then {c} else {trimmed} end, '')" if untidy else c
    return settled[column]


def metric_sql(con: duckdb.DuckDBPyConnection, metric: Metric, number: int, columns: list[str],
               orgs: dict[str, str] | None = None) -> MetricSql:
    """Check the metric's expressions against the extract's columns and assemble its SQL
    (`orgs`: the organisation columns' SQL settled so far for this extract)."""
    source = metric.source
    checked: dict[str, CheckedExpression] = {}
    for role in ("value", "numerator", "denominator", "filter"):
        text = side_value(getattr(source, role))
        if text is not None:
            checked[role] = check_column_or_expression(text, columns, role, con)
    value_numbers = {c for role, e in checked.items() if role != "filter" for c in e.numeric}
    wheres = _wheres(metric, columns, con)
    condition_numbers = {c for e in [checked.get("filter"), *wheres] if e is not None for c in e.numeric}
    kept = checked["filter"].sql if "filter" in checked else "true"
    if wheres:
        kept = f"({kept}) and (({wheres[0].sql}) or ({wheres[1].sql}))"
    benchmark = {}
    for role in ("value", "lower", "upper"):
        given = getattr(metric.benchmark, role) if metric.benchmark else None
        if isinstance(given, str):
            column = _resolve(given, columns, f"benchmark {role}")
            value_numbers.add(column)
            benchmark[role] = quote_name(column)
        else:
            benchmark[role] = "null" if given is None else repr(float(given))
    ratio = "numerator" in checked
    org = (_org_sql(con, _resolve(source.org, columns, "org"), {} if orgs is None else orgs) if source.org
           else quote_literal(source.default_org))
    return MetricSql(
        metric=metric, number=number,
        value=(f"({checked['numerator'].sql}) / nullif(({checked['denominator'].sql}), 0)" if ratio
               else checked["value"].sql),
        numerator=checked["numerator"].sql if ratio else None,
        denominator=checked["denominator"].sql if ratio else None,
        filter=kept,
        period=_resolve(source.period, columns, "period"),
        org=org, benchmark=benchmark,
        numeric=frozenset(value_numbers | condition_numbers),
        checked=frozenset(value_numbers),
        sides=(wheres[0].sql, wheres[1].sql) if wheres else None,
    )


def _wheres(metric: Metric, columns: list[str], con: duckdb.DuckDBPyConnection) -> list[CheckedExpression]:
    """A long file's numerator and denominator `where`, checked as filters are (none for a
    ratio read from one row)."""
    found = []
    for side in ("numerator", "denominator"):
        text = side_where(getattr(metric.source, side))
        if text is None:
            continue
        try:
            found.append(check_column_or_expression(text, columns, "filter", con))
        except UnsafeExpression as exc:
            raise as_where(exc, side) from exc
    return found


def reading_key(sql: MetricSql) -> tuple[object, ...]:
    """What a metric computes from a row, all but its filter: metrics alike in this share one
    pass over the extract."""
    return (sql.value, sql.numerator, sql.denominator, sql.period, sql.org, sql.metric.frequency,
            tuple(sorted(sql.benchmark.items())), sql.numeric, sql.checked,
            tuple(sql.metric.source.suppressed), sql.metric.source.nil, sql.sides)


def branch_sql(plans: list[MetricSql], columns: list[str], native: frozenset[str],
               benchmarks: bool, first_match: bool) -> str:
    """The SELECT holding the expressions of metrics read alike (`_reading`): their kept
    rows, valued and judged, each row once per metric whose filter keeps it.

    With `first_match`, a row goes to the first metric whose filter keeps it, and
    `kept_twice` says whether another one's did too: usually none does (each metric picks
    its own measure from the file), and naming one metric per row costs far less than
    listing, for every row, the metrics that keep it.

    Inside `extract_rows` each column has the extract's own name (as a number where the
    metrics read it as one), so expressions read naturally; the raw text of the numbers
    rides alongside under internal names, for the messages. Columns already numbers in the
    file (`native`: Parquet's) are read as numbers without going through text. Only
    numbers, dates and the organisation come out (copying text is what costs most here),
    and the benchmark columns only when a metric of the extract has a benchmark.
    """
    sql = plans[0]
    source = "raw_native" if native else "raw"

    def typed(c: str) -> str:
        if c not in sql.numeric:
            return f"{quote_name(c)}::varchar as {quote_name(c)}" if native else quote_name(c)
        if c in native:
            return f"{quote_name(c)}::double as {quote_name(c)}"
        text = quote_name(c) + "::varchar" if native else quote_name(c)
        return f"{number_sql(NUMBER_SQL, text, sql.metric.source.nil)} as {quote_name(c)}"

    checked = [(i, c) for i, c in enumerate(columns) if c in sql.checked and c not in native]
    raw_copies = "".join(f", {quote_name(c)}::varchar as __raw_{i}" for i, c in checked)
    not_number = {i: f"({quote_name(c)} is null and nullif(trim(__raw_{i}), '') is not null)"
                  for i, c in checked}
    not_numbers = ", ".join(  # every column of the row holding text where a number should be
        f"case when {not_number[i]} then {quote_literal(chr(39))} || __raw_{i} || "
        f"{quote_literal(f'{chr(39)} in column {c} is not a number')} end"
        for i, c in checked
    )
    # A number column that read as null is the first test (most rows have none): without it the
    # text tests ran on every row, a sixth of the judging of a 500,000-row extract.
    some_null = " or ".join(f"{quote_name(c)} is null" for _, c in checked)
    number_problem = (f"case when {some_null} then case when {' or '.join(not_number.values())} "
                      f"then concat_ws('; ', {not_numbers}) end end" if checked else "null::varchar")
    marks = sql.metric.source.suppressed  # a row with a suppressed number is counted apart
    suppressed = " or ".join(marks_sql(f"__raw_{i}", marks) for i, _ in checked) if marks else "false"
    ratio = sql.numerator is not None and sql.sides is None
    numerator, denominator, value = _row_numbers(sql)
    if sql.sides is not None:  # a long file: the row is the numerator's or the denominator's
        number_problem = f"nullif(concat_ws('; ', {_BOTH_SIDES}, {number_problem}), '')"
    # A benchmark that is not a finite number (a published 'inf') is no benchmark: charts
    # must never receive one.
    given = ("".join(f"(case when isfinite({sql.benchmark[r]}::double) then {sql.benchmark[r]}::double end)"
                     f" as benchmark_{r}, " for r in ("value", "lower", "upper"))
             if benchmarks else "")
    carried = "benchmark_value, benchmark_lower, benchmark_upper, " if benchmarks else ""
    kept = [f"coalesce(({p.filter}), false)" for p in plans]
    side, side_carried, side_sql = "null::varchar", "", ""
    if sql.sides is not None:
        picks = [f"coalesce(({where}), false)" for where in sql.sides]
        side, side_carried = "__side", "__side, "
        side_sql = (f", case when {picks[0]} and {picks[1]} then 'both' when {picks[0]} then 'numerator' "
                    "else 'denominator' end as __side")
    problem = (f"row_problem(periods.period, __period_text, {quote_literal(sql.metric.frequency)}, __org, "
               f"number_problem, {'true' if ratio else 'false'}, denominator, value)")
    if suppressed != "false":  # a suppressed row is counted apart, not judged
        problem = f"case when not __suppressed then {problem} end"
    if len(plans) == 1:
        number = f"{sql.number} as __metric_no, false as __kept_twice"
    elif first_match:
        number = ("case " + " ".join(f"when {k} then {p.number}" for k, p in zip(kept, plans, strict=True))
                  + " end as __metric_no, (" + " + ".join(f"{k}::integer" for k in kept)
                  + ") > 1 as __kept_twice")
    else:  # each metric whose filter keeps the row
        number = ("unnest(list_filter(list_value("
                  + ", ".join(f"case when {k} then {p.number} end" for k, p in zip(kept, plans, strict=True))
                  + "), lambda n: n is not null)) as __metric_no, false as __kept_twice")
    return f"""
        select __metric_no as metric_no, source_row, __org as org, periods.period, value,
            numerator, denominator, {carried}
            {problem} as problem,
            __kept_twice as kept_twice, __suppressed as suppressed, {side} as side,
            __period_text as period_text
        from (
            select __metric_no, __kept_twice, source_row, __period_text, __org, {side_carried}
                {value} as value, {numerator} as numerator,
                {denominator} as denominator, {given}
                {number_problem} as number_problem, ({suppressed}) as __suppressed
            from (
                select *, {number}{side_sql}
                from (
                    select source_row, {quote_name(sql.period)}::varchar as __period_text, {sql.org} as __org,
                           {", ".join(typed(c) for c in columns)}{raw_copies}
                    from {source}
                ) as extract_rows
                where {" or ".join(kept)}
            ) as extract_rows
        ) as computed
        left join period_lookup as periods
            on periods.period_column = {quote_literal(sql.period)}
            and periods.frequency = {quote_literal(sql.metric.frequency)}
            and periods.period_text = computed.__period_text"""


# A row of a long file that both sides' `where` pick cannot be told to be either.
_BOTH_SIDES = ("case when __side = 'both' then 'the row is picked by both the numerator''s and the "
               "denominator''s where: make each pick its own rows' end")


def _row_numbers(sql: MetricSql) -> tuple[str, str, str]:
    """The SQL of a row's numerator, denominator and value. A long file's row holds one side
    of the ratio (`__side`): its value is that side's, and the ratio is made when the rows are
    matched (`tracker.metrics.assembly`)."""
    if sql.numerator is None or sql.denominator is None:
        return "null::double", "null::double", f"({sql.value})::double"
    numerator, denominator = f"({sql.numerator})::double", f"({sql.denominator})::double"
    if sql.sides is None:
        return numerator, denominator, f"({sql.value})::double"
    return (f"case when __side = 'numerator' then {numerator} end",
            f"case when __side = 'denominator' then {denominator} end",
            f"case __side when 'numerator' then {numerator} when 'denominator' then {denominator} end")
