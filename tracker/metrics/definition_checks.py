"""What a metric definition is checked for once it has been read, before any extract is:
expressions too long or too deeply nested to check, and organisations combined that cannot
be added. Each problem names where in the definition it lies, for its `path:line:`.

(What else may be wrong with an expression is found against its extract's columns.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from tracker.metrics.long_forms import as_where, combine_refusal, source_expressions
from tracker.metrics.sqlguard import UnsafeExpression, check_size

if TYPE_CHECKING:
    from tracker.metrics.definitions import Metric


class Parser:
    """One DuckDB connection for checking expressions' size, opened only if one is needed."""

    def __init__(self) -> None:
        self.con: duckdb.DuckDBPyConnection | None = None

    def get(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            self.con = duckdb.connect()
        return self.con

    def close(self) -> None:
        if self.con is not None:
            self.con.close()


def definition_problems(metric: Metric, parser: Parser) -> list[tuple[tuple[str, ...], str]]:
    """Each problem of the metric's source: (its place under `source`, why)."""
    found = []
    for place, role, text in source_expressions(metric.source):
        try:
            check_size(text, role, parser.get())
        except UnsafeExpression as exc:
            found.append((place, str(as_where(exc, place[0]) if place[-1] == "where" else exc)))
    refusal = combine_refusal(metric.unit, metric.source.value, metric.source.combine)
    if refusal:
        found.append((("combine",), refusal))
    return found
