"""Singular and plural, once: "1 objective is", "2 objectives are", never "1 are"."""

from __future__ import annotations

# Words whose plural is not the word with an "s" (verbs drop theirs).
_IRREGULAR = {"is": "are", "has": "have", "was": "were", "its": "their", "this": "these",
              "shows": "show", "needs": "need", "differs": "differ", "involves": "involve",
              "entity": "entities", "child": "children"}


def plural(n: int, one: str, many: str | None = None) -> str:
    """`one` when n is 1, else `many` (by default the known plural, or `one` + "s")."""
    if n == 1:
        return one
    return many if many is not None else _IRREGULAR.get(one, one + "s")


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 objective', '2 objectives', '0 objectives'."""
    return f"{n} {plural(n, one, many)}"
