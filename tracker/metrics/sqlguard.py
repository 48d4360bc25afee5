"""Analysts' SQL is an expression over their extract's columns, and nothing more.

A metric's `value` (or `numerator`/`denominator`) and `filter` are written in
SQL so that any published layout can be described without code. They run
inside our build, so they must not read files, attach databases, install
extensions or run a second statement. We ask DuckDB's own parser for the
expression's syntax tree (`json_serialize_sql`) and allow only references to
the extract's own columns, constants, operators, comparisons, CASE, CAST and
a list of plain scalar functions. Anything else is refused with a sentence
that quotes the offending part.

What runs is not the analyst's text but DuckDB's own rendering of the tree we
checked (`json_deserialize_sql`), so no quirk of where the text is pasted can
make it mean something else. This is the first line of defence; the second
is that the build evaluates these expressions on a separate in-memory
database with file access switched off (see `tracker.metrics.sandbox`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

TABLE = "extract_rows"
ALLOWED_FUNCTIONS = frozenset({
    # arithmetic, comparison and text operators as DuckDB names them
    "+", "-", "*", "/", "//", "%", "^", "**", "||", "~~", "!~~", "~~*", "!~~*", "@",
    "abs", "round", "ceil", "ceiling", "floor", "trunc", "sign", "sqrt", "ln", "log", "log10",
    "log2", "exp", "power", "pow", "greatest", "least", "coalesce", "nullif", "ifnull", "if",
    "isnan", "isfinite", "isinf", "lower", "upper", "lcase", "ucase", "trim", "ltrim", "rtrim",
    "replace", "length", "strlen", "substring", "substr", "left", "right", "concat",
    "contains", "starts_with", "ends_with", "prefix", "suffix", "lpad", "rpad",
    "strptime", "try_strptime", "strftime", "regexp_replace", "regexp_matches",
    "regexp_full_match", "regexp_extract", "year", "month", "day", "quarter", "date_trunc",
    "make_date", "last_day", "date_part", "datepart", "date_diff", "datediff",
})
# Functions whose arguments are text: a column passed straight to one is read as text.
TEXT_FUNCTIONS = frozenset({
    "||", "~~", "!~~", "~~*", "!~~*", "lower", "upper", "lcase", "ucase", "trim", "ltrim", "rtrim",
    "replace", "length", "strlen", "substring", "substr", "left", "right", "concat", "contains",
    "starts_with", "ends_with", "prefix", "suffix", "lpad", "rpad", "strptime", "try_strptime",
    "regexp_replace", "regexp_matches", "regexp_full_match", "regexp_extract",
})
ALLOWED_CLASSES = frozenset({
    "CONSTANT", "COLUMN_REF", "FUNCTION", "OPERATOR", "COMPARISON", "CONJUNCTION", "CASE",
    "CAST", "BETWEEN", "TYPE",
})
ALLOWED_TYPES = frozenset({
    "double", "float", "real", "decimal", "numeric", "integer", "int", "bigint", "smallint",
    "hugeint", "varchar", "text", "string", "date", "timestamp", "boolean", "bool",
})
TEXT_TYPES = frozenset({"varchar", "text", "string", "date", "timestamp"})
# What to call the parts we refuse, in words an analyst knows.
_CLASS_WORDS = {
    "SUBQUERY": "subqueries (a SELECT inside the expression)",
    "WINDOW": "window functions (OVER ...)",
    "STAR": "'*' (name the columns)",
    "COLUMNS": "COLUMNS(...)",
    "PARAMETER": "parameters ($name or ?)",
    "LAMBDA": "lambda functions",
    "COLLATE": "COLLATE",
    "POSITIONAL_REFERENCE": "positional references (#1)",
}
_FORBIDDEN_TEXT = (";", "--", "/*", "*/")
# Bounds on an expression's size. Python reads DuckDB's syntax tree (JSON) and walks it
# recursively, about three levels per operator or function inside another: a sum of some 340
# terms would pass Python's recursion limit as a crash instead of a message.
MAX_EXPRESSION_CHARS = 2000
MAX_NESTING = 100
_JSON_DEPTH = 3 * MAX_NESTING + 10
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
# Functions whose second argument is a width to pad to: a fixed width up to this, no more
# (rpad('x', 2000000000, 'y') takes 4 GB).
PAD_FUNCTIONS = frozenset({"lpad", "rpad"})
MAX_PAD_WIDTH = 1000
_PREFIX = {"filter": f"SELECT 1 FROM {TABLE} WHERE (", "other": "SELECT ("}
_SUFFIX = {"filter": ")", "other": f") FROM {TABLE}"}


class UnsafeExpression(ValueError):
    """An analyst's expression that is not a plain expression over the extract's columns."""


@dataclass(frozen=True)
class CheckedExpression:
    """An expression that passed: the SQL to run, and the columns it reads as numbers or text."""

    sql: str
    columns: frozenset[str]
    numeric: frozenset[str]


def check_expression(
    expression: str, columns: Iterable[str] | None, role: str = "value",
    con: duckdb.DuckDBPyConnection | None = None,
) -> CheckedExpression:
    """Refuse anything but an expression over `columns`; `role` names it in messages.

    `role` is value, numerator, denominator or filter (a filter is a condition).
    `con` is any DuckDB connection to parse with (a fresh one if not given).
    Column names are compared case-insensitively, as DuckDB does; with `columns` None
    (the extract not read yet, as in `validate`) any column name passes.
    """
    text = expression.strip()
    if not text:
        raise UnsafeExpression(f"the {role} expression is empty")
    _check_length(text, role)
    for token in _FORBIDDEN_TEXT:
        if token in text:
            raise UnsafeExpression(
                f"the {role} expression may not contain '{token}': write a single expression"
            )
    kind = "filter" if role == "filter" else "other"
    sql = _PREFIX[kind] + text + _SUFFIX[kind]
    tree = _syntax_tree(sql, role, con)
    node = _single_select(tree, role)
    part = node["where_clause"] if kind == "filter" else node["select_list"][0]
    known = None if columns is None else {c.lower(): c for c in columns}
    walk = _Walk(text, len(_PREFIX[kind]), known, role)
    walk.visit(part, text_context=False)
    return CheckedExpression(sql=_render(tree, kind, role, con), columns=frozenset(walk.used),
                             numeric=frozenset(walk.used - walk.text_only()))


def size_problems(expressions: list[tuple[str, str]],
                  con: duckdb.DuckDBPyConnection | None = None) -> list[UnsafeExpression | None]:
    """Each `(expression, role)`'s refusal, or None: too long or too deeply nested to check,
    found before any extract is read (so `validate` names it); what else is wrong with it is
    found against the extract. One query parses them all (a query per expression cost 0.14 s
    of a build's 250 expressions)."""
    problems: list[UnsafeExpression | None] = []
    to_parse: dict[int, str] = {}
    for index, (expression, role) in enumerate(expressions):
        text = expression.strip()
        problems.append(_length_problem(text, role))
        if problems[-1] is None and not any(token in text for token in _FORBIDDEN_TEXT):
            # (forbidden text is refused, with its reason, when the extract is read)
            kind = "filter" if role == "filter" else "other"
            to_parse[index] = _PREFIX[kind] + text + _SUFFIX[kind]
    if not to_parse:
        return problems
    parser, own = _connection(con)
    try:
        raws = parser.execute("select json_serialize_sql(s) from unnest($sqls) with ordinality as t(s, n) "
                              "order by n", {"sqls": list(to_parse.values())}).fetchall()
    finally:
        if own:
            parser.close()
    for index, (raw,) in zip(to_parse, raws, strict=True):
        # DuckDB's own parser stops at 1000 levels with an error that names the depth.
        if _json_depth(raw) > _JSON_DEPTH or (raw.startswith('{"error":true') and "expression depth" in raw):
            problems[index] = _too_deep(expressions[index][1])
    return problems


def _length_problem(text: str, role: str) -> UnsafeExpression | None:
    try:
        _check_length(text, role)
    except UnsafeExpression as exc:
        return exc
    return None


def _check_length(text: str, role: str) -> None:
    if len(text) > MAX_EXPRESSION_CHARS:
        raise UnsafeExpression(
            f"the {role} expression is {len(text):,} characters long; the limit is "
            f"{MAX_EXPRESSION_CHARS:,}: compute it in the extract, or write it more simply"
        )


def _too_deep(role: str) -> UnsafeExpression:
    return UnsafeExpression(
        f"the {role} expression has more than {MAX_NESTING} operators or functions inside "
        "one another: add fewer terms in one expression, or compute a total in the extract"
    )


def _connection(con: duckdb.DuckDBPyConnection | None) -> tuple[duckdb.DuckDBPyConnection, bool]:
    return (con, False) if con is not None else (duckdb.connect(), True)


def _syntax_tree(sql: str, role: str, con: duckdb.DuckDBPyConnection | None) -> dict[str, Any]:
    parser, own = _connection(con)
    try:
        raw = parser.execute("select json_serialize_sql($sql)", {"sql": sql}).fetchall()[0][0]
    finally:
        if own:
            parser.close()
    if _json_depth(raw) > _JSON_DEPTH:
        raise _too_deep(role)
    tree: dict[str, Any] = json.loads(raw)
    if tree.get("error"):
        message = tree.get("error_message", "it is not valid SQL").splitlines()[0]
        if "expression depth" in message:
            raise _too_deep(role)
        raise UnsafeExpression(f"the {role} expression is not valid SQL: {message}")
    return tree


def _json_depth(raw: str) -> int:
    """How deeply DuckDB's JSON nests, counted without recursion (strings stepped over)."""
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(raw):
        mark = token.group()
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif mark in "]}":
            depth -= 1
    return deepest


def _single_select(tree: dict[str, Any], role: str) -> dict[str, Any]:
    """The one SELECT we wrapped the expression in, with nothing added to it."""
    statements = tree.get("statements", [])
    if len(statements) != 1 or statements[0]["node"].get("type") != "SELECT_NODE":
        raise UnsafeExpression(f"the {role} expression must be a single expression")
    node: dict[str, Any] = statements[0]["node"]
    source = node.get("from_table") or {}
    extras = (
        node.get("modifiers") or node.get("group_expressions") or node.get("group_sets")
        or node.get("having") or node.get("sample") or node.get("qualify")
        or (node.get("cte_map") or {}).get("map")
        or node.get("aggregate_handling") != "STANDARD_HANDLING"
        or len(node.get("select_list", [])) != 1
        or (role != "filter" and node.get("where_clause") is not None)
    )
    plain_table = (source.get("type") == "BASE_TABLE" and source.get("table_name") == TABLE
                   and not source.get("schema_name") and not source.get("catalog_name")
                   and not source.get("alias") and not source.get("at_clause")
                   and not source.get("sample"))
    if extras or not plain_table:
        raise UnsafeExpression(
            f"the {role} expression must be a single expression over the extract's own columns"
        )
    return node


def _render(tree: dict[str, Any], kind: str, role: str, con: duckdb.DuckDBPyConnection | None) -> str:
    """DuckDB's own SQL for the tree we checked: what actually runs."""
    parser, own = _connection(con)
    try:
        text: str = parser.execute("select json_deserialize_sql($tree)",
                                   {"tree": json.dumps(tree)}).fetchall()[0][0]
    finally:
        if own:
            parser.close()
    head = f"SELECT 1 FROM {TABLE} WHERE " if kind == "filter" else "SELECT "
    tail = "" if kind == "filter" else f" FROM {TABLE}"
    if not (text.startswith(head) and text.endswith(tail)):
        raise UnsafeExpression(f"the {role} expression could not be checked")
    return text[len(head): len(text) - len(tail)]


class _Walk:
    """One pass over an expression's tree: refuse what is not allowed, note the columns used."""

    def __init__(self, text: str, offset: int, known: dict[str, str] | None, role: str) -> None:
        self.text, self.offset, self.known, self.role = text, offset, known, role
        self.used: set[str] = set()
        self.as_text: set[str] = set()
        self.as_number: set[str] = set()

    def text_only(self) -> set[str]:
        return self.as_text - self.as_number

    def visit(self, part: Any, text_context: bool) -> None:
        if isinstance(part, list):
            for item in part:
                self.visit(item, text_context)
            return
        if not isinstance(part, dict):
            return
        kind = part.get("class")
        if kind is None:  # a wrapper such as a function argument {"name", "expression"}
            for value in part.values():
                self.visit(value, text_context)
            return
        self._check(part, kind)
        if kind == "COLUMN_REF":
            given = part["column_names"][0]
            name = given if self.known is None else self.known[given.lower()]
            self.used.add(name)
            (self.as_text if text_context else self.as_number).add(name)
            return
        for key, value in part.items():
            if key not in ("class", "type"):
                self.visit(value, self._child_is_text(part, kind))

    @staticmethod
    def _child_is_text(part: dict[str, Any], kind: str) -> bool:
        """Whether a column directly under `part` is used as text (compared with text, passed
        to a text function, cast to text); anywhere else a column is read as a number."""
        if kind == "FUNCTION":
            return (str(part.get("function_name", "")).lower() in TEXT_FUNCTIONS
                    or any(_is_text_constant(a.get("expression")) for a in part.get("arguments", [])))
        if kind == "CASE":
            results = [c.get("then_expr") for c in part.get("case_checks", [])] + [part.get("else_expr")]
            return any(_is_text_constant(r) for r in results)
        if kind == "OPERATOR" and part.get("type") in ("OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL"):
            return True
        if kind == "COMPARISON":
            return _is_text_constant(part.get("left")) or _is_text_constant(part.get("right"))
        if kind == "OPERATOR" and part.get("type") in ("COMPARE_IN", "COMPARE_NOT_IN", "OPERATOR_COALESCE"):
            return any(_is_text_constant(c) for c in part.get("children", []))
        if kind == "CAST":
            return str(part.get("type_expr", {}).get("type_name", "")).lower() in TEXT_TYPES
        return False

    def _quote(self, part: dict[str, Any]) -> str:
        start = int(part.get("query_location", -1)) - self.offset
        length = int(part.get("query_location_length", 0))
        if 0 <= start < len(self.text) and length > 0:
            return f" (found: {self.text[start:start + length]})"
        return ""

    def _check(self, part: dict[str, Any], kind: str) -> None:
        role = self.role
        if kind not in ALLOWED_CLASSES or "SUBQUERY" in str(part.get("type", "")):
            words = _CLASS_WORDS.get(kind, _CLASS_WORDS["SUBQUERY"] if "SUBQUERY" in str(
                part.get("type", "")) else kind.lower().replace("_", " "))
            raise UnsafeExpression(
                f"the {role} expression may not use {words}: only columns, numbers, text, "
                f"operators and simple functions are allowed{self._quote(part)}"
            )
        if kind == "FUNCTION":
            name = str(part.get("function_name", "")).lower()
            if part.get("schema") or part.get("catalog") or name not in ALLOWED_FUNCTIONS:
                raise UnsafeExpression(
                    f"the {role} expression may not call {name}(): only simple functions such as "
                    f"round, coalesce, nullif, abs, lower and strptime are allowed{self._quote(part)}"
                )
            if part.get("distinct") or part.get("filter") or (part.get("order_bys") or {}).get("orders"):
                raise UnsafeExpression(f"the {role} expression may not use {name}() that way")
            if name in PAD_FUNCTIONS and not _small_width(part):
                raise UnsafeExpression(
                    f"the {role} expression may call {name}() only with a fixed width of at most "
                    f"{MAX_PAD_WIDTH:,} characters, such as {name}(code, 5, '0'){self._quote(part)}"
                )
        if kind == "TYPE":
            name = str(part.get("type_name", "")).lower()
            if part.get("schema") or part.get("catalog") or name not in ALLOWED_TYPES:
                raise UnsafeExpression(f"the {role} expression may not convert to '{name}'")
        if kind == "COLUMN_REF":
            names = part.get("column_names", [])
            if len(names) != 1 or (self.known is not None and names[0].lower() not in self.known):
                columns = "" if self.known is None else (
                    f" (columns: {', '.join(sorted(self.known.values()))})")
                shown = ".".join(names)
                raise UnsafeExpression(
                    f"the {role} expression names '{shown}', which is not a column of the extract"
                    + columns
                )


def _small_width(part: dict[str, Any]) -> bool:
    """Whether a pad function's width (its second argument) is a whole number written as
    a constant, from 0 to MAX_PAD_WIDTH."""
    arguments = part.get("arguments") or []
    width = arguments[1].get("expression") if len(arguments) >= 2 else None
    if not isinstance(width, dict) or width.get("class") != "CONSTANT":
        return False
    literal = width.get("literal") or {}
    text = str(literal.get("text", ""))
    return (literal.get("kind") == "INTEGER" and text.isascii() and text.isdigit()
            and int(text) <= MAX_PAD_WIDTH)


def _is_text_constant(part: Any) -> bool:
    return (isinstance(part, dict) and part.get("class") == "CONSTANT"
            and (part.get("literal") or {}).get("kind") == "STRING")
