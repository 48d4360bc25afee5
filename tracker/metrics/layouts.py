"""What published layouts need beyond plain SQL: column names as the publishers write them,
and the encoding of a header DuckDB would skip.

NHS England names its columns `A&E attendances Type 1` and `Attendances over 4hrs Type 1`.
An analyst who copies such a name into `value:` means that column, so a `value`,
`numerator`, `denominator` or `filter` that is exactly a column's name is that column,
whatever characters it holds (a filter that names a column keeps the rows where it says
true, yes, y or 1, in any case). Inside a longer expression such names must be in double
quotes, as SQL has them; when an expression fails and holds one unquoted, the message
shows the expression with the quotes put in.

A Windows-1252 CSV whose only `£` is in its header (`Spend £000`) reads in DuckDB as if the
header line were not there: the first data row becomes the column names, and DuckDB reports
no bad bytes. So the lines down to the header are checked here, in Python; DuckDB's own
check covers the rest of the file as it reads it.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from tracker.metrics.sql_quoting import quote_literal, quote_name
from tracker.metrics.sqlguard import CheckedExpression, UnsafeExpression, check_expression

# A name SQL reads without quotes: a letter or underscore, then letters, digits, underscores.
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def column_named(text: str, columns: list[str]) -> str | None:
    """The extract's column that `text` names exactly (spaces round it aside; case as DuckDB
    compares names, ignored), or None if it names none."""
    wanted = text.strip()
    exact = [c for c in columns if c == wanted]
    if exact:
        return exact[0]
    folded = [c for c in columns if c.lower() == wanted.lower()]
    return folded[0] if folded else None


def check_column_or_expression(text: str, columns: list[str], role: str,
                               con: duckdb.DuckDBPyConnection | None = None) -> CheckedExpression:
    """`check_expression`, where a text that is exactly a column's name is that column, and a
    failing expression holding a name that needs quotes says how to write it."""
    column = column_named(text, columns)
    if column is not None and role == "filter":  # a yes/no column: keep the rows saying yes
        return check_expression(f"lower(trim({quote_name(column)})) in ('true', 'yes', 'y', '1')",
                                columns, role, con)
    if column is not None:
        return check_expression(quote_name(column), columns, role, con)
    try:
        return check_expression(text, columns, role, con)
    except UnsafeExpression as exc:
        fixed = with_names_quoted(text, columns)
        if fixed is None or str(exc).endswith(fixed):
            raise
        raise UnsafeExpression(
            f"{exc}. Column names with spaces or signs go in double quotes: write {fixed}"
        ) from exc


def with_names_quoted(text: str, columns: list[str]) -> str | None:
    """`text` with each column name that needs quotes and is written without them put in
    double quotes (longest names first, so `Type 1` inside `A&E attendances Type 1` is not
    taken alone); None if there is none such. Text inside quotes of either kind is left."""
    names = sorted((c for c in columns if not _PLAIN_NAME.match(c)), key=len, reverse=True)
    if not names:
        return None
    pattern = re.compile("|".join(
        r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])" for name in names), re.IGNORECASE)
    parts = re.split(r"""("(?:[^"]|"")*"|'(?:[^']|'')*')""", text)  # quoted parts at odd places
    changed = False
    for i in range(0, len(parts), 2):
        new = pattern.sub(lambda m: quote_name(column_named(m.group(0), columns) or m.group(0)), parts[i])
        changed = changed or new != parts[i]
        parts[i] = new
    return "".join(parts) if changed else None


def header_is_utf8(path: Path, header_row: int, limit: int = 1 << 20) -> bool:
    """Whether the file's lines down to and including its header (`header_row`) are UTF-8
    (only the first `limit` bytes are looked at: a header is never that long)."""
    with path.open("rb") as handle:
        head = handle.read(limit)
    lines = head.split(b"\n", header_row)
    try:
        b"\n".join(lines[:header_row]).decode("utf-8")
    except UnicodeDecodeError as exc:
        # a character cut off at the read's end is not a bad byte
        return len(head) == limit and exc.start >= len(head) - 4 and len(lines) <= header_row
    return True


# Accounting negatives, as finance teams publish them: (1,318) is -1318.
_ACCOUNTING = r"^\s*\(\s*[£$€]?\s*[0-9][0-9,]*(\.[0-9]+)?\s*\)\s*$"


def number_sql(base: str, column: str, nil: str | None) -> str:
    """SQL reading a column's text as a number: `base` (the extracts' usual reading, a
    template over `{c}`), else an accounting negative, and the source's nil mark as 0."""
    text, accounting = column, quote_literal(_ACCOUNTING)
    read = (f"coalesce({base.format(c=text)}, case when regexp_full_match({text}, {accounting}) "
            f"then -try_cast(regexp_replace({text}, '[()£$€,\\s]', '', 'g') as double) end)")
    if nil is None:
        return read
    return f"case when trim({text}) = {quote_literal(nil.strip())} then 0::double else {read} end"


def marks_sql(raw: str, marks: list[str]) -> str:
    """A condition: the cell's text (`raw`, SQL) is one of the source's suppression marks."""
    listed = ", ".join(quote_literal(m.strip()) for m in marks)
    return f"coalesce(trim({raw}) in ({listed}), false)" if marks else "false"
