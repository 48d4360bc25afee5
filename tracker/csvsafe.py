"""CSV that is safe to open in a spreadsheet: no cell runs as a formula.

Excel, LibreOffice and Google Sheets treat a cell starting with `=`, `+`, `-`
or `@` (and, after a tab or carriage return, the same) as a formula, and a
formula can fetch a web address or run a command (`=HYPERLINK(...)`,
`=cmd|...`). Every CSV the tracker offers (the dashboard's downloads and the
command line's `--format csv`) passes its cells through `inert`, which puts
a `'` in front of such a cell: spreadsheets show the text, and run nothing.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """Text that a spreadsheet would run, prefixed with `'`; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` with every text cell made inert (numbers keep their sign)."""
    return table.map(inert)


def safe_csv(table: pd.DataFrame) -> str:
    """The table as CSV text (no index), safe to open in a spreadsheet."""
    return inert_frame(table).to_csv(index=False)
