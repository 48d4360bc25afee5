"""Read one extract into its sandbox: table `raw`, every column as text with `source_row`
(the row number a person sees in the file), and `parse_rejects`, the lines the parser refused.

CSVs are read by DuckDB as UTF-8; one that is not (Excel in the UK saves 'CSV' as
Windows-1252) is re-encoded whole, in Python, since DuckDB here has no such decoder.
Workbooks are read in Python (`tracker.metrics.readers`: DuckDB has no Excel reader here),
Parquet by DuckDB, its number columns kept as numbers too (`raw_native`). A file over the
sandbox's `Limits` of columns or rows is refused, unread where its format says its size up
front; a file that cannot be read at all raises `UnreadableExtract` with what is wrong.
The line numbering of CSV records is `tracker.metrics.row_numbers`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from tracker.metrics.definitions import Metric
from tracker.metrics.extract_report import first_line
from tracker.metrics.layouts import header_is_utf8
from tracker.metrics.readers import WORKBOOK_SUFFIXES, SheetTooLarge, WorkbookError, read_sheet
from tracker.metrics.row_numbers import mark_rows_in_order, number_csv_rows
from tracker.metrics.sandbox import Limits
from tracker.metrics.sql_quoting import quote_literal, quote_name

# Parquet column types whose values, as text, read back as the same double: read as numbers
# directly. (Not FLOAT, whose text is its shortest decimal, nor DECIMAL or HUGEINT.)
EXACT_NUMBER_TYPES = frozenset({"DOUBLE", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT",
                                "UINTEGER", "USMALLINT", "UTINYINT"})


class UnreadableExtract(Exception):
    """A file that cannot be read at all: missing, empty, or not the format it claims."""


class TooLarge(UnreadableExtract):
    """A file over a limit of columns or rows (settings): refused with its size, unread."""


def read_raw(con: duckdb.DuckDBPyConnection, path: Path, metric: Metric, shown: str,
             limits: Limits | None = None, expired: Callable[[], bool] = lambda: False) -> int:
    """Read the extract into table `raw` and lines the parser refused into `parse_rejects`;
    return the rows read (including the refused lines). `shown` is the path for messages.
    A file over the `limits` of columns or rows is refused (TooLarge), unread where the
    format says its size up front. `expired` says when the time is up (for reading in Python)."""
    limits = limits or Limits()
    if not path.is_file():
        raise UnreadableExtract(f"the file {shown} was not found")
    if path.stat().st_size == 0:
        raise UnreadableExtract(f"the file {shown} is empty")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        _read_csv(con, path, metric, shown, limits)
    elif suffix in WORKBOOK_SUFFIXES:
        _read_workbook(con, path, metric, shown, limits, expired)
    elif suffix == ".parquet":
        _read_parquet(con, path, shown, limits)
    else:
        raise UnreadableExtract(f"{shown}: '{path.suffix}' files are not supported: "
                                "use CSV, XLSX, XLS, ODS or Parquet")
    columns = len(raw_columns(con))
    if not columns:
        raise UnreadableExtract(f"the file {shown} has no columns")
    _check_columns(shown, columns, limits)
    rows = int(con.execute("select (select count(*) from raw) + (select count(*) from parse_rejects)")
               .fetchall()[0][0])
    if rows > limits.rows:
        raise _too_many_rows(shown, path, limits.rows, "extract_max_rows")
    return rows


# How much of a CSV `read_header` reads: the header, and this many lines below it for
# DuckDB to tell the delimiter from, within the first few megabytes.
_SAMPLE_LINES = 200


def read_header(con: duckdb.DuckDBPyConnection, path: Path, metric: Metric, shown: str,
                limits: Limits | None = None) -> list[str]:
    """The column names the build reads from the extract, as `read_raw` names them, from the
    file's head only (`validate` checks definitions against them and must stay quick): a
    CSV's first lines read by `read_raw` itself (title rows, encoding and delimiter as the
    build honours them), a workbook's rows down to its header, a Parquet file's footer."""
    if not path.is_file():
        raise UnreadableExtract(f"the file {shown} was not found")
    if path.stat().st_size == 0:
        raise UnreadableExtract(f"the file {shown} is empty")
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        try:
            sheet = read_sheet(path, metric.source.sheet, metric.source.header_row, shown,
                               header_only=True)
        except WorkbookError as exc:
            raise UnreadableExtract(str(exc)) from exc
        return _unique_names(sheet.names)
    if suffix == ".parquet":
        try:
            described = con.execute(f"describe select * from read_parquet({quote_literal(str(path))})")
            return [r[0] for r in described.fetchall() if r[0] != "source_row"]
        except duckdb.Error as exc:
            raise UnreadableExtract(f"the file {shown} is not a readable Parquet file: {first_line(exc)}"
                                    ) from exc
    with tempfile.TemporaryDirectory(prefix="tracker-header-") as folder:
        head = Path(folder) / f"head{suffix}"
        head.write_bytes(_head_lines(path, metric.source.header_row + _SAMPLE_LINES))
        read_raw(con, head, metric, shown, limits)
    return raw_columns(con)


def _head_lines(path: Path, lines: int) -> bytes:
    """The file's first `lines` whole lines, within its first few megabytes."""
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES)
    parts = head.split(b"\n", lines)
    if len(parts) <= lines and len(head) < _HEADER_BYTES:
        return head  # the whole file
    kept = parts[:-1] or parts  # the last is cut off, or the rest of the file
    return b"\n".join(kept) + b"\n"  # (a line keeps its own carriage return)


def _check_columns(shown: str, columns: int, limits: Limits, about: str = "") -> None:
    if columns > limits.columns:
        raise TooLarge(f"{shown} has {about}{columns:,} columns; the limit is {limits.columns:,} "
                       "(setting extract_max_columns): publish the columns the metrics need, "
                       "or raise the limit in settings.yaml")


def _too_many_rows(shown: str, path: Path, limit: int, setting: str) -> TooLarge:
    return TooLarge(f"{shown} ({path.stat().st_size:,} bytes) has more than {limit:,} rows "
                    f"(setting {setting}): split it, or raise the limit in settings.yaml")


# The delimiters DuckDB's sniffer tries; a header's width is judged by the commonest.
_DELIMITERS = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"[^"]*"')
_HEADER_BYTES = 4 * 1024 * 1024


def _csv_header_width(path: Path, header_row: int, delimiter: str | None) -> int:
    """About how many columns a CSV's header line names, from its first few megabytes only:
    a file with 100,000 columns takes minutes and gigabytes to read."""
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES)
    lines = head.split(b"\n", header_row)  # the lines down to the header, not every line read
    line = _QUOTED.sub("", lines[min(header_row, len(lines)) - 1].decode("utf-8", errors="replace"))
    return 1 + max(line.count(d) for d in ((delimiter,) if delimiter else _DELIMITERS))


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, metric: Metric, shown: str,
              limits: Limits) -> None:
    """Read as UTF-8; if DuckDB finds bytes that are not, re-read the whole file as Windows-1252."""
    source = metric.source
    _check_columns(shown, _csv_header_width(path, source.header_row, source.delimiter), limits, "about ")
    if source.encoding == "windows-1252" or (source.encoding is None
                                             and not header_is_utf8(path, source.header_row)):
        _read_transcoded(con, path, metric, shown, limits)
        return
    try:
        _read_csv_text(con, path, metric, shown, limits)
    except TooLarge:
        raise
    except UnreadableExtract:
        if source.encoding == "utf-8" or _is_utf8(path):
            raise
        _read_transcoded(con, path, metric, shown, limits)
        return
    bad_bytes = con.execute("select count(*) from csv_errors where error_type = 'INVALID ENCODING'"
                            ).fetchall()[0][0]
    if bad_bytes and source.encoding != "utf-8":
        _read_transcoded(con, path, metric, shown, limits)


def _read_transcoded(con: duckdb.DuckDBPyConnection, path: Path, metric: Metric, shown: str,
                     limits: Limits) -> None:
    """Excel in the UK saves 'CSV' as Windows-1252 (£ is byte A3): decode it whole, in Python,
    since DuckDB here has no such decoder, and read the UTF-8 copy."""
    for name, kind in con.execute(  # what a first reading as UTF-8 left
            "select view_name, 'view' from duckdb_views() where not internal union all "
            "select table_name, 'table' from duckdb_tables()").fetchall():
        con.execute(f"drop {kind} {quote_name(name)}")
    text = path.read_bytes().decode("cp1252", errors="replace")
    with tempfile.TemporaryDirectory(prefix="tracker-extract-") as folder:
        copy = Path(folder) / "utf8.csv"
        copy.write_text(text, encoding="utf-8")
        del text
        _read_csv_text(con, copy, metric, shown, limits)


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_csv_text(con: duckdb.DuckDBPyConnection, target: Path, metric: Metric, shown: str,
                   limits: Limits) -> None:
    source = metric.source
    options = ["all_varchar = true", "header = true", f"skip = {source.header_row - 1}",
               "ignore_errors = true", "store_rejects = true", "rejects_table = 'csv_errors'",
               "rejects_scan = 'csv_scans'"]
    if source.delimiter:
        options.append(f"delim = {quote_literal(source.delimiter)}")
    # One row past the limit is enough to refuse the file: the rest is never read. But a LIMIT
    # makes DuckDB read on one thread, so it is left off a file too small to hold that many
    # rows (two bytes a row at least: a value and the line's end). A 500,000-row extract alone
    # on two cores reads in 0.08 s, not 0.13 s.
    limit = f" limit {limits.rows + 1}" if target.stat().st_size > 2 * (limits.rows + 1) else ""
    try:
        con.execute(f"create table raw_read as select * from read_csv({quote_literal(str(target))}, "
                    f"{', '.join(options)}){limit}")
    except (duckdb.OutOfMemoryException, duckdb.InterruptException):
        raise  # the file's limits, not its format (see load_file)
    except duckdb.Error as exc:
        raise UnreadableExtract(f"the file {shown} is not a readable CSV file: {first_line(exc)}") from exc
    if con.execute("select count(*) from raw_read").fetchall()[0][0] > limits.rows:
        raise _too_many_rows(shown, target, limits.rows, "extract_max_rows")
    con.execute("""
        create table parse_rejects as
        select line::integer as source_row,
               'the line could not be read: ' || string_agg(distinct error_message, '; ') as reason,
               any_value(csv_line) as raw
        from csv_errors group by line""")
    number_csv_rows(con, target, source.header_row)


def _read_workbook(con: duckdb.DuckDBPyConnection, path: Path, metric: Metric, shown: str,
                   limits: Limits, expired: Callable[[], bool]) -> None:
    """The named sheet (or the first) of an XLSX, XLS or ODS workbook, from its header row,
    with merged cells filled (`tracker.metrics.readers`); empty rows are not rows. A small workbook
    can hold a million rows: its size is checked before its cells are turned into text."""
    try:
        sheet = read_sheet(path, metric.source.sheet, metric.source.header_row, shown,
                           max_rows=limits.xlsx_rows, max_columns=limits.columns, expired=expired)
    except SheetTooLarge as exc:
        if exc.rows is not None:
            raise _too_many_rows(shown, path, limits.xlsx_rows, "extract_max_xlsx_rows") from exc
        _check_columns(shown, exc.columns or 0, limits)
        raise  # (not reached: _check_columns raises for a sheet over the column limit)
    except WorkbookError as exc:
        raise UnreadableExtract(str(exc)) from exc
    names = _unique_names(sheet.names)
    columns = {"source_row": pa.array([n for n, _ in sheet.rows], pa.int32())}
    for i, name in enumerate(names):
        columns[name] = pa.array([row[i] if i < len(row) else None for _, row in sheet.rows], pa.string())
    con.register("xlsx_rows", pa.table(columns))
    con.execute("create table raw as select * from xlsx_rows")
    con.unregister("xlsx_rows")
    con.execute("create table parse_rejects (source_row integer, reason varchar, raw varchar)")


def _unique_names(names: list[str]) -> list[str]:
    """Column names as DuckDB needs them: unique (a repeated heading gets _2, _3 ...)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        key = name.lower()
        seen[key] = seen.get(key, 0) + 1
        out.append(name if seen[key] == 1 else f"{name}_{seen[key]}")
    return out


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path, shown: str, limits: Limits) -> None:
    """Parquet has no header line: row 1 is the first row. Its footer says its size: a file
    over the limits is refused before its rows are read."""
    parquet = quote_literal(str(path))
    try:
        column_count = len(con.execute(f"describe select * from read_parquet({parquet})").fetchall())
        rows = con.execute(f"select sum(num_rows) from parquet_file_metadata({parquet})"
                           ).fetchall()[0][0] or 0
    except duckdb.Error as exc:
        raise UnreadableExtract(f"the file {shown} is not a readable Parquet file: {first_line(exc)}"
                                ) from exc
    _check_columns(shown, column_count, limits)
    if rows > limits.rows:
        raise _too_many_rows(shown, path, limits.rows, "extract_max_rows")
    try:
        con.execute(f"create table raw_read as select * from read_parquet({parquet})")
    except (duckdb.OutOfMemoryException, duckdb.InterruptException):
        raise  # the file's limits, not its format (see load_file)
    except duckdb.Error as exc:
        raise UnreadableExtract(f"the file {shown} is not a readable Parquet file: {first_line(exc)}"
                                ) from exc
    columns = [r[0] for r in con.execute("describe raw_read").fetchall()]
    casts = ", ".join(f"{quote_name(c)}::varchar as {quote_name(c)}" for c in columns)
    con.execute(f"create view raw as select (rowid + 1)::integer as source_row, {casts} from raw_read")
    con.execute("create view raw_native as select (rowid + 1)::integer as source_row, * from raw_read")
    mark_rows_in_order(con, 1)
    con.execute("create table parse_rejects (source_row integer, reason varchar, raw varchar)")


def native_numbers(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The columns of `raw_native` (a Parquet file's own types) that are numbers whose text
    reads back as the same double: these are read as numbers directly."""
    return frozenset(name for name, kind, *_ in con.execute("describe raw_native").fetchall()
                     if kind in EXACT_NUMBER_TYPES)


def raw_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("describe raw").fetchall() if r[0] != "source_row"]
