"""Workbooks as published: XLSX, NHS England's older XLS, and ODS, read with python-calamine.

One reader for the three formats (calamine, in Rust, is also much faster than openpyxl).
Rows keep the numbers a person sees in the spreadsheet, counted from the sheet's first row
whatever is empty above the data. A merged cell (a Directorate written once beside the
rows it covers) gives its value to every row it covers, in its first column; calamine tells
merged ranges for XLSX and XLS, not for ODS, whose merged cells are read as Excel shows
them unmerged: the value on the first row only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods")


class WorkbookError(Exception):
    """A workbook that cannot be read as asked: not a workbook, no such sheet, no header."""


class SheetTooLarge(WorkbookError):
    """A sheet over the rows or columns it may have, told from its size before its cells are
    read (a 368 KB workbook can expand to a million rows)."""

    def __init__(self, rows: int | None = None, columns: int | None = None) -> None:
        super().__init__(f"the sheet has {rows or columns:,} {'rows' if rows else 'columns'}")
        self.rows, self.columns = rows, columns


class ReadingStopped(WorkbookError):
    """The time given to reading the workbook ran out."""


@dataclass
class SheetRows:
    """A sheet's column names (from its header row) and its non-empty rows below the header,
    each with its row number and its cells as the text a person sees (None when empty)."""

    names: list[str]
    rows: list[tuple[int, list[str | None]]]


def read_sheet(
    path: Path, sheet: str | None, header_row: int, shown: str, *,
    max_rows: int | None = None, max_columns: int | None = None,
    expired: Callable[[], bool] = lambda: False, header_only: bool = False,
) -> SheetRows:
    """The named sheet (or the first) of a workbook, from its header row; `shown` names the
    file in messages. A sheet with more than `max_rows` rows below its header, or more than
    `max_columns` columns, is refused from its size before its cells are read; `expired` is
    asked as the cells are turned into text, which DuckDB's time limit cannot interrupt.
    With `header_only`, only the rows down to the header are turned into text (`validate`
    needs the column names, not the rows)."""
    from python_calamine import CalamineWorkbook  # only workbooks need it

    kind = path.suffix.lower().lstrip(".").upper()
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several kinds for a file that is not a workbook
        logger.info("calamine could not open %s", shown, exc_info=True)
        raise WorkbookError(f"the file {shown} is not a readable {kind} workbook: "
                            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}"
                            ) from exc
    try:
        if sheet is not None and sheet not in book.sheet_names:
            raise WorkbookError(f"{shown} has no sheet named '{sheet}' "
                                f"(sheets: {', '.join(book.sheet_names)})")
        if not book.sheet_names:
            raise WorkbookError(f"{shown} has no sheets")
        data = book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)
        last_row, last_column = data.end or (0, 0)  # 0-based: the sheet's last used cell
        if max_rows is not None and last_row + 1 - header_row > max_rows:
            raise SheetTooLarge(rows=last_row + 1 - header_row)
        if max_columns is not None and last_column + 1 > max_columns:
            raise SheetTooLarge(columns=last_column + 1)
        grid = []
        for n, row in enumerate(data.to_python(skip_empty_area=False,
                                               nrows=header_row if header_only else None)):
            if n % 1000 == 0 and expired():
                raise ReadingStopped(f"{shown}: reading stopped at the time limit")
            grid.append([_cell_text(v) for v in row])
        _fill_merged(grid, data.merged_cell_ranges or [])
    finally:
        book.close()
    if len(grid) < header_row or all(h is None for h in grid[header_row - 1]):
        raise WorkbookError(f"{shown}: row {header_row} of the sheet has no column names")
    header = grid[header_row - 1]
    names = [h.strip() if h is not None else f"column{i + 1}" for i, h in enumerate(header)]
    rows = [(n, row) for n, row in enumerate(grid[header_row:], start=header_row + 1)
            if any(v is not None for v in row)]
    return SheetRows(names, rows)


def _fill_merged(grid: list[list[str | None]],
                 ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Give each merged range's value to every row it covers that has other cells, in the
    range's first column (a heading merged across columns stays in its first column)."""
    for (top, left), (bottom, _right) in ranges:
        if top >= len(grid) or left >= len(grid[top]):
            continue
        value = grid[top][left]
        for r in range(top + 1, min(bottom, len(grid) - 1) + 1):
            row = grid[r]
            if left < len(row) and row[left] is None and any(v is not None for v in row):
                row[left] = value


def _cell_text(value: object) -> str | None:
    """A cell as the text a person sees: dates as ISO dates, whole numbers without '.0';
    calamine gives an empty cell as ''."""
    if value is None or value == "":
        return None
    if hasattr(value, "isoformat"):  # a date, datetime or time, as calamine gives them
        iso: str = value.isoformat()
        return iso[:10] if getattr(value, "hour", 0) == 0 else iso
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
