"""Extracts as published: every row loaded or rejected with its row number and reason."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import db_rows
from tracker.build import build
from tracker.project import Project, load_project

TESTDATA = Path(__file__).resolve().parents[1] / "testdata" / "extracts"
REPO = Path(__file__).resolve().parents[2]

RATIO = """
  - id: seen-share
    name: Seen share
    unit: percent
    direction: higher_is_better
    frequency: monthly
    source:
      file: extracts/{file}
      period: period
      org: org
      numerator: "100 * seen"
      denominator: total
"""


def _project(minimal_project: Project, files: list[str], metrics: str) -> Project:
    extracts = minimal_project.data_dir / "extracts"
    extracts.mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copy(TESTDATA / name, extracts / name)
    (minimal_project.data_dir / "metrics").mkdir(exist_ok=True)
    (minimal_project.data_dir / "metrics" / "test.yaml").write_text("metrics:\n" + metrics)
    return load_project(minimal_project.root)


def _rows(project: Project, sql: str) -> list[tuple]:
    return db_rows(project, sql)


def test_bad_rows_are_rejected_with_row_numbers_and_good_rows_load(minimal_project: Project) -> None:
    project = _project(minimal_project, ["bad_rows.csv"], RATIO.format(file="bad_rows.csv"))
    result = build(project)
    [line] = result.extracts.lines()
    assert line == "data/extracts/bad_rows.csv (seen-share): read 12 = loaded 4 + rejected 8"
    loaded = _rows(project, "select source_row, org, period, value, numerator, denominator "
                            "from metric_values order by source_row")
    assert loaded == [
        (2, "A", dt.date(2023, 4, 1), 90.0, 9000.0, 100.0),
        (3, "A", dt.date(2023, 5, 1), 91.0, 9100.0, 100.0),
        (7, "A", dt.date(2023, 7, 1), 80.0, 8000.0, 100.0),
        (14, "B", dt.date(2023, 12, 1), 60.0, 6000.0, 100.0),
    ]
    rejects = dict(_rows(project, "select source_row, reason from extract_rejects"))
    assert rejects[4].startswith("period 'May 2023x' is not a date, month")
    assert rejects[5] == "'ninety' in column seen is not a number"
    assert rejects[8] == "repeats row 7"
    assert rejects[9] == rejects[10] == "the same organisation and period has different values in rows 9, 10"
    assert rejects[11] == "the denominator is zero"
    assert rejects[12] == "no organisation code"
    assert rejects[13].startswith("the line could not be read:")
    assert len(rejects) == 8  # line 6 is blank: not a row


def test_counts_reconcile_for_every_extract(minimal_project: Project) -> None:
    project = _project(minimal_project, ["bad_rows.csv"], RATIO.format(file="bad_rows.csv"))
    build(project)
    for read, loaded, rejected, filtered in _rows(
        project, "select rows_read, rows_loaded, rows_rejected, rows_filtered from extract_files"
    ):
        assert read == loaded + rejected + filtered
    assert _rows(project, "select count(*) from extract_rejects") == [(8,)]


def test_windows_1252_semicolons_and_thousands_load(minimal_project: Project) -> None:
    metric = """
  - id: spend
    name: Spend
    unit: currency
    direction: lower_is_better
    frequency: monthly
    source:
      file: extracts/windows1252.csv
      period: Month
      org: Provider
      value: '"Spend £k"'
"""
    project = _project(minimal_project, ["windows1252.csv"], metric)
    result = build(project)
    assert result.extracts.lines() == [
        "data/extracts/windows1252.csv (spend): read 2 = loaded 2 + rejected 0"]
    assert _rows(project, "select period, value from metric_values order by period") == [
        (dt.date(2023, 4, 1), 1200.0), (dt.date(2023, 5, 1), 1300.0)]


def test_bom_and_every_period_form(minimal_project: Project) -> None:
    metric = """
  - id: periods
    name: Periods
    unit: count
    direction: neutral
    frequency: monthly
    source: {file: extracts/bom_quarters.csv, period: period, value: value}
"""
    project = _project(minimal_project, ["bom_quarters.csv"], metric)
    build(project)
    assert _rows(project, "select period, org from metric_values order by value") == [
        (dt.date(2023, 4, 1), "Sefton"), (dt.date(2023, 7, 1), "Sefton"),
        (dt.date(2023, 10, 1), "Sefton"), (dt.date(2024, 4, 1), "Sefton"),
        (dt.date(2024, 5, 1), "Sefton")]


def test_xlsx_named_sheet_and_parquet(minimal_project: Project, tmp_path: Path) -> None:
    from openpyxl import Workbook

    extracts = minimal_project.data_dir / "extracts"
    extracts.mkdir(parents=True)
    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Data")
    sheet.append(["Period", "Value"])
    sheet.append([dt.datetime(2023, 4, 1), 12.5])
    sheet.append([None, None])
    sheet.append([dt.datetime(2023, 5, 1), "n/a"])
    book.save(extracts / "book.xlsx")
    con = duckdb.connect()
    con.execute("copy (select * from (values ('2023-04', 1.5), ('2023-05', 2.5)) t(period, value)) "
                f"to '{extracts / 'values.parquet'}' (format parquet)")
    con.close()
    metrics = """
  - id: from-excel
    name: From Excel
    unit: count
    direction: neutral
    frequency: monthly
    source: {file: extracts/book.xlsx, sheet: Data, period: Period, value: Value}
  - id: from-parquet
    name: From Parquet
    unit: count
    direction: neutral
    frequency: monthly
    source: {file: extracts/values.parquet, period: period, value: value}
"""
    (minimal_project.data_dir / "metrics").mkdir()
    (minimal_project.data_dir / "metrics" / "m.yaml").write_text("metrics:\n" + metrics)
    project = load_project(minimal_project.root)
    result = build(project)
    assert sorted(result.extracts.lines()) == [
        "data/extracts/book.xlsx (from-excel): read 2 = loaded 1 + rejected 1",
        "data/extracts/values.parquet (from-parquet): read 2 = loaded 2 + rejected 0",
    ]
    assert _rows(project, "select source_row, reason from extract_rejects") == [
        (4, "'n/a' in column Value is not a number")]


def test_unreadable_files_are_reported_and_the_others_still_load(minimal_project: Project) -> None:
    metrics = RATIO.format(file="bad_rows.csv") + """
  - id: from-empty
    name: Empty
    unit: count
    direction: neutral
    frequency: monthly
    source: {file: extracts/empty.csv, period: period, value: value}
  - id: from-missing
    name: Missing
    unit: count
    direction: neutral
    frequency: monthly
    source: {file: extracts/nowhere.csv, period: period, value: value}
"""
    project = _project(minimal_project, ["bad_rows.csv", "empty.csv"], metrics)
    result = build(project)
    lines = sorted(result.extracts.lines())
    assert lines[0].startswith("data/extracts/bad_rows.csv (seen-share): read 12 = loaded 4")
    assert lines[1] == "data/extracts/empty.csv (from-empty): unreadable: the file is empty"
    assert lines[2].startswith("data/extracts/nowhere.csv (from-missing): unreadable: file not found")
    assert _rows(project, "select count(*) from metric_values") == [(4,)]


@pytest.mark.parametrize(("value", "message"), [
    ("read_csv('/etc/passwd')", "may not call read_csv()"),
    ("seen; select 1", "may not contain ';'"),
    ("(select max(seen) from extract_rows)", "subquer"),
    ("seen + secret", "'secret', which is not a column"),
])
def test_unsafe_expressions_are_refused_clearly(
    minimal_project: Project, value: str, message: str
) -> None:
    metric = RATIO.format(file="bad_rows.csv").replace('numerator: "100 * seen"',
                                                        f'numerator: "{value}"')
    project = _project(minimal_project, ["bad_rows.csv"], metric)
    result = build(project)
    [line] = result.extracts.lines()
    assert line.startswith("data/extracts/bad_rows.csv (seen-share): refused: metric seen-share:")
    assert message in line
    assert _rows(project, "select count(*) from metric_values") == [(0,)]


def test_a_file_outside_data_is_refused_at_validation(minimal_project: Project) -> None:
    from tracker.build import load_sources

    project = _project(minimal_project, [], RATIO.format(file="../../../etc/passwd"))
    catalogue, metrics = load_sources(project)
    assert metrics == []
    assert any("file 'extracts/../../../etc/passwd' is outside data/" in str(p)
               for p in catalogue.problems)


def test_symlink_out_of_data_is_refused(minimal_project: Project, tmp_path: Path) -> None:
    from tracker.build import load_sources

    outside = tmp_path / "secret.csv"
    outside.write_text("period,org,seen,total\n2023-04,A,1,2\n")
    (minimal_project.data_dir / "extracts").mkdir(parents=True)
    (minimal_project.data_dir / "extracts" / "link.csv").symlink_to(outside)
    project = _project(minimal_project, [], RATIO.format(file="link.csv"))
    catalogue, metrics = load_sources(project)
    assert metrics == [] and any("outside data/" in str(p) for p in catalogue.problems)


def test_a_real_public_extract_comes_out_right() -> None:
    """NHS England A&E, added with YAML only: values match a calculation from the CSV itself."""
    project = load_project(REPO)
    build(project)
    expected = {}
    with (REPO / "data/extracts/nhse_ae_attendances.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["type"] == "1" and row["org_code"] in {"RRK", "RF4"}:
                key = (row["org_code"], dt.date.fromisoformat(row["period"]))
                expected[key] = 100 * (1 - int(row["breaches"]) / int(row["attendances"]))
    loaded = {
        (org, period): value
        for org, period, value in _rows(project, "select org, period, value from metric_values "
                                                 "where metric_id = 'ae-type1-4hr-performance' "
                                                 "and org in ('RRK', 'RF4')")
    }
    assert len(expected) == 72
    assert loaded.keys() == expected.keys()
    for key, value in expected.items():
        assert loaded[key] == pytest.approx(value, rel=1e-12)
