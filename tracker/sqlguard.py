"""Analysts' SQL is an expression over their extract's columns, and nothing more.

A metric's `value` (or `numerator`/`denominator`) and `filter` are written in
SQL so that any published layout can be described without code. They run
inside our build, so they must not read files, attach databases, install
extensions or run a second statement. We ask DuckDB's own parser for the
expression's syntax tree (`json_serialize_sql`) and allow only column
references to the extract's own columns, constants, operators, comparisons,
CASE, CAST and a list of plain scalar functions. Anything else is refused
with a sentence saying what and where.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import duckdb

ALLOWED_FUNCTIONS = frozenset({
    # arithmetic, comparison and text operators as DuckDB names them
    "+", "-", "*", "/", "//", "%", "^", "**", "||", "~~", "!~~", "~~*", "!~~*", "@",
    "abs", "round", "ceil", "ceiling", "floor", "trunc", "sign", "sqrt", "ln", "log", "log10",
    "log2", "exp", "power", "pow", "greatest", "least", "coalesce", "nullif", "ifnull", "if",
    "isnan", "isfinite", "lower", "upper", "lcase", "ucase", "trim", "ltrim", "rtrim",
    "replace", "length", "strlen", "substring", "substr", "left", "right", "concat",
    "contains", "starts_with", "ends_with", "prefix", "suffix", "lpad", "rpad",
    "strptime", "try_strptime", "strftime", "regexp_replace", "regexp_matches",
    "regexp_extract", "year", "month", "day", "quarter", "date_trunc", "make_date",
    "last_day", "date_part", "datepart",
})
ALLOWED_CLASSES = frozenset({
    "CONSTANT", "COLUMN_REF", "FUNCTION", "OPERATOR", "COMPARISON", "CONJUNCTION", "CASE",
    "CAST", "BETWEEN", "TYPE",
})
ALLOWED_TYPES = frozenset({
    "double", "float", "real", "decimal", "numeric", "integer", "int", "bigint", "smallint",
    "hugeint", "varchar", "text", "string", "date", "timestamp", "boolean", "bool",
})
_FORBIDDEN_TEXT = (";", "--", "/*", "*/")


class UnsafeExpression(ValueError):
    """An analyst's expression that is not a plain expression over the extract's columns."""


def check_expression(expression: str, columns: Iterable[str], role: str = "value") -> set[str]:
    """Refuse anything but an expression over `columns` (for `role`: value or filter).

    Returns the (lower-case) names of the columns the expression uses.
    """
    text = expression.strip()
    if not text:
        raise UnsafeExpression(f"the {role} expression is empty")
    for token in _FORBIDDEN_TEXT:
        if token in text:
            raise UnsafeExpression(
                f"the {role} expression may not contain '{token}': write a single expression"
            )
    sql = (f"SELECT ({text}) FROM extract_rows" if role != "filter"
           else f"SELECT 1 FROM extract_rows WHERE ({text})")
    tree = _syntax_tree(sql, role)
    statements = tree.get("statements", [])
    if len(statements) != 1 or statements[0]["node"].get("type") != "SELECT_NODE":
        raise UnsafeExpression(f"the {role} expression must be a single expression")
    node = statements[0]["node"]
    _check_from(node, role)
    part = node["where_clause"] if role == "filter" else node["select_list"][0]
    known = {c.lower() for c in columns}
    used: set[str] = set()
    _walk(part, known, role, used)
    return used


def _syntax_tree(sql: str, role: str) -> dict[str, Any]:
    con = duckdb.connect()
    try:
        raw = con.execute("select json_serialize_sql($sql)", {"sql": sql}).fetchall()[0][0]
    finally:
        con.close()
    tree = json.loads(raw)
    if tree.get("error"):
        message = tree.get("error_message", "it is not valid SQL")
        raise UnsafeExpression(f"the {role} expression is not valid SQL: {message}")
    return tree


def _check_from(node: dict[str, Any], role: str) -> None:
    source = node.get("from_table") or {}
    if source.get("type") != "BASE_TABLE" or source.get("table_name") != "extract_rows":
        raise UnsafeExpression(f"the {role} expression may only use the extract's own columns")
    for key in ("cte_map",):
        if node.get(key, {}).get("map"):
            raise UnsafeExpression(f"the {role} expression may not define queries")


def _walk(part: Any, columns: set[str], role: str, used: set[str]) -> None:
    if isinstance(part, list):
        for item in part:
            _walk(item, columns, role, used)
        return
    if not isinstance(part, dict):
        return
    kind = part.get("class")
    if kind is not None:
        _check_node(part, kind, columns, role)
        if kind == "COLUMN_REF":
            used.add(part["column_names"][0].lower())
    for key, value in part.items():
        if key not in ("class", "type"):
            _walk(value, columns, role, used)


def _check_node(part: dict[str, Any], kind: str, columns: set[str], role: str) -> None:
    if kind not in ALLOWED_CLASSES or "SUBQUERY" in str(part.get("type", "")):
        raise UnsafeExpression(
            f"the {role} expression may not use {kind.lower().replace('_', ' ')}s: "
            "only columns, numbers, text, operators and simple functions are allowed"
        )
    if kind == "FUNCTION":
        name = str(part.get("function_name", "")).lower()
        if part.get("schema") or part.get("catalog") or name not in ALLOWED_FUNCTIONS:
            raise UnsafeExpression(
                f"the {role} expression may not call {name}(): only simple functions "
                "such as round, coalesce, nullif, abs, lower and strptime are allowed"
            )
    if kind == "TYPE":
        name = str(part.get("type_name", "")).lower()
        if part.get("schema") or part.get("catalog") or name not in ALLOWED_TYPES:
            raise UnsafeExpression(f"the {role} expression may not convert to '{name}'")
    if kind == "COLUMN_REF":
        names = part.get("column_names", [])
        if len(names) != 1 or names[0].lower() not in columns:
            shown = ".".join(names)
            raise UnsafeExpression(
                f"the {role} expression names '{shown}', which is not a column of the extract "
                f"(columns: {', '.join(sorted(columns))})"
            )
