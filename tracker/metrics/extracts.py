"""Load analysts' extracts, as published, into one long table of metric values.

Every source row ends up either loaded into `metric_values` or rejected into
`extract_rejects` with its row number and a reason, or, when the metric's
`filter` leaves it out, counted as filtered: rows read = loaded + rejected +
filtered for every metric of every extract. A file that cannot be read is
one entry in `extract_files` with its path and what is wrong; the others load.

Each extract is read once into its own in-memory DuckDB (the sandbox), every
column as text (a Parquet file's number columns also as the numbers they are)
with row numbers as a person sees them. The sandbox then switches off file
access and locks its configuration before any analyst's expression runs in
it, so even an expression that got past `tracker.metrics.sqlguard` could not read a
file or touch the database being built. The row-level work is set-based SQL
(`queries/extracts/`), one pass over the rows for all the metrics that read
them alike; the results travel to the build's connection as Arrow. Python only
reads workbooks (DuckDB 2.0 has no Excel reader here: `tracker.metrics.readers`) and re-encodes Windows-1252
CSVs to UTF-8, whole-file.
"""

from __future__ import annotations

import datetime as dt
import logging
import mmap
import os
import re
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tracker.db.queries import query_text
from tracker.metrics.definitions import Metric, PlacedMetric, extract_path
from tracker.metrics.layouts import check_column_or_expression, header_is_utf8, marks_sql, number_sql
from tracker.metrics.readers import WORKBOOK_SUFFIXES, SheetTooLarge, WorkbookError, read_sheet
from tracker.metrics.sqlguard import CheckedExpression, UnsafeExpression
from tracker.project import DEFAULT_SETTINGS, Project

logger = logging.getLogger(__name__)

# Published numbers carry currency signs, thousands separators and percent signs.
NUMBER_SQL = ("coalesce(try_cast({c} as double), "
              "try_cast(regexp_replace({c}, '[£$€,%\\s]', '', 'g') as double))")
# Parquet column types whose values, as text, read back as the same double: read as numbers
# directly. (Not FLOAT, whose text is its shortest decimal, nor DECIMAL or HUGEINT.)
EXACT_NUMBER_TYPES = frozenset({"DOUBLE", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT",
                                "UINTEGER", "USMALLINT", "UTINYINT"})
# Whitespace of every kind (Python's str.isspace), for trimming organisation codes: DuckDB's
# trim() alone strips spaces only, and a tab is no organisation.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())

# Extracts worked on at once: each sandbox's queries are small, so files in parallel use the
# cores better than one file's queries do.
WORKERS = min(2, os.cpu_count() or 1)


@dataclass
class ExtractReport:
    """What happened to each extract, for `build` to print and the dashboard to show."""

    files: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Per metric and extract: `file (metric): read N = loaded L + rejected R (+ filtered F)`."""
        out = []
        for f in self.files:
            name = f"{f['source_file']} ({f['metric_id']})" if f["metric_id"] else f["source_file"]
            if f["status"] != "loaded":
                out.append(f"{name}: {f['status']}: {f['message']}")
                continue
            filtered = f" + filtered {f['rows_filtered']}" if f["rows_filtered"] else ""
            if f.get("rows_suppressed"):
                filtered += f" + suppressed {f['rows_suppressed']}"
            out.append(f"{name}: read {f['rows_read']} = loaded {f['rows_loaded']} + rejected "
                       f"{f['rows_rejected']}{filtered}")
        return out

    @property
    def problems(self) -> list[str]:
        """The lines of extracts that could not be loaded at all."""
        return [line for f, line in zip(self.files, self.lines(), strict=True)
                if f["status"] != "loaded"]


class UnreadableExtract(Exception):
    """A file that cannot be read at all: missing, empty, or not the format it claims."""


class TooLarge(UnreadableExtract):
    """A file over a limit of columns or rows (settings): refused with its size, unread."""


@dataclass(frozen=True)
class Limits:
    """What one extract may take (settings `extract_*`): a file over them is refused or fails,
    and the others load."""

    columns: int = DEFAULT_SETTINGS["extract_max_columns"]
    rows: int = DEFAULT_SETTINGS["extract_max_rows"]
    xlsx_rows: int = DEFAULT_SETTINGS["extract_max_xlsx_rows"]
    memory_mb: int = DEFAULT_SETTINGS["extract_memory_limit_mb"]
    seconds: float = DEFAULT_SETTINGS["extract_time_limit_seconds"]

    @classmethod
    def of(cls, project: Project) -> Limits:
        settings = project.settings

        def setting(name: str, least: int) -> int:  # within what DuckDB and Python can take
            return max(least, min(int(settings.get(name, DEFAULT_SETTINGS[name])), 2**31 - 1))

        return cls(setting("extract_max_columns", 1), setting("extract_max_rows", 1),
                   setting("extract_max_xlsx_rows", 1), setting("extract_memory_limit_mb", 64),
                   setting("extract_time_limit_seconds", 1))


class _Deadline:
    """Interrupts the sandbox's queries once its time is up, and every one after (DuckDB's
    interrupt stops only the query running), so a file that takes too long fails quickly."""

    def __init__(self, con: duckdb.DuckDBPyConnection, seconds: float) -> None:
        self.expired = False
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(con, seconds), daemon=True)
        self._thread.start()

    def _watch(self, con: duckdb.DuckDBPyConnection, seconds: float) -> None:
        if self._stopped.wait(seconds):
            return
        self.expired = True
        while True:
            con.interrupt()
            if self._stopped.wait(0.05):
                return

    def stop(self) -> bool:
        """Stop watching (before the connection closes); whether the time ran out."""
        self._stopped.set()
        self._thread.join()
        return self.expired


class MetricFailed(Exception):
    """A metric whose definition does not fit its extract (a missing column, a failing expression)."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- the sandbox: one extract, read and then locked down ---------------------------------


def open_sandbox(threads: int = 1, memory_mb: int = Limits.memory_mb) -> duckdb.DuckDBPyConnection:
    """An in-memory database for one extract, with file access still on (to read it), and
    DuckDB's memory limit (else 80% of the machine's memory) set to `memory_mb`. Nothing spills
    to disk (else into a `.tmp` folder wherever the build runs): over the limit is an error."""
    con = duckdb.connect(":memory:", config={"threads": threads, "memory_limit": f"{memory_mb}MB",
                                             "temp_directory": ""})
    # `//` and `%` by zero give null (then 'no value'), as `/` gives infinity, never an error.
    con.execute("set error_on_division_by_zero = false")
    return con


def lock_sandbox(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """No files, no settings changes from here on: analysts' expressions run after this."""
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    for name in ("parse_period", "row_problem", "create_sandbox_tables"):
        con.execute(query_text(project, f"extracts/{name}"))


# --- reading one file into `raw`: every column as text, plus source_row -----------------


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
    columns = len(_columns(con))
    if not columns:
        raise UnreadableExtract(f"the file {shown} has no columns")
    _check_columns(shown, columns, limits)
    rows = int(con.execute("select (select count(*) from raw) + (select count(*) from parse_rejects)")
               .fetchall()[0][0])
    if rows > limits.rows:
        raise _too_many_rows(shown, path, limits.rows, "extract_max_rows")
    return rows


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
    lines = head.decode("utf-8", errors="replace").split("\n")
    line = _QUOTED.sub("", lines[min(header_row, len(lines)) - 1])
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
        con.execute(f"drop {kind} {_quote(name)}")
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
        options.append(f"delim = {_literal(source.delimiter)}")
    try:
        # One row past the limit is enough to refuse the file: the rest is never read.
        con.execute(f"create table raw_read as select * from read_csv({_literal(str(target))}, "
                    f"{', '.join(options)}) limit {limits.rows + 1}")
    except (duckdb.OutOfMemoryException, duckdb.InterruptException):
        raise  # the file's limits, not its format (see load_file)
    except duckdb.Error as exc:
        raise UnreadableExtract(f"the file {shown} is not a readable CSV file: {_first_line(exc)}") from exc
    if con.execute("select count(*) from raw_read").fetchall()[0][0] > limits.rows:
        raise _too_many_rows(shown, target, limits.rows, "extract_max_rows")
    con.execute("""
        create table parse_rejects as
        select line::integer as source_row,
               'the line could not be read: ' || string_agg(distinct error_message, '; ') as reason,
               any_value(csv_line) as raw
        from csv_errors group by line""")
    _number_csv_rows(con, target, source.header_row)


def _number_csv_rows(con: duckdb.DuckDBPyConnection, path: Path, header_row: int) -> None:
    """Number `raw_read`'s rows with the file's line numbers of each record's start.

    DuckDB counts a record that spans lines (a quoted cell holding line breaks) as one line,
    and steps over empty lines. Most files have neither: then its line numbers, skipping the
    empty lines and the lines it refused, are the file's. Otherwise the file is scanned with
    its quoting to find where each record starts. (The UTF-8 copy of a Windows-1252 file
    has the same lines.)
    """
    bad = [r[0] for r in con.execute("select source_row from parse_rejects").fetchall()]
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        # Searches of the mapped file, without reading it into memory, settle most files.
        quoted = mapped.find(b'"') >= 0 or mapped.find(b"'") >= 0
        empty_line = b"\n\r\n" if mapped.find(b"\r\n", 0, 65536) >= 0 else b"\n\n"  # Windows or Unix
        has_blank = mapped.find(empty_line) >= 0
    if not quoted and not has_blank:
        _number_rows(con, sorted(line for line in bad if line > header_row), header_row)
        return
    data = path.read_bytes()
    blank = _blank_lines(data) if has_blank else []
    rows = con.execute("select count(*) from raw_read").fetchall()[0][0]
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if quoted and header_row + rows + sum(line > header_row for line in {*bad, *blank}) != lines:
        # The sniffer's quoting is kept only when the file had refused lines; else try the usual.
        scans = con.execute("select quote, escape from csv_scans limit 1").fetchall()
        dialects = [(_quote_byte(q), _quote_byte(e)) for q, e in scans] or [(b'"', None), (b"'", None)]
        for quote, escape in dialects:
            numbered = _lines_of_records(_record_starts(data, quote, escape), bad, header_row, rows)
            if numbered is not None:
                del data
                lines_counted, header_line, skipped = numbered
                if bad:
                    _renumber_refused(con, bad, lines_counted)
                _number_rows(con, skipped, header_line)
                return
    del data
    _number_rows(con, sorted(line for line in {*bad, *blank} if line > header_row), header_row)


def _renumber_refused(con: duckdb.DuckDBPyConnection, bad: list[int], lines_counted: list[int]) -> None:
    """The refused lines' numbers, from DuckDB's count of lines to the file's."""
    con.execute("create table line_numbers (counted integer, line integer)")
    con.executemany("insert into line_numbers values (?, ?)",
                    [(n, lines_counted[n - 1]) for n in bad if 0 < n <= len(lines_counted)])
    con.execute("update parse_rejects as p set source_row = l.line from line_numbers as l "
                "where p.source_row = l.counted")


def _blank_lines(data: bytes) -> list[int]:
    """Line numbers of empty lines (inside quoted cells too: `_record_starts` tells them apart)."""
    lines = data.split(b"\n")
    return [i + 1 for i, line in enumerate(lines[:-1]) if not line.strip(b"\r")]


def _quote_byte(text: str | None) -> bytes | None:
    """The quote or escape character DuckDB's sniffer settled on, as a byte (None if none)."""
    return text.encode() if text and text != "(empty)" and len(text.encode()) == 1 else None


def _record_starts(data: bytes, quote: bytes | None, escape: bytes | None) -> list[tuple[int, bool]]:
    """Each line DuckDB counts (one that does not start inside a quoted cell): its line
    number in the file and whether it is empty. A cell's quotes come in pairs (a doubled
    quote is two), so an odd number of them on a line opens or closes a cell."""
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    starts = []
    inside = False
    for number, line in enumerate(lines, start=1):
        if not inside:
            starts.append((number, not line.strip(b"\r")))
        if quote is not None and quote in line:
            if escape is not None and escape != quote:
                line = line.replace(escape + escape, b"").replace(escape + quote, b"")
            if line.count(quote) % 2:
                inside = not inside
    return starts


def _lines_of_records(starts: list[tuple[int, bool]], bad: list[int], header_row: int,
                      rows: int) -> tuple[list[int], int, list[int]] | None:
    """From DuckDB's line numbers to the file's: each counted line's file line, the header's
    line, and the lines after it that start no row. None if the scan does not agree with
    DuckDB's count of rows (quoting it read some other way): then its own numbers stand."""
    if header_row > len(starts):
        return None
    refused = set(bad)
    data_lines = [line for n, (line, empty) in enumerate(starts, start=1)
                  if n > header_row and not empty and n not in refused]
    if len(data_lines) != rows:
        return None
    header_line = starts[header_row - 1][0]
    last = max(line for line, _ in starts)
    rows_at = set(data_lines)
    skipped = [line for line in range(header_line + 1, last + 1) if line not in rows_at]
    return [line for line, _ in starts], header_line, skipped


def _number_rows(con: duckdb.DuckDBPyConnection, skipped: list[int], header_row: int) -> None:
    """Give each data row its line number: the header is line `header_row`; skipped lines
    (blank, or refused by the parser) are stepped over.

    With the j-th skipped line s_j (ascending), s_j - j - header_row data rows come before it,
    so data row k (from 0) sits at line k + header_row + 1 + (skipped lines with
    s_j - j - header_row <= k). With nothing skipped that is just the row's position.
    """
    if not skipped:
        con.execute(f"create view raw as select (rowid + {header_row + 1})::integer as source_row, * "
                    "from raw_read")
        return
    con.execute("create table skips (threshold bigint, passed bigint)")
    passed = {line - j - header_row: j for j, line in enumerate(skipped, start=1)}  # a run of
    con.executemany("insert into skips values (?, ?)", list(passed.items()))  # lines: its last
    con.execute(f"""
        create table raw as
        with numbered as (select rowid as k, * from raw_read)
        select (numbered.k + {header_row + 1} + coalesce(s.passed, 0))::integer as source_row,
               numbered.* exclude (k)
        from numbered asof left join skips as s on numbered.k >= s.threshold""")


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
    try:
        columns = len(con.execute(f"describe select * from read_parquet({_literal(str(path))})").fetchall())
        rows = con.execute(f"select sum(num_rows) from parquet_file_metadata({_literal(str(path))})"
                           ).fetchall()[0][0] or 0
    except duckdb.Error as exc:
        raise UnreadableExtract(f"the file {shown} is not a readable Parquet file: {_first_line(exc)}"
                                ) from exc
    _check_columns(shown, columns, limits)
    if rows > limits.rows:
        raise _too_many_rows(shown, path, limits.rows, "extract_max_rows")
    try:
        con.execute(f"create table raw_read as select * from read_parquet({_literal(str(path))})")
    except (duckdb.OutOfMemoryException, duckdb.InterruptException):
        raise  # the file's limits, not its format (see load_file)
    except duckdb.Error as exc:
        raise UnreadableExtract(f"the file {shown} is not a readable Parquet file: {_first_line(exc)}"
                                ) from exc
    columns = [r[0] for r in con.execute("describe raw_read").fetchall()]
    casts = ", ".join(f"{_quote(c)}::varchar as {_quote(c)}" for c in columns)
    con.execute(f"create view raw as select (rowid + 1)::integer as source_row, {casts} from raw_read")
    con.execute("create view raw_native as select (rowid + 1)::integer as source_row, * from raw_read")
    con.execute("create table parse_rejects (source_row integer, reason varchar, raw varchar)")


def _native_numbers(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The columns of `raw_native` (a Parquet file's own types) that are numbers whose text
    reads back as the same double: these are read as numbers directly."""
    return frozenset(name for name, kind, *_ in con.execute("describe raw_native").fetchall()
                     if kind in EXACT_NUMBER_TYPES)


def _columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("describe raw").fetchall() if r[0] != "source_row"]


# --- the metrics of one extract, over `raw` -----------------------------------------------


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
        c = f"{_quote(column)}::varchar"  # a Parquet file's codes may be numbers

        def tidy(code: str) -> str:
            return f"ord({code}) between 33 and 126 and ord(right({code}, 1)) between 33 and 126"

        untidy = con.execute(  # (as a filtered count, which DuckDB cannot push below the distinct)
            f"select count(*) filter (where code is not null and not ({tidy('code')})) "
            f"from (select distinct {c} as code from raw)").fetchall()[0][0]
        trimmed = f"trim({c}, {_literal(WHITESPACE)})"
        settled[column] = f"nullif(case when {tidy(c)} then {c} else {trimmed} end, '')" if untidy else c
    return settled[column]


def metric_sql(con: duckdb.DuckDBPyConnection, metric: Metric, number: int, columns: list[str],
               orgs: dict[str, str] | None = None) -> MetricSql:
    """Check the metric's expressions against the extract's columns and assemble its SQL
    (`orgs`: the organisation columns' SQL settled so far for this extract)."""
    source = metric.source
    checked: dict[str, CheckedExpression] = {}
    for role in ("value", "numerator", "denominator", "filter"):
        text = getattr(source, role)
        if text is not None:
            checked[role] = check_column_or_expression(text, columns, role, con)
    value_numbers = {c for role, e in checked.items() if role != "filter" for c in e.numeric}
    benchmark = {}
    for role in ("value", "lower", "upper"):
        given = getattr(metric.benchmark, role) if metric.benchmark else None
        if isinstance(given, str):
            column = _resolve(given, columns, f"benchmark {role}")
            value_numbers.add(column)
            benchmark[role] = _quote(column)
        else:
            benchmark[role] = "null" if given is None else repr(float(given))
    ratio = "numerator" in checked
    org = (_org_sql(con, _resolve(source.org, columns, "org"), {} if orgs is None else orgs) if source.org
           else _literal(source.default_org))
    return MetricSql(
        metric=metric, number=number,
        value=(f"({checked['numerator'].sql}) / nullif(({checked['denominator'].sql}), 0)" if ratio
               else checked["value"].sql),
        numerator=checked["numerator"].sql if ratio else None,
        denominator=checked["denominator"].sql if ratio else None,
        filter=checked["filter"].sql if "filter" in checked else "true",
        period=_resolve(source.period, columns, "period"),
        org=org, benchmark=benchmark,
        numeric=frozenset(value_numbers | (checked["filter"].numeric if "filter" in checked else set())),
        checked=frozenset(value_numbers),
    )


def _reading(sql: MetricSql) -> tuple[object, ...]:
    """What a metric computes from a row, all but its filter: metrics alike in this share one
    pass over the extract."""
    return (sql.value, sql.numerator, sql.denominator, sql.period, sql.org, sql.metric.frequency,
            tuple(sorted(sql.benchmark.items())), sql.numeric, sql.checked,
            tuple(sql.metric.source.suppressed), sql.metric.source.nil)


def _branch_sql(plans: list[MetricSql], columns: list[str], native: frozenset[str],
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
            return f"{_quote(c)}::varchar as {_quote(c)}" if native else _quote(c)
        if c in native:
            return f"{_quote(c)}::double as {_quote(c)}"
        text = _quote(c) + "::varchar" if native else _quote(c)
        return f"{number_sql(NUMBER_SQL, text, sql.metric.source.nil)} as {_quote(c)}"

    checked = [(i, c) for i, c in enumerate(columns) if c in sql.checked and c not in native]
    raw_copies = "".join(f", {_quote(c)}::varchar as __raw_{i}" for i, c in checked)
    not_number = {i: f"({_quote(c)} is null and nullif(trim(__raw_{i}), '') is not null)" for i, c in checked}
    not_numbers = ", ".join(  # every column of the row holding text where a number should be
        f"case when {not_number[i]} "
        f"then {_literal(chr(39))} || __raw_{i} || {_literal(f'{chr(39)} in column {c} is not a number')} end"
        for i, c in checked
    )
    number_problem = (f"case when {' or '.join(not_number.values())} then concat_ws('; ', {not_numbers}) end"
                      if checked else "null::varchar")
    marks = sql.metric.source.suppressed  # a row with a suppressed number is counted apart
    suppressed = " or ".join(marks_sql(f"__raw_{i}", marks) for i, _ in checked) if marks else "false"
    ratio = sql.numerator is not None
    numerator = f"({sql.numerator})::double" if ratio else "null::double"
    denominator = f"({sql.denominator})::double" if ratio else "null::double"
    # A benchmark that is not a finite number (a published 'inf') is no benchmark: charts
    # must never receive one.
    given = ("".join(f"(case when isfinite({sql.benchmark[r]}::double) then {sql.benchmark[r]}::double end)"
                     f" as benchmark_{r}, " for r in ("value", "lower", "upper"))
             if benchmarks else "")
    carried = "benchmark_value, benchmark_lower, benchmark_upper, " if benchmarks else ""
    kept = [f"coalesce(({p.filter}), false)" for p in plans]
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
            case when not __suppressed then
                row_problem(periods.period, __period_text, {_literal(sql.metric.frequency)}, __org,
                            number_problem, {'true' if ratio else 'false'}, denominator, value)
            end as problem,
            __kept_twice as kept_twice, __suppressed as suppressed
        from (
            select __metric_no, __kept_twice, source_row, __period_text, __org,
                ({sql.value})::double as value, {numerator} as numerator,
                {denominator} as denominator, {given}
                {number_problem} as number_problem, ({suppressed}) as __suppressed
            from (
                select *, {number}
                from (
                    select source_row, {_quote(sql.period)}::varchar as __period_text, {sql.org} as __org,
                           {", ".join(typed(c) for c in columns)}{raw_copies}
                    from {source}
                ) as extract_rows
                where {" or ".join(kept)}
            ) as extract_rows
        ) as computed
        left join period_lookup as periods
            on periods.period_column = {_literal(sql.period)}
            and periods.frequency = {_literal(sql.metric.frequency)}
            and periods.period_text = computed.__period_text"""


def _judge(con: duckdb.DuckDBPyConnection, plans: list[MetricSql], columns: list[str],
           native: frozenset[str]) -> None:
    """Every metric's kept rows, valued and judged, in one table `judged` (one statement)."""
    benchmarks = any(sql.metric.benchmark for sql in plans)
    alike: dict[tuple[object, ...], list[MetricSql]] = defaultdict(list)
    for sql in plans:
        alike[_reading(sql)].append(sql)

    def judge(first_match: bool) -> None:
        branches = " union all ".join(_branch_sql(group, columns, native, benchmarks, first_match)
                                      for group in alike.values())
        con.execute(f"create or replace table judged as {branches}")

    judge(first_match=True)
    if con.execute("select coalesce(bool_or(kept_twice), false) from judged").fetchall()[0][0]:
        judge(first_match=False)  # some row is kept by two metrics: each gets it


def _runnable(con: duckdb.DuckDBPyConnection, plans: list[MetricSql], columns: list[str],
              native: frozenset[str], results: dict[str, dict[str, Any]], shown: str) -> list[MetricSql]:
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
            results[sql.metric.id] = _file_row(
                shown, sql.metric.id, "failed",
                message=f"metric {sql.metric.id}: the expression failed on this extract: {_first_line(exc)}")
    if good:
        _judge(con, good, columns, native)
    return good


def _lookup_periods(con: duckdb.DuckDBPyConnection, project: Project, plans: list[MetricSql]) -> None:
    """Parse each distinct period text once per period column and frequency."""
    for column, frequency in sorted({(sql.period, sql.metric.frequency) for sql in plans}):
        con.execute(f"create or replace view period_texts as select {_quote(column)}::varchar "
                    "as period_text from raw")
        con.execute(query_text(project, "extracts/period_lookup"), {"column": column, "frequency": frequency})


def judge_file(con: duckdb.DuckDBPyConnection, project: Project, metrics: list[tuple[int, Metric]],
               columns: list[str], shown: str, native: frozenset[str] = frozenset(),
               ) -> tuple[list[MetricSql], dict[str, dict[str, Any]]]:
    """Check and judge every metric of one extract, set-based, into `judged` and `repeats`.

    Returns the metrics that ran, and an `extract_files` row for each that did not.
    """
    results: dict[str, dict[str, Any]] = {}
    plans = []
    orgs: dict[str, str] = {}
    for number, metric in metrics:
        try:
            plans.append(metric_sql(con, metric, number, columns, orgs))
        except UnsafeExpression as exc:
            results[metric.id] = _file_row(shown, metric.id, "refused", message=f"metric {metric.id}: {exc}")
        except MetricFailed as exc:
            results[metric.id] = _file_row(shown, metric.id, "failed", message=f"metric {metric.id}: {exc}")
    if plans:
        _lookup_periods(con, project, plans)
        plans = _runnable(con, plans, columns, native, results, shown)
    if plans:
        con.execute(query_text(project, "extracts/repeats"))
    return plans, results


def _counts(con: duckdb.DuckDBPyConnection, plans: list[MetricSql], shown: str,
            rows_read: int) -> dict[str, dict[str, Any]]:
    """Each judged metric's row counts: read = loaded + rejected + filtered + suppressed."""
    parse_rejects = con.execute("select count(*) from parse_rejects").fetchall()[0][0]
    found = {row[0]: (row[1], row[2], row[3]) for row in con.execute("""
        select j.metric_no,
               count(*) filter (j.problem is null and not j.suppressed) - coalesce(any_value(r.n), 0),
               count(j.problem) + coalesce(any_value(r.n), 0), count(*) filter (j.suppressed)
        from judged as j
        left join (select metric_no, count(*) as n from repeats group by metric_no) as r
            on r.metric_no = j.metric_no
        group by j.metric_no""").fetchall()}
    results = {}
    for sql in plans:
        loaded, rejected, suppressed = found.get(sql.number, (0, 0, 0))
        rejected += parse_rejects
        results[sql.metric.id] = _file_row(shown, sql.metric.id, "loaded", rows_read=rows_read,
                                           rows_loaded=loaded, rows_rejected=rejected,
                                           rows_suppressed=suppressed,
                                           rows_filtered=rows_read - loaded - rejected - suppressed)
    return results


# --- all metrics --------------------------------------------------------------------------


@dataclass
class FileResult:
    """One extract's outcome, made in its sandbox: an `extract_files` row per metric, and the
    loaded values, benchmarks and rejected rows as Arrow tables (metric_no numbers the
    load's metrics)."""

    files: list[dict[str, Any]]
    values: pa.Table | None = None
    benchmarks: pa.Table | None = None
    rejects: pa.Table | None = None


class _Writer:
    """Writes what the sandboxes made into the database being built. Values wait in memory
    for a few large inserts, which cost far less than many small ones."""

    FLUSH_ROWS = 2_000_000

    def __init__(self, con: duckdb.DuckDBPyConnection, metrics: list[PlacedMetric]) -> None:
        self.con = con
        self.ids = [p.metric.id for p in metrics]
        self.files = [f"data/{p.metric.source.file}" for p in metrics]
        self.waiting: list[pa.Table] = []
        self.rows = 0

    def add(self, result: FileResult) -> None:
        if result.rejects is not None and result.rejects.num_rows:
            self._insert("extract_rejects", result.rejects, """
                select ($ids)[metric_no + 1] as metric_id, ($files)[metric_no + 1] as source_file,
                       source_row, reason, raw
                from incoming""", files=True)
        if result.benchmarks is not None and result.benchmarks.num_rows:
            self._insert("metric_benchmarks", result.benchmarks, """
                select ($ids)[metric_no + 1] as metric_id, * exclude (metric_no) from incoming""")
        if result.values is not None:
            self.waiting.append(result.values)
            self.rows += result.values.num_rows
        if self.rows >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Insert the waiting values. Their order in the table means nothing (readers sort),
        and not keeping it lets DuckDB write them with every core."""
        if self.waiting:
            self.con.execute("set preserve_insertion_order = false")
            try:
                self._insert("metric_points", pa.concat_tables(self.waiting), """
                    select ($ids)[metric_no + 1] as metric_id, * exclude (metric_no) from incoming""")
            finally:
                self.con.execute("reset preserve_insertion_order")
        self.waiting, self.rows = [], 0

    def _insert(self, table: str, rows: pa.Table, select: str, files: bool = False) -> None:
        self.con.register("incoming", rows)
        try:
            params = {"ids": self.ids, "files": self.files} if files else {"ids": self.ids}
            self.con.execute(f"insert into {table} by name {select}", params)
        finally:
            self.con.unregister("incoming")


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
    readings: dict[tuple[str, ...], list[tuple[int, Metric]]] = defaultdict(list)
    for number, placed in enumerate(metrics):
        source = placed.metric.source
        key = (source.file, source.sheet or "", str(source.header_row), source.encoding or "",
               source.delimiter or "")
        readings[key].append((number, placed.metric))
    writer = _Writer(con, metrics)
    report = ExtractReport()
    workers = max(1, min(WORKERS, len(readings)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(lambda key: load_file(project, readings[key]), sorted(readings)):
            writer.add(result)
            report.files += result.files
    writer.flush()
    if report.files:
        con.register("incoming_files", pa.Table.from_pylist(report.files))
        try:
            con.execute("insert into extract_files by name select * from incoming_files")
        finally:
            con.unregister("incoming_files")
    return report


def load_file(project: Project, group: list[tuple[int, Metric]]) -> FileResult:
    """Read one extract into a sandbox, lock it, and judge the metrics that read it
    (`group`: each metric with its number in the load; they share the file and how it is read)."""
    relative = group[0][1].source.file
    shown = f"data/{relative}"
    limits = Limits.of(project)
    sandbox = open_sandbox(memory_mb=limits.memory_mb)
    deadline = _Deadline(sandbox, limits.seconds)
    try:
        result = _load_in(sandbox, project, group, shown, limits, lambda: deadline.expired)
    except duckdb.Error as exc:  # out of memory, or interrupted: this file fails, the others load
        logger.info("extract %s failed", shown, exc_info=True)
        message = (f"{shown} needs more than {limits.memory_mb:,} MB to load (setting "
                   "extract_memory_limit_mb): make the file smaller, or raise the limit in settings.yaml"
                   if isinstance(exc, duckdb.OutOfMemoryException)
                   else f"{shown} could not be loaded: {_first_line(exc)}")
        result = FileResult([_file_row(shown, m.id, "failed", message=message) for _, m in group])
    finally:
        expired = deadline.stop()
        sandbox.close()
    if expired:
        message = (f"{shown} took longer than {limits.seconds:,} s to load (setting "
                   "extract_time_limit_seconds): make the file smaller or its metrics' "
                   "expressions simpler, or raise the limit in settings.yaml")
        result = FileResult([_file_row(shown, m.id, "failed", message=message) for _, m in group])
    return result


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
        return FileResult([_file_row(shown, m.id, status, message=message) for _, m in group])
    lock_sandbox(sandbox, project)
    columns = _columns(sandbox)
    parquet = path.suffix.lower() == ".parquet"
    native = _native_numbers(sandbox) if parquet else frozenset()
    plans, results = judge_file(sandbox, project, group, columns, shown, native)
    if not plans:
        return FileResult([results[m.id] for _, m in group])
    results.update(_counts(sandbox, plans, shown, rows_read))
    sandbox.execute("""create or replace view loaded as
        select j.* from judged as j
        anti join repeats as r on r.metric_no = j.metric_no and r.source_row = j.source_row
        where j.problem is null and not j.suppressed""")
    values = sandbox.sql("select metric_no, org, period, value, numerator, denominator, source_row "
                         "from loaded").to_arrow_table()
    benchmarks = None
    if any(sql.metric.benchmark for sql in plans):
        benchmarks = sandbox.sql("""
            select metric_no, org, period, benchmark_value, benchmark_lower, benchmark_upper
            from loaded
            where coalesce(benchmark_value, benchmark_lower, benchmark_upper) is not null
            """).to_arrow_table()
    rejects = _rejects(sandbox, columns, [sql.number for sql in plans], parquet)
    return FileResult([results[m.id] for _, m in group], values, benchmarks, rejects)


def _rejects(sandbox: duckdb.DuckDBPyConnection, columns: list[str], numbers: list[int],
             parquet: bool) -> pa.Table:
    """Each metric's rejected rows with their reasons and the row's text as read. (A Parquet
    file's rows are joined in their own types and only the rejected ones turned into text.)"""
    # One concat_ws over the columns, not a chain of ||: a chain is as deep as the file is
    # wide, and DuckDB refuses expressions over 1000 deep (some 330 columns).
    raw_text = ("concat_ws(', ', " + ", ".join(
        f"{_literal(c + '=')} || coalesce(raw.{_quote(c)}::varchar, '')" for c in columns) + ")"
        if columns else "''")
    return sandbox.sql(f"""
        with rejected as (
            select metric_no, source_row, problem as reason from judged where problem is not null
            union all
            select metric_no, source_row, reason from repeats
            union all
            select m.metric_no, p.source_row, p.reason
            from (select unnest($numbers) as metric_no) as m, parse_rejects as p
        )
        select r.metric_no, r.source_row, r.reason, coalesce(p.raw, {raw_text}) as raw
        from rejected as r
        left join {"raw_native" if parquet else "raw"} as raw on raw.source_row = r.source_row
        left join parse_rejects as p on p.source_row = r.source_row""",
        params={"numbers": numbers}).to_arrow_table()


def _file_row(source_file: str, metric_id: str | None, status: str, **values: Any) -> dict[str, Any]:
    row = {"source_file": source_file, "metric_id": metric_id, "status": status, "rows_read": 0,
           "rows_loaded": 0, "rows_rejected": 0, "rows_filtered": 0, "rows_suppressed": 0,
           "message": None}
    row.update(values)
    return row


def insert_definitions(con: duckdb.DuckDBPyConnection, metrics: list[PlacedMetric]) -> None:
    """The metric definitions, their objectives, trajectories, SPC rebase months and events."""
    tables: dict[str, list[dict[str, Any]]] = {
        "metrics": [], "metric_objectives": [], "metric_trajectory": [], "metric_rebase": [],
        "metric_event": []}
    for placed in metrics:
        m, target = placed.metric, placed.metric.target
        tables["metrics"].append({
            "metric_id": m.id, "name": m.name, "description": m.description, "unit": m.unit,
            "direction": m.direction, "frequency": m.frequency,
            "target_value": target.value if target else None,
            "target_due": _month(target.due) if target and target.due else None,
            "target_set_by": target.set_by if target else None,
            "tolerance": m.tolerance, "fix_after_n_points": m.fix_after_n_points,
            "headline": m.headline, "owner": m.owner, "owner_email": m.owner_email,
            "is_example": m.example, "orgs": m.orgs, "freshness_months": m.freshness_months,
            "source_file": f"data/{m.source.file}",
            "definition_path": placed.path, "definition_line": placed.line,
        })
        tables["metric_objectives"] += [{"metric_id": m.id, "objective_id": o} for o in m.objectives]
        tables["metric_trajectory"] += [{"metric_id": m.id, "period": _month(p.period), "value": p.value}
                                        for p in (target.trajectory if target else [])]
        tables["metric_rebase"] += [{"metric_id": m.id, "period": _month(r.period), "reason": r.reason}
                                    for r in m.rebase]
        tables["metric_event"] += [{"metric_id": m.id, "period": _month(e.period), "text": e.text,
                                    "position": i} for i, e in enumerate(m.events)]
    for table, rows in tables.items():
        if rows:
            con.register("incoming_definitions", pa.Table.from_pylist(rows))
            try:
                con.execute(f"insert into {table} by name select * from incoming_definitions")
            finally:
                con.unregister("incoming_definitions")


def _month(text: str) -> dt.date:
    """'2024-03' -> 1 March 2024."""
    return dt.date(int(text[:4]), int(text[5:7]), 1)
