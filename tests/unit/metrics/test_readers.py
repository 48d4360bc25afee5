"""Workbooks as published (tracker/metrics/readers.py): NHS England's XLS time series and a finance
team's workbook with a merged Directorate, in XLSX and XLS, with the sheet's row numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.unit.metrics.test_extracts import TESTDATA, _assert_reconciled, _load, _metric, _project, _rows


def test_nhs_england_xls_time_series_loads_with_its_row_numbers(tmp_path: Path) -> None:
    metric = _metric("ae-total", """
      file: extracts/ae.xls
      sheet: Activity
      header_row: 14
      period: Period
      default_org: England
      value: Total attendances
""")
    con, report = _load(_project(tmp_path, {"ae.xls": TESTDATA / "nhse_ae_timeseries.xls"}, metric))
    assert report.lines() == ["data/extracts/ae.xls (ae-total): read 12 = loaded 12 + rejected 0"]
    _assert_reconciled(con)
    # The sheet's figures (type 1 + type 2 + type 3, as published in its Total column), a month a row
    # from row 15 (April 2022) under the header on row 14.
    months = [dt.date(2022, m, 1) for m in range(4, 13)] + [dt.date(2023, m, 1) for m in range(1, 4)]
    expected = [(15 + i, "England", month, float(2_112_000 + 12_317 * i)) for i, month in enumerate(months)]
    assert _rows(con, "select source_row, org, period, value from metric_values order by period") == expected


def _openpyxl_rows(path: Path) -> dict[str, tuple[int, str | None, float]]:
    """Each cost centre's row number, directorate (a merged cell's value on every row it
    covers) and actual spend, read with openpyxl."""
    from openpyxl import load_workbook

    sheet = load_workbook(path)["M6 Position"]
    merged = {}
    for cells in sheet.merged_cells.ranges:
        for row in range(cells.min_row, cells.max_row + 1):
            merged[row] = sheet.cell(cells.min_row, cells.min_col).value
    return {sheet.cell(r, 2).value: (r, merged.get(r, sheet.cell(r, 1).value), float(sheet.cell(r, 6).value))
            for r in range(6, sheet.max_row + 1)}


@pytest.mark.parametrize("suffix", ["xlsx", "xls"])
def test_a_merged_directorate_is_on_every_row_it_covers(tmp_path: Path, suffix: str) -> None:
    metric = _metric("asc-spend", f"""
      file: extracts/finance.{suffix}
      sheet: M6 Position
      header_row: 5
      period: Month
      org: Cost Centre
      value: Actual YTD £000
      filter: "Directorate = 'Adult Social Care'"
""")
    files = {f"finance.{suffix}": TESTDATA / f"finance_month6.{suffix}"}
    con, report = _load(_project(tmp_path, files, metric))
    assert report.lines() == [f"data/extracts/finance.{suffix} (asc-spend): read 5 = loaded 3 + rejected 0 "
                              "+ filtered 2"]
    by_openpyxl = _openpyxl_rows(TESTDATA / "finance_month6.xlsx")
    expected = sorted((row, org, dt.date(2023, 9, 1), value)
                      for org, (row, directorate, value) in by_openpyxl.items()
                      if directorate == "Adult Social Care")
    assert len(expected) == 3
    assert _rows(con, "select source_row, org, period, value from metric_values "
                      "order by source_row") == expected


def test_a_file_that_is_not_an_xls_workbook_is_reported(tmp_path: Path) -> None:
    metric = _metric("m", "{file: extracts/x.xls, period: p, value: v}")
    _, report = _load(_project(tmp_path, {"x.xls": "period,v\n2023-04,1\n"}, metric))
    [line] = report.lines()
    assert line.startswith("data/extracts/x.xls (m): unreadable: the file data/extracts/x.xls is not a "
                           "readable XLS workbook: ")


def test_an_ods_workbook_loads_but_its_merged_cells_are_on_their_first_row_only(tmp_path: Path) -> None:
    """calamine cannot tell an ODS file's merged ranges (the README says so): every row loads
    with its own number, and a merged Directorate is on its first row alone."""
    metric = _metric("spend", """
      file: extracts/finance.ods
      sheet: M6 Position
      header_row: 5
      period: Month
      org: Cost Centre
      value: Actual YTD £000
""") + _metric("asc-spend", """
      file: extracts/finance.ods
      sheet: M6 Position
      header_row: 5
      period: Month
      org: Cost Centre
      value: Actual YTD £000
      filter: "Directorate = 'Adult Social Care'"
""")
    con, report = _load(_project(tmp_path, {"finance.ods": TESTDATA / "finance_month6.ods"}, metric))
    assert report.lines() == [
        "data/extracts/finance.ods (spend): read 5 = loaded 5 + rejected 0",
        "data/extracts/finance.ods (asc-spend): read 5 = loaded 1 + rejected 0 + filtered 4"]
    by_openpyxl = _openpyxl_rows(TESTDATA / "finance_month6.xlsx")  # the same sheet, as XLSX
    assert _rows(con, "select org, source_row, value from metric_values where metric_id = 'spend' "
                      "order by source_row") == [
        (org, row, value) for org, (row, _, value) in sorted(by_openpyxl.items(), key=lambda i: i[1][0])]
