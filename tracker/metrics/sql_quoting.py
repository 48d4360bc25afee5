"""Names and text written into SQL: the loading assembles statements from a file's own
column names and the analysts' words, and these are the only ways they go in.

A column name goes in double quotes and a text in single quotes, each with its quote
doubled inside, so no name or text can end its quoting early (what `ruff`'s S608 asks
about the modules that assemble SQL is answered here).
"""

from __future__ import annotations


def quote_name(name: str) -> str:
    """A column's name as SQL writes it in double quotes (a quote inside is doubled)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A text as an SQL string in single quotes (a quote inside is doubled)."""
    return "'" + text.replace("'", "''") + "'"
