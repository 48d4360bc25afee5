"""What a metric definition is checked for once it has been read, before any extract is:
expressions too long or too deeply nested to check, and organisations combined that cannot
be added. Each problem names where in the definition it lies, for its `path:line:`.

(What else may be wrong with an expression is found against its extract's columns.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.metrics.long_forms import as_where, combine_refusal, source_expressions
from tracker.metrics.sqlguard import size_problems

if TYPE_CHECKING:
    from tracker.metrics.definitions import Metric


def definition_problems(metrics: list[Metric]) -> list[list[tuple[tuple[str, ...], str]]]:
    """Each metric's problems (in order): each as (its place under `source`, why). Every
    expression of every metric is parsed in one query (`size_problems`)."""
    places = [list(source_expressions(metric.source)) for metric in metrics]
    refusals = iter(size_problems([(text, role) for expressions in places for _, role, text in expressions]))
    found: list[list[tuple[tuple[str, ...], str]]] = []
    for metric, expressions in zip(metrics, places, strict=True):
        mine = []
        for place, _, _ in expressions:
            refusal = next(refusals)
            if refusal is not None:
                mine.append((place, str(as_where(refusal, place[0]) if place[-1] == "where" else refusal)))
        refusal_text = combine_refusal(metric.unit, metric.source.value, metric.source.combine)
        if refusal_text:
            mine.append((("combine",), refusal_text))
        found.append(mine)
    return found
