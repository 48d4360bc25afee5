"""Metric definitions checked as the build checks them, without building: what `validate`
(and so the pre-commit hook) adds to the models' own checks.

The build refuses a metric whose `value`, `numerator`, `denominator` or `filter` is not
valid SQL, uses what the expression guard forbids (`tracker.metrics.sqlguard`) or names a
column its extract does not have. `validate` finds the same, with the same rules: each
expression goes through `tracker.metrics.layouts.check_column_or_expression`, as in
`tracker.metrics.metric_sql`, against the column names the build would read
(`tracker.metrics.extract_reading.read_header`, which reads only the file's head). So a
definition the build would refuse is stopped before it is committed, with its file and
line and what to write instead.

When the extract is not there, the expressions are checked for syntax and the guard only,
and a note says the columns were not checked; an expression that is not valid SQL but
could be a column's name (`Attendances over 4hrs Type 1`) is then a note too, since the
build reads such a text as that column.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tracker.metrics.definitions import Metric, PlacedMetric, extract_path
from tracker.metrics.extract_reading import UnreadableExtract, read_header
from tracker.metrics.layouts import check_column_or_expression, with_names_quoted
from tracker.metrics.long_forms import source_expressions
from tracker.metrics.sandbox import Limits
from tracker.metrics.sql_quoting import quote_name
from tracker.metrics.sqlguard import UnsafeExpression, check_expression
from tracker.plans.problems import Problem, SourceError
from tracker.plans.yamlio import LocatedDocument, Location, read_yaml
from tracker.project import Project

logger = logging.getLogger(__name__)

# Text that may be a column's name as a publisher writes it: no quotes, no function call,
# on one line. Only such text, when not valid SQL, is left to the build to read as a column.
_FUNCTION_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\s*\(")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NEAREST = 3


@dataclass
class DefinitionCheck:
    """What checking the definitions found: problems (validate exits 1) and notes on what
    could not be checked (said, not failed)."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Expression:
    """One expression of a definition: `label` names it in messages, `kind` is how the guard
    reads it (a `filter` is a condition), `where` is its place in the YAML below the metric."""

    label: str
    text: str
    kind: str
    where: Location


@dataclass(frozen=True)
class Header:
    """An extract's column names as the build reads them; None with `why` when not read."""

    columns: list[str] | None
    why: str = ""
    missing: bool = False


def check_definitions(project: Project, metrics: list[PlacedMetric]) -> DefinitionCheck:
    """Check each metric's expressions and column names as the build would, against its
    extract's header when the extract is there."""
    result = DefinitionCheck()
    headers: dict[tuple[str, ...], Header] = {}
    lines = _Lines(project)
    con = duckdb.connect()
    try:
        for placed in metrics:
            key = _reading_key(placed.metric)
            if key not in headers:
                headers[key] = _header(project, placed.metric)
            _check_metric(placed, headers[key], lines, con, result)
    finally:
        con.close()
    result.problems.sort()
    result.notes.sort()
    return result


def _reading_key(metric: Metric) -> tuple[str, ...]:
    """What decides the column names read from a file (as the build groups its readings)."""
    source = metric.source
    return (source.file, source.sheet or "", str(source.header_row), source.encoding or "",
            source.delimiter or "")


def _header(project: Project, metric: Metric) -> Header:
    """The extract's column names, or why there are none to check against."""
    shown = f"data/{metric.source.file}"
    path = extract_path(project, metric.source.file)
    if path is None or not path.exists():
        return Header(None, f"{shown} is not there", missing=True)
    reader = duckdb.connect()  # each file read on its own, as in the build
    try:
        return Header(read_header(reader, path, metric, shown, Limits.of(project)))
    except UnreadableExtract as exc:
        return Header(None, str(exc))
    except (OSError, duckdb.Error) as exc:
        logger.info("the header of %s could not be read", shown, exc_info=True)
        return Header(None, f"{shown} could not be read: {getattr(exc, 'strerror', None) or exc}")
    finally:
        reader.close()


def _check_metric(placed: PlacedMetric, header: Header, lines: _Lines,
                  con: duckdb.DuckDBPyConnection, result: DefinitionCheck) -> None:
    metric = placed.metric
    shown = f"data/{metric.source.file}"

    def problem(where: Location, message: str) -> Problem:
        return Problem(placed.path, lines.line(placed, where), f"metric {metric.id}: {message}")

    if header.columns is None and not header.missing:
        result.problems.append(problem(_part_at_fault(header.why), header.why))
    elif header.missing:
        result.notes.append(problem(("source", "file"), f"{header.why}, so the column names were not "
                                    "checked (only the expressions' syntax and what they may use)"))
    for expression in expressions(metric):
        if header.columns is not None:
            found = _against_columns(expression, header.columns, shown, con)
            if found:
                result.problems.append(problem(expression.where, found))
            continue
        message, certain = _without_columns(expression, con)
        if message:
            (result.problems if certain else result.notes).append(problem(expression.where, message))
    if header.columns is not None:
        for where, role, name in _named_columns(metric):
            if not any(c.lower() == name.strip().lower() for c in header.columns):
                result.problems.append(problem(where, f"the {role} column '{name}' is not in {shown}: "
                                                      f"{_nearest(name, header.columns)}"))


def _part_at_fault(why: str) -> Location:
    """Where in the definition to point for a file that could not be read as it says."""
    if "has no sheet named" in why:
        return ("source", "sheet")
    if "has no column names" in why:
        return ("source", "header_row")
    return ("source", "file")


def expressions(metric: Metric) -> Iterator[Expression]:
    """Each expression of the metric's source (`long_forms.source_expressions`): `value`,
    `numerator`, `denominator` and `filter`, and the `where` of a part picking rows of a long file."""
    for place, kind, text in source_expressions(metric.source):
        label = f"{place[0]} where" if place[-1] == "where" else place[0]
        yield Expression(label, text, kind, ("source", *place))


def _named_columns(metric: Metric) -> Iterator[tuple[Location, str, str]]:
    """The columns the definition names outright: period, org and the benchmark's columns."""
    source = metric.source
    yield ("source", "period"), "period", source.period
    if source.org:
        yield ("source", "org"), "org", source.org
    for role in ("value", "lower", "upper"):
        given = getattr(metric.benchmark, role, None) if metric.benchmark else None
        if isinstance(given, str):
            yield ("benchmark", role), f"benchmark {role}", given


def _against_columns(expression: Expression, columns: list[str], shown: str,
                     con: duckdb.DuckDBPyConnection) -> str | None:
    """The build's verdict on the expression over these columns: None if it passes, else
    what is wrong and what to write (an unknown column with the nearest the file has)."""
    try:
        check_column_or_expression(expression.text, columns, expression.kind, con)
        return None
    except UnsafeExpression as exc:
        refused = _named(str(exc), expression)
    try:  # is the only fault a name the file does not have?
        used = check_expression(expression.text, None, expression.kind, con).columns
    except UnsafeExpression:
        text = expression.text
        if ("is not valid SQL" in refused and with_names_quoted(text, columns) is None
                and _could_be_a_name(text) and _close(text, columns)):
            return f"{refused}. If it is meant to be a column's name, {_nearest(text, columns)}"
        return refused
    known = {c.lower() for c in columns}
    unknown = sorted(c for c in used if c.lower() not in known)
    if not unknown:
        return refused
    return "; ".join(f"the {expression.label} expression names '{name}', which is not a column of "
                     f"{shown}: {_nearest(name, columns)}" for name in unknown)


def _without_columns(expression: Expression, con: duckdb.DuckDBPyConnection) -> tuple[str | None, bool]:
    """The syntax and the guard's verdict with no header to check names against: (what is
    wrong, whether it is certainly wrong). Text that is not SQL but may be a column's name
    is left to the build, with a note."""
    try:
        check_expression(expression.text, None, expression.kind, con)
        return None, True
    except UnsafeExpression as exc:
        refused = _named(str(exc), expression)
    if "is not valid SQL" in refused and _could_be_a_name(expression.text):
        return (f"'{expression.text.strip()}' is not valid SQL, so the build reads it as a column's "
                f"name, which could not be checked; inside a longer expression such a name goes in "
                f"double quotes: \"{expression.text.strip()}\""), False
    return refused, True


def _named(message: str, expression: Expression) -> str:
    """The guard's message naming the part as the definition does (a `where` is read as a filter)."""
    if expression.label == expression.kind:
        return message
    return message.replace(f"the {expression.kind} expression", f"the {expression.label} expression", 1)


def _could_be_a_name(text: str) -> bool:
    """Whether a publisher's column could be named `text` (see _FUNCTION_CALL)."""
    stripped = text.strip()
    return (0 < len(stripped) <= 200 and not any(q in stripped for q in "'\"`\n;")
            and not _FUNCTION_CALL.search(stripped))


def _nearest(name: str, columns: list[str]) -> str:
    """The file's column names nearest to `name`, or the first few of them if none is near."""
    close = _close(name, columns)
    if close:
        return "the nearest in its header: " + ", ".join(_quoted(c) for c in close)
    shown = ", ".join(_quoted(c) for c in columns[:10])
    more = f" and {len(columns) - 10} more" if len(columns) > 10 else ""
    return f"its header has {shown}{more}"


def _close(name: str, columns: list[str]) -> list[str]:
    """The columns whose names are like `name` (case aside), nearest first."""
    folded = {c.lower(): c for c in columns}
    return [folded[c] for c in difflib.get_close_matches(name.strip().lower(), list(folded), NEAREST, 0.5)]


def _quoted(column: str) -> str:
    """A column name as it would be written in an expression: in double quotes when SQL needs them."""
    return column if _PLAIN_NAME.fullmatch(column) else quote_name(column)


class _Lines:
    """The line of each part of a definition, from its file read again (each file once)."""

    def __init__(self, project: Project) -> None:
        self.root = project.root
        self.docs: dict[str, LocatedDocument | None] = {}

    def line(self, placed: PlacedMetric, where: Location) -> int | None:
        doc = self._doc(placed.path)
        items = doc.data.get("metrics") if doc is not None and isinstance(doc.data, dict) else None
        if doc is None or not isinstance(items, list):
            return placed.line
        for index in range(len(items)):  # the definition is the one starting at its line
            if doc.line_of(("metrics", index)) == placed.line:
                return doc.line_of(("metrics", index, *where))
        return placed.line

    def _doc(self, shown: str) -> LocatedDocument | None:
        if shown not in self.docs:
            path = Path(shown) if Path(shown).is_absolute() else self.root / shown
            try:
                self.docs[shown] = read_yaml(path, shown)
            except SourceError:  # it was read a moment ago: say the metric's own line then
                logger.info("%s could not be read again for its lines", shown, exc_info=True)
                self.docs[shown] = None
        return self.docs[shown]
