"""Extracts as published: every row loaded or rejected with its row number and reason."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import db_rows
from tracker.db.build import build
from tracker.db.queries import query_text
from tracker.metrics import extracts
from tracker.metrics.definitions import load_metrics
from tracker.metrics.extracts import ExtractReport, load_extracts
from tracker.metrics.sandbox import lock_sandbox, open_sandbox
from tracker.project import Project, load_project

TESTDATA = Path(__file__).resolve().parents[2] / "testdata" / "extracts"
REPO = Path(__file__).resolve().parents[3]

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


def _metric(metric_id: str, source: str, frequency: str = "monthly") -> str:
    return (f"\n  - id: {metric_id}\n    name: {metric_id}\n    unit: count\n    direction: neutral\n"
            f"    frequency: {frequency}\n    source: {source}\n")


def _project(root: Path, files: dict[str, str | bytes | Path], metrics: str) -> Project:
    """A project with the given extracts (copied test files, text or bytes) and metrics."""
    extracts = root / "data" / "extracts"
    extracts.mkdir(parents=True)
    (root / "objectives").mkdir()
    shutil.copytree(REPO / "queries", root / "queries")
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copy(content, extracts / name)
        elif isinstance(content, bytes):
            (extracts / name).write_bytes(content)
        else:
            (extracts / name).write_text(content, encoding="utf-8")
    (root / "data" / "metrics").mkdir()
    (root / "data" / "metrics" / "test.yaml").write_text("metrics:\n" + metrics, encoding="utf-8")
    return load_project(root)


def _load(project: Project) -> tuple[duckdb.DuckDBPyConnection, ExtractReport]:
    """The metric tables of `project`, loaded into an in-memory database."""
    placed, problems = load_metrics(project)
    assert problems == []
    con = duckdb.connect()
    con.execute(query_text(project, "db/create_metric_tables"))
    return con, load_extracts(con, project, placed)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _assert_reconciled(con: duckdb.DuckDBPyConnection) -> None:
    """Rows read = loaded + rejected + filtered, and the tables hold exactly those rows."""
    assert _rows(con, (REPO / "queries/metrics/extracts/check_reconciled.sql").read_text()) == []
    assert _rows(con, "select count(*) from extract_files where status = 'loaded'") != [(0,)]


def test_bad_rows_are_rejected_with_row_numbers_and_good_rows_load(tmp_path: Path) -> None:
    con, report = _load(_project(tmp_path, {"bad_rows.csv": TESTDATA / "bad_rows.csv"},
                                 RATIO.format(file="bad_rows.csv")))
    assert report.lines() == ["data/extracts/bad_rows.csv (seen-share): read 12 = loaded 4 + rejected 8"]
    assert _rows(con, "select source_row, org, period, value, numerator, denominator, source_file "
                      "from metric_values order by source_row") == [
        (2, "A", dt.date(2023, 4, 1), 90.0, 9000.0, 100.0, "data/extracts/bad_rows.csv"),
        (3, "A", dt.date(2023, 5, 1), 91.0, 9100.0, 100.0, "data/extracts/bad_rows.csv"),
        (7, "A", dt.date(2023, 7, 1), 80.0, 8000.0, 100.0, "data/extracts/bad_rows.csv"),
        (14, "B", dt.date(2023, 12, 1), 60.0, 6000.0, 100.0, "data/extracts/bad_rows.csv"),
    ]
    rejects = dict(_rows(con, "select source_row, reason from extract_rejects"))
    assert rejects == {
        4: "period 'May 2023x' is not one a monthly metric reads: write a date (2023-04-01, "
           "01/04/2023, 01-Apr-23, 1 April 2023), a month (2023-04, 202304, Apr-23, April 2023, "
           "MSitAE-APRIL-2023) or a financial quarter (2023-24 Q2, Q2 23/24)",
        5: "'ninety' in column seen is not a number",
        8: "repeats row 7",
        9: "the same organisation and period has different values in rows 9, 10",
        10: "the same organisation and period has different values in rows 9, 10",
        11: "the denominator is zero",
        12: "no organisation code",
        13: "the line could not be read: Expected Number of Columns: 4 Found: 5",
    }  # line 6 is blank: not a row
    assert _rows(con, "select raw from extract_rejects where source_row in (5, 13) order by source_row") == [
        ("period=2023-06, org=A, seen=ninety, total=100",), ("2023-11,A,60,100,extra",)]
    _assert_reconciled(con)


def test_rows_keep_the_line_their_record_starts_on_after_multi_line_cells(tmp_path: Path) -> None:
    text = ('period,org,value\r\n2023-04,A,"x\r\n\r\ny"\r\n\r\n2023-05,A,2,9\r\n2023-06,"A\r\n",3\r\n'
            '\r\n\r\n2023-07,A,4\r\n')
    metric = _metric("m", "{file: extracts/x.csv, period: period, org: org, value: value}")
    con, report = _load(_project(tmp_path, {"x.csv": text}, metric))
    assert report.lines() == ["data/extracts/x.csv (m): read 4 = loaded 2 + rejected 2"]
    assert _rows(con, "select source_row, org, value from metric_values order by 1") == [
        (7, "A", 3.0), (11, "A", 4.0)]  # the organisation's line break is whitespace around it
    assert _rows(con, "select source_row, reason from extract_rejects order by 1") == [
        (2, "'x\r\n\r\ny' in column value is not a number"),
        (6, "the line could not be read: Expected Number of Columns: 3 Found: 4")]
    _assert_reconciled(con)


def test_a_large_file_read_on_several_threads_keeps_every_row_on_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One extract alone gets the cores (a replaced extract judged again), so DuckDB reads
    and judges it in parallel (14 MB, five row groups here): every row must still carry its
    own line, past a blank line too."""
    monkeypatch.setattr(extracts, "CORES", 2)
    lines = ["period,org,value"]
    for line in range(2, 600_002):
        lines.append(f"2024-04,O{line:06d},{'x' if line in (150_001, 540_002) else line}")
    lines.insert(199_999, "")  # line 200,000 is blank: the rows below move down a line
    metric = _metric("m", "{file: extracts/big.csv, period: period, org: org, value: value}")
    con, report = _load(_project(tmp_path, {"big.csv": "\n".join(lines) + "\n"}, metric))
    assert report.lines() == ["data/extracts/big.csv (m): read 600000 = loaded 599998 + rejected 2"]
    assert _rows(con, "select source_row, reason from extract_rejects order by 1") == [
        (150_001, "'x' in column value is not a number"), (540_003, "'x' in column value is not a number")]
    # each row's value is the line it was written on (one more below the blank line)
    assert _rows(con, "select count(*) from metric_values "
                      "where value <> source_row - (source_row > 200_000)::integer") == [(0,)]
    _assert_reconciled(con)


def test_filtered_rows_are_counted_apart(tmp_path: Path) -> None:
    metrics = RATIO.format(file="bad_rows.csv").replace("denominator: total",
                                                        "denominator: total\n      filter: \"org = 'B'\"")
    con, report = _load(_project(tmp_path, {"bad_rows.csv": TESTDATA / "bad_rows.csv"}, metrics))
    assert report.lines() == [
        "data/extracts/bad_rows.csv (seen-share): read 12 = loaded 1 + rejected 1 + filtered 10"]
    _assert_reconciled(con)


def test_metrics_sharing_a_file_each_take_the_rows_their_filters_keep(tmp_path: Path) -> None:
    """Filters may overlap: a row kept by two metrics' filters is loaded (or rejected) for each."""
    text = "period,org,kind,n\n2024-04,A,x,1\n2024-04,B,x,2\n2024-04,C,y,3\n2024-05,A,y,oops\n2024-05,B,x,5\n"
    source = "{{file: extracts/kinds.csv, period: period, org: org, value: n{}}}"
    metrics = (_metric("m-x", source.format(", filter: \"kind = 'x'\""))
               + _metric("m-a", source.format(", filter: \"org = 'A'\""))
               + _metric("m-all", source.format("")))
    con, report = _load(_project(tmp_path, {"kinds.csv": text}, metrics))
    assert report.lines() == [
        "data/extracts/kinds.csv (m-x): read 5 = loaded 3 + rejected 0 + filtered 2",
        "data/extracts/kinds.csv (m-a): read 5 = loaded 1 + rejected 1 + filtered 3",
        "data/extracts/kinds.csv (m-all): read 5 = loaded 4 + rejected 1"]
    assert _rows(con, "select metric_id, org, value, source_row from metric_values "
                      "order by metric_id, source_row") == [
        ("m-a", "A", 1.0, 2),
        ("m-all", "A", 1.0, 2), ("m-all", "B", 2.0, 3), ("m-all", "C", 3.0, 4), ("m-all", "B", 5.0, 6),
        ("m-x", "A", 1.0, 2), ("m-x", "B", 2.0, 3), ("m-x", "B", 5.0, 6)]
    assert _rows(con, "select metric_id, source_row, reason from extract_rejects order by metric_id") == [
        ("m-a", 5, "'oops' in column n is not a number"), ("m-all", 5, "'oops' in column n is not a number")]
    _assert_reconciled(con)


def test_metrics_picking_their_own_rows_of_a_file_each_get_theirs(tmp_path: Path) -> None:
    """The usual case: each row is kept by one metric's filter, or by none."""
    text = "period,org,kind,n\n2024-04,A,x,1\n2024-04,B,y,2\n2024-04,C,z,3\n2024-05,A,y,oops\n2024-05,B,x,5\n"
    source = "{{file: extracts/kinds.csv, period: period, org: org, value: n, filter: \"kind = '{}'\"}}"
    metrics = _metric("m-x", source.format("x")) + _metric("m-y", source.format("y"))
    con, report = _load(_project(tmp_path, {"kinds.csv": text}, metrics))
    assert report.lines() == [
        "data/extracts/kinds.csv (m-x): read 5 = loaded 2 + rejected 0 + filtered 3",
        "data/extracts/kinds.csv (m-y): read 5 = loaded 1 + rejected 1 + filtered 3"]
    assert _rows(con, "select metric_id, org, value, source_row from metric_values "
                      "order by metric_id, source_row") == [
        ("m-x", "A", 1.0, 2), ("m-x", "B", 5.0, 6), ("m-y", "B", 2.0, 3)]
    assert _rows(con, "select metric_id, source_row from extract_rejects") == [("m-y", 5)]
    _assert_reconciled(con)


def test_windows_1252_semicolons_and_thousands_load(tmp_path: Path) -> None:
    metric = _metric("spend", "{file: extracts/windows1252.csv, period: Month, org: Provider, "
                              "value: '\"Spend £k\"'}")
    con, report = _load(_project(tmp_path, {"windows1252.csv": TESTDATA / "windows1252.csv"}, metric))
    assert report.lines() == ["data/extracts/windows1252.csv (spend): read 2 = loaded 2 + rejected 0"]
    assert _rows(con, "select period, value from metric_values order by period") == [
        (dt.date(2023, 4, 1), 1200.0), (dt.date(2023, 5, 1), 1300.0)]


def test_windows_1252_rejects_show_the_pound_sign(tmp_path: Path) -> None:
    text = "Month;Spend £k\nApr-23;£1,200\nMay-23;£n/a\n".encode("cp1252")
    metric = _metric("spend", "{file: extracts/spend.csv, period: Month, value: '\"Spend £k\"'}")
    con, _ = _load(_project(tmp_path, {"spend.csv": text}, metric))
    assert _rows(con, "select source_row, reason, raw from extract_rejects") == [
        (3, "'£n/a' in column Spend £k is not a number", "Month=May-23, Spend £k=£n/a")]


def test_windows_1252_found_below_the_header_is_read_whole_file(tmp_path: Path) -> None:
    text = "Month,Spend,Note\nApr-23,1,ok\nMay-23,2,café – £5\n".encode("cp1252")
    metrics = (_metric("spend", "{file: extracts/x.csv, period: Month, value: Spend}")
               + _metric("note", "{file: extracts/x.csv, period: Month, value: 'length(Note)'}"))
    con, report = _load(_project(tmp_path, {"x.csv": text}, metrics))
    assert report.lines() == ["data/extracts/x.csv (spend): read 2 = loaded 2 + rejected 0",
                              "data/extracts/x.csv (note): read 2 = loaded 2 + rejected 0"]
    assert _rows(con, "select value from metric_values where metric_id = 'note' order by source_row") == [
        (2.0,), (9.0,)]  # 'café – £5' is nine characters once decoded as Windows-1252


def test_metrics_reading_different_sheets_of_one_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Adults"
    book.active.append(["Month", "Patients"])
    book.active.append(["Apr-23", 8])
    children = book.create_sheet("Children")
    children.append(["Month", "Patients"])
    children.append(["Apr-23", 2])
    project = _project(tmp_path, {}, "".join(
        _metric(sheet.lower(), f"{{file: extracts/ld.xlsx, sheet: {sheet}, period: Month, value: Patients}}")
        for sheet in ("Adults", "Children")))
    book.save(project.data_dir / "extracts" / "ld.xlsx")
    con, _ = _load(project)
    assert _rows(con, "select metric_id, value from metric_values order by 1") == [
        ("adults", 8.0), ("children", 2.0)]


def test_semicolons_bom_crlf_and_spaces_in_numbers(tmp_path: Path) -> None:
    crlf = b"\xef\xbb\xbfperiod,value\r\n2023-04,1\r\n\r\n2023-05,x\r\n2023-06,3\r\n"
    metrics = (_metric("booked", "{file: extracts/semicolon.csv, period: Month, org: Practice, "
                                 "numerator: '\"Within 2 weeks\"', denominator: Booked}")
               + _metric("crlf", "{file: extracts/crlf.csv, period: period, value: value}"))
    con, report = _load(_project(tmp_path, {"semicolon.csv": TESTDATA / "semicolon.csv", "crlf.csv": crlf},
                                 metrics))
    assert sorted(report.lines()) == [
        "data/extracts/crlf.csv (crlf): read 3 = loaded 2 + rejected 1",
        "data/extracts/semicolon.csv (booked): read 2 = loaded 2 + rejected 0",
    ]
    assert _rows(con, "select metric_id, source_row, value from metric_values order by all") == [
        ("booked", 2, 0.87), ("booked", 3, 0.885), ("crlf", 2, 1.0), ("crlf", 5, 3.0)]
    assert _rows(con, "select source_row from extract_rejects") == [(4,)]


def test_title_rows_above_the_header(tmp_path: Path) -> None:
    metric = _metric("cip", "{file: extracts/title_rows.csv, header_row: 3, period: Period, value: Actual}")
    con, report = _load(_project(tmp_path, {"title_rows.csv": TESTDATA / "title_rows.csv"}, metric))
    assert report.lines() == ["data/extracts/title_rows.csv (cip): read 3 = loaded 2 + rejected 1"]
    assert _rows(con, "select source_row, period, value from metric_values order by 1") == [
        (4, dt.date(2023, 4, 1), 512.5), (6, dt.date(2023, 5, 1), 1020.0)]
    assert _rows(con, "select source_row, reason from extract_rejects") == [
        (7, "'n/a' in column Actual is not a number")]


@pytest.fixture(scope="module")
def periods() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in ("parse_period", "create_sandbox_tables"):
        con.execute((REPO / f"queries/metrics/extracts/{name}.sql").read_text())
    return con


@pytest.mark.parametrize(("text", "frequency", "expected"), [
    ("2023-04-01", "monthly", "2023-04-01"), ("2023-04-17 00:00:00", "monthly", "2023-04-01"),
    ("01/04/2023", "monthly", "2023-04-01"), ("1/4/23", "monthly", "2023-04-01"),
    ("01-Apr-23", "monthly", "2023-04-01"), ("1 April 2023", "monthly", "2023-04-01"),
    ("2023-04", "monthly", "2023-04-01"), ("202304", "monthly", "2023-04-01"),
    ("Apr-23", "monthly", "2023-04-01"), ("APR 2023", "monthly", "2023-04-01"),
    ("April 2023", "monthly", "2023-04-01"), ("Apr 2023", "monthly", "2023-04-01"),
    ("2023-24 Q2", "monthly", "2023-07-01"), ("2023/24 Q2", "monthly", "2023-07-01"),
    ("Q2 23/24", "monthly", "2023-07-01"), ("Q2 2023-24", "monthly", "2023-07-01"),
    ("2023-24 Q4", "quarterly", "2024-01-01"), ("q4 23/24", "quarterly", "2024-01-01"),
    ("Jun-23", "quarterly", "2023-04-01"), ("30/06/2023", "quarterly", "2023-04-01"),
    ("2023-24", "annual", "2023-04-01"), ("2023/24", "annual", "2023-04-01"),
    ("Mar-24", "annual", "2023-04-01"), ("2011-12", "annual", "2011-04-01"),
    ("2011-12", "monthly", "2011-12-01"),
    ("May 2023x", "monthly", None), ("2023-25 Q2", "monthly", None), ("Q5 23/24", "monthly", None),
    ("", "monthly", None), ("31/02/2023", "monthly", None),
])
def test_every_published_form_of_a_period(
    periods: duckdb.DuckDBPyConnection, text: str, frequency: str, expected: str | None
) -> None:
    found = period_of(periods, text, frequency)
    assert (found.isoformat() if found else None) == expected


def period_of(con: duckdb.DuckDBPyConnection, text: str, frequency: str) -> dt.date | None:
    """The period `text` names for a metric of `frequency`, as an extract's lookup finds it."""
    con.execute("delete from period_lookup")
    con.execute("create or replace table texts as select $t::varchar as period_text", {"t": text})
    con.execute("create or replace view period_texts as select period_text from texts")
    con.execute((REPO / "queries/metrics/extracts/period_lookup.sql").read_text(),
                {"column": "p", "frequency": frequency})
    [(found,)] = con.execute("select period from period_lookup").fetchall()
    return found


def test_bom_and_period_forms_in_a_file(tmp_path: Path) -> None:
    metric = _metric("periods", "{file: extracts/bom_quarters.csv, period: period, value: value}")
    con, _ = _load(_project(tmp_path, {"bom_quarters.csv": TESTDATA / "bom_quarters.csv"}, metric))
    assert _rows(con, "select period, org from metric_values order by value") == [
        (dt.date(2023, 4, 1), "Sefton"), (dt.date(2023, 7, 1), "Sefton"),
        (dt.date(2023, 10, 1), "Sefton"), (dt.date(2024, 4, 1), "Sefton"),
        (dt.date(2024, 5, 1), "Sefton")]


def test_xlsx_named_sheet_with_title_rows_and_parquet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Data")
    sheet.append(["Cost improvement plan 2023-24 (£k)"])
    sheet.append(["Period", "Value"])
    sheet.append([dt.datetime(2023, 4, 1), 12.5])
    sheet.append([None, None])
    sheet.append([dt.datetime(2023, 5, 1), "n/a"])
    sheet.append(["June 2023", 14])
    project = _project(tmp_path, {}, _metric(
        "from-excel", "{file: extracts/book.xlsx, sheet: Data, header_row: 2, period: Period, value: Value}")
        + _metric("from-parquet", "{file: extracts/values.parquet, period: period, value: value}"))
    book.save(project.data_dir / "extracts" / "book.xlsx")
    duckdb.connect().execute(
        "copy (select * from (values (date '2023-04-01', 1.5), (date '2023-05-01', null)) t(period, value)) "
        f"to '{project.data_dir / 'extracts' / 'values.parquet'}' (format parquet)")
    con, report = _load(project)
    assert sorted(report.lines()) == [
        "data/extracts/book.xlsx (from-excel): read 3 = loaded 2 + rejected 1",
        "data/extracts/values.parquet (from-parquet): read 2 = loaded 1 + rejected 1",
    ]
    assert _rows(con, "select metric_id, source_row, period, value from metric_values order by all") == [
        ("from-excel", 3, dt.date(2023, 4, 1), 12.5), ("from-excel", 6, dt.date(2023, 6, 1), 14.0),
        ("from-parquet", 1, dt.date(2023, 4, 1), 1.5)]
    assert _rows(con, "select metric_id, source_row, reason from extract_rejects order by all") == [
        ("from-excel", 5, "'n/a' in column Value is not a number"),
        ("from-parquet", 2, "no value: the value is empty")]
    assert _rows(con, "select raw from extract_rejects where metric_id = 'from-parquet'") == [
        ("period=2023-05-01, value=",)]  # the row as text, as a person reads it
    _assert_reconciled(con)


def test_organisation_codes_tidy_untidy_or_numbers(tmp_path: Path) -> None:
    """Codes are kept as written, trimmed of whitespace of any kind when they have it, and a
    Parquet file's numeric codes are read as their text."""
    text = "period,org,n\n2024-04,RBQ,1\n2024-04,\u00a0 RBN\t,2\n2024-04, \t ,3\n"
    source = "{{file: extracts/{}, period: period, org: org, value: n}}"
    metrics = "".join(_metric(name, source.format(file)) for name, file in (
        ("untidy", "untidy.csv"), ("tidy", "tidy.csv"), ("numeric", "codes.parquet")))
    project = _project(tmp_path, {"untidy.csv": text, "tidy.csv": "period,org,n\n2024-04,RBQ,1\n"}, metrics)
    duckdb.connect().execute(
        "copy (select * from (values ('2024-04', 101, 1.5), ('2024-05', 102, 2.0)) t(period, org, n)) "
        f"to '{project.data_dir / 'extracts' / 'codes.parquet'}' (format parquet)")
    con, _ = _load(project)
    assert _rows(con, "select metric_id, org, value from metric_values order by metric_id, value") == [
        ("numeric", "101", 1.5), ("numeric", "102", 2.0), ("tidy", "RBQ", 1.0),
        ("untidy", "RBQ", 1.0), ("untidy", "RBN", 2.0)]
    assert _rows(con, "select metric_id, source_row, reason from extract_rejects") == [
        ("untidy", 4, "no organisation code")]
    _assert_reconciled(con)


def test_parquet_numbers_of_every_type_read_as_their_text_does(tmp_path: Path) -> None:
    """Whole numbers and doubles are read as numbers directly; a FLOAT or DECIMAL as its text
    (0.1, not the float's 0.10000000149), and text in a number column is still rejected."""
    metrics = "".join(
        _metric(f"m-{column}", f"{{file: extracts/types.parquet, period: period, org: org, value: {column}}}")
        for column in ("d", "f", "i", "dec", "t"))
    project = _project(tmp_path, {}, metrics + _metric(
        "share", "{file: extracts/types.parquet, period: period, org: org, numerator: '100 * i', "
                 "denominator: d, filter: 'i > 1 and org <> ''B'''}"))
    duckdb.connect().execute(
        "copy (select * from (values "
        "('2023-04', 'A', 0.1::double, 0.1::float, 3::bigint, 0.1::decimal(9, 3), '£1,200'), "
        "('2023-05', 'A', 1e300::double, 2.5::float, 1::bigint, 12.345::decimal(9, 3), 'n/a'), "
        "('2023-06', 'B', 2::double, null::float, 9007199254740993::bigint, null, ' 7 ')"
        ") t(period, org, d, f, i, dec, t)) "
        f"to '{project.data_dir / 'extracts' / 'types.parquet'}' (format parquet)")
    con, _ = _load(project)
    assert _rows(con, "select metric_id, source_row, value from metric_values order by all") == [
        ("m-d", 1, 0.1), ("m-d", 2, 1e300), ("m-d", 3, 2.0), ("m-dec", 1, 0.1), ("m-dec", 2, 12.345),
        ("m-f", 1, 0.1), ("m-f", 2, 2.5), ("m-i", 1, 3.0), ("m-i", 2, 1.0), ("m-i", 3, 9007199254740992.0),
        ("m-t", 1, 1200.0), ("m-t", 3, 7.0), ("share", 1, 3000.0)]
    assert _rows(con, "select metric_id, source_row, reason from extract_rejects order by all") == [
        ("m-dec", 3, "no value: the value is empty"), ("m-f", 3, "no value: the value is empty"),
        ("m-t", 2, "'n/a' in column t is not a number")]
    _assert_reconciled(con)


def test_unreadable_files_are_reported_with_their_path_and_the_others_still_load(tmp_path: Path) -> None:
    metrics = (RATIO.format(file="bad_rows.csv")
               + _metric("from-empty", "{file: extracts/empty.csv, period: period, value: value}")
               + _metric("from-missing", "{file: extracts/nowhere.csv, period: period, value: value}")
               + _metric("from-garbage", "{file: extracts/not_parquet.parquet, period: period, value: v}")
               + _metric("from-text-xlsx", "{file: extracts/text.xlsx, period: period, value: v}")
               + _metric("no-such-sheet", "{file: extracts/book.xlsx, sheet: Data, period: p, value: v}"))
    files: dict[str, str | bytes | Path] = {
        name: TESTDATA / name for name in ("bad_rows.csv", "empty.csv", "not_parquet.parquet")}
    project = _project(tmp_path, {**files, "text.xlsx": "period,v\n2023-04,1\n"}, metrics)
    from openpyxl import Workbook

    Workbook().save(project.data_dir / "extracts" / "book.xlsx")
    con, report = _load(project)
    lines = sorted(report.lines())
    assert lines[0].startswith("data/extracts/bad_rows.csv (seen-share): read 12 = loaded 4")
    assert lines[1] == ("data/extracts/book.xlsx (no-such-sheet): unreadable: data/extracts/book.xlsx "
                        "has no sheet named 'Data' (sheets: Sheet)")
    assert lines[2] == ("data/extracts/empty.csv (from-empty): unreadable: "
                        "the file data/extracts/empty.csv is empty")
    assert lines[3].startswith("data/extracts/not_parquet.parquet (from-garbage): unreadable: the file "
                               "data/extracts/not_parquet.parquet is not a readable Parquet file")
    assert lines[4] == ("data/extracts/nowhere.csv (from-missing): unreadable: the file "
                        "data/extracts/nowhere.csv was not found")
    assert lines[5].startswith("data/extracts/text.xlsx (from-text-xlsx): unreadable: the file "
                               "data/extracts/text.xlsx is not a readable XLSX workbook")
    assert len(report.problems) == 5
    assert _rows(con, "select count(*) from metric_values") == [(4,)]
    assert _rows(con, "select status, count(*) from extract_files group by 1 order by 1") == [
        ("loaded", 1), ("unreadable", 5)]


@pytest.mark.parametrize(("value", "message"), [
    ("read_csv('/etc/passwd')", "the numerator expression may not call read_csv()"),
    ("seen; select 1", "the numerator expression may not contain ';'"),
    ("(select max(seen) from extract_rows)", "the numerator expression may not use subqueries"),
    ("seen + secret", "names 'secret', which is not a column of the extract (columns: org, period, "
                      "seen, total)"),
])
def test_unsafe_expressions_are_refused_clearly_and_the_others_still_load(
    tmp_path: Path, value: str, message: str
) -> None:
    metrics = (RATIO.format(file="bad_rows.csv").replace('numerator: "100 * seen"', f'numerator: "{value}"')
               + _metric("plain", "{file: extracts/bad_rows.csv, period: period, org: org, value: total}"))
    con, report = _load(_project(tmp_path, {"bad_rows.csv": TESTDATA / "bad_rows.csv"}, metrics))
    refused = next(line for line in report.lines() if "(seen-share)" in line)
    assert refused.startswith("data/extracts/bad_rows.csv (seen-share): refused: metric seen-share: ")
    assert message in refused
    assert _rows(con, "select distinct metric_id from metric_values") == [("plain",)]


@pytest.mark.parametrize(("source", "message"), [
    ("{file: extracts/bad_rows.csv, period: month, value: seen}",
     "failed: metric m: the period column 'month' is not in the extract (columns: period, org, seen, total)"),
    ("{file: extracts/bad_rows.csv, period: period, value: 'year(strptime(org, ''%Y''))'}",
     "failed: metric m: the expression failed on this extract: Invalid Input Error: Could not parse string"),
    ("{file: extracts/bad_rows.csv, period: period, value: seen, filter: 'lower(org) = 1'}",
     "failed: metric m: the expression failed on this extract: Conversion Error: Could not convert"),
])
def test_a_definition_that_does_not_fit_its_extract_fails_alone(
    tmp_path: Path, source: str, message: str
) -> None:
    metrics = _metric("m", source) + RATIO.format(file="bad_rows.csv")
    _, report = _load(_project(tmp_path, {"bad_rows.csv": TESTDATA / "bad_rows.csv"}, metrics))
    failed, loaded = report.lines()
    assert message in failed
    assert loaded.startswith("data/extracts/bad_rows.csv (seen-share): read 12 = loaded 4")


def test_the_sandbox_cannot_read_files_or_change_its_settings(tmp_path: Path) -> None:
    sandbox = open_sandbox()
    lock_sandbox(sandbox, load_project(REPO))
    for sql in (f"select * from read_csv('{TESTDATA / 'bad_rows.csv'}')",
                f"attach '{tmp_path / 'x.duckdb'}'", "set enable_external_access = true",
                f"copy (select 1) to '{tmp_path / 'out.csv'}'"):
        with pytest.raises(duckdb.Error):
            sandbox.execute(sql)
    sandbox.close()


def test_build_prints_the_counts_and_keeps_the_rejects(minimal_project: Project) -> None:
    extracts = minimal_project.data_dir / "extracts"
    extracts.mkdir(parents=True)
    shutil.copy(TESTDATA / "bad_rows.csv", extracts / "bad_rows.csv")
    (minimal_project.data_dir / "metrics").mkdir()
    metrics = "metrics:\n" + RATIO.format(file="bad_rows.csv")
    (minimal_project.data_dir / "metrics" / "m.yaml").write_text(metrics)
    result = build(load_project(minimal_project.root))
    assert result.extracts.lines() == [
        "data/extracts/bad_rows.csv (seen-share): read 12 = loaded 4 + rejected 8"]
    assert db_rows(minimal_project, "select count(*) from extract_rejects") == [(8,)]
    assert db_rows(minimal_project, "select count(*) from metric_values") == [(4,)]


@pytest.fixture(scope="module")
def shipped() -> duckdb.DuckDBPyConnection:
    """The shipped metric definitions and extracts, loaded once."""
    project = load_project(REPO)
    placed, problems = load_metrics(project)
    assert problems == []
    con = duckdb.connect()
    con.execute(query_text(project, "db/create_metric_tables"))
    load_extracts(con, project, placed)
    return con


def test_a_real_public_extract_comes_out_right(shipped: duckdb.DuckDBPyConnection) -> None:
    """NHS England A&E, added with YAML only: every value matches a calculation from the CSV."""
    expected: dict[tuple[str, str, dt.date], float] = {}
    with (REPO / "data/extracts/nhse_ae_attendances.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["type"] != "1":
                continue
            key = (row["org_code"], dt.date.fromisoformat(row["period"]))
            attendances, breaches = int(row["attendances"]), int(row["breaches"])
            expected[("ae-type1-attendances", *key)] = attendances
            expected[("ae-type1-breaches", *key)] = breaches
            if attendances:
                expected[("ae-type1-4hr-performance", *key)] = 100 * (1 - breaches / attendances)
    loaded = {(m, org, period): value for m, org, period, value in _rows(
        shipped, "select metric_id, org, period, value from metric_values where metric_id like 'ae-%'")}
    assert len(expected) > 5000
    assert loaded.keys() == expected.keys()
    for key, value in expected.items():
        assert loaded[key] == pytest.approx(value, rel=1e-12), key


def test_every_shipped_extract_loads_without_rejects(shipped: duckdb.DuckDBPyConnection) -> None:
    assert _rows(shipped, "select metric_id, status, rows_rejected from extract_files "
                          "where status <> 'loaded' or rows_rejected > 0") == []
    _assert_reconciled(shipped)


# --- hostile extracts: too wide, too long, too slow or too big for memory ------------------


def _with_settings(root: Path, settings: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "settings.yaml").write_text(settings, encoding="utf-8")
    return root


def _wide_csv(columns: int, rows: list[str]) -> str:
    names = [f"c{i}" for i in range(columns)]
    return "period,v," + ",".join(names) + "\n" + "".join(
        f"2023-{4 + n:02d},{value}," + ",".join("1" for _ in names) + "\n" for n, value in enumerate(rows))


@pytest.mark.hostile
def test_a_wide_extract_loads_and_its_rejected_rows_keep_their_text(tmp_path: Path) -> None:
    """330 columns or more failed the whole build: 'Max expression depth limit of 1000 exceeded'
    from the rejected rows' text."""
    project = _project(tmp_path, {"wide.csv": _wide_csv(998, ["1", "x", "3"])},
                       _metric("wide", "{file: extracts/wide.csv, period: period, value: v}"))
    con, report = _load(project)
    assert report.lines() == ["data/extracts/wide.csv (wide): read 3 = loaded 2 + rejected 1"]
    [(row, reason, raw)] = _rows(con, "select source_row, reason, raw from extract_rejects")
    assert (row, reason) == (3, "'x' in column v is not a number")
    assert raw.startswith("period=2023-05, v=x, c0=1, c1=1") and raw.endswith("c997=1")


@pytest.mark.hostile
@pytest.mark.parametrize("kind", ["csv", "parquet", "xlsx"])
def test_an_extract_over_the_column_limit_is_refused_with_its_size(tmp_path: Path, kind: str) -> None:
    """A 100,000-column CSV took 183 s and 3.4 GB before the build failed."""
    root = _with_settings(tmp_path / "p", "extract_max_columns: 20\n")
    path = tmp_path / f"wide.{kind}"
    _write_table(path, ["period", "v"] + [f"c{i}" for i in range(23)], [["2023-04", "1"] + ["1"] * 23])
    project = _project(root, {f"wide.{kind}": path, "ok.csv": "period,v\n2023-04,1\n"},
                       _metric("wide", f"{{file: extracts/wide.{kind}, period: period, value: v}}")
                       + _metric("ok", "{file: extracts/ok.csv, period: period, value: v}"))
    _, report = _load(project)
    about = "about " if kind == "csv" else ""
    assert report.lines() == [
        "data/extracts/ok.csv (ok): read 1 = loaded 1 + rejected 0",
        f"data/extracts/wide.{kind} (wide): refused: data/extracts/wide.{kind} has {about}25 columns; the "
        "limit is 20 (setting extract_max_columns): publish the columns the metrics need, or raise "
        "the limit in settings.yaml"]


@pytest.mark.hostile
def test_a_hundred_thousand_columns_are_refused_before_they_are_read(tmp_path: Path) -> None:
    project = _project(tmp_path, {"wide.csv": _wide_csv(100_000, ["1"])},
                       _metric("wide", "{file: extracts/wide.csv, period: period, value: v}"))
    _, report = _load(project)
    [line] = report.lines()
    assert "refused: data/extracts/wide.csv has about 100,002 columns; the limit is 1,000" in line


@pytest.mark.hostile
@pytest.mark.parametrize(("kind", "setting"), [("csv", "extract_max_rows"), ("parquet", "extract_max_rows"),
                                               ("xlsx", "extract_max_xlsx_rows")])
def test_an_extract_over_the_row_limit_is_refused_with_its_size(
    tmp_path: Path, kind: str, setting: str
) -> None:
    """A 368 KB workbook that expands to a million rows made a 35 s build (the XLSX limit is
    lower than the others: XLSX is read row by row)."""
    root = _with_settings(tmp_path / "p", f"{setting}: 10\n")
    path = tmp_path / f"long.{kind}"
    _write_table(path, ["period", "v"], [["2023-04", str(n)] for n in range(11)])
    project = _project(root, {f"long.{kind}": path, "ok.csv": "period,v\n2023-04,1\n"},
                       _metric("long", f"{{file: extracts/long.{kind}, period: period, value: v}}")
                       + _metric("ok", "{file: extracts/ok.csv, period: period, value: v}"))
    _, report = _load(project)
    size = (root / "data" / "extracts" / f"long.{kind}").stat().st_size
    assert report.lines() == [
        f"data/extracts/long.{kind} (long): refused: data/extracts/long.{kind} ({size:,} bytes) has more "
        f"than 10 rows (setting {setting}): split it, or raise the limit in settings.yaml",
        "data/extracts/ok.csv (ok): read 1 = loaded 1 + rejected 0"]


def _write_table(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """A small table as CSV, Parquet or XLSX, by the path's suffix."""
    if path.suffix == ".csv":
        path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    elif path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(header)}), path)
    else:
        from openpyxl import Workbook

        book = Workbook()
        for row in [header, *rows]:
            book.active.append(row)
        book.save(path)


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two million rows (about 40 MB): more than a second's work, more than 64 MB in memory."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    con = duckdb.connect()
    con.execute(f"""copy (select '2023-' || lpad((i % 12 + 1)::varchar, 2, '0') as period,
                                 'ORG' || (i % 1667) as org, (i * 1.5)::varchar as v
                          from range(2000000) as t(i)) to '{path}'""")
    con.close()
    return path


@pytest.mark.hostile
@pytest.mark.parametrize(("settings", "message"), [
    ("extract_memory_limit_mb: 64\n",
     "data/extracts/big.csv needs more than 64 MB to load (setting extract_memory_limit_mb): make the "
     "file smaller, or raise the limit in settings.yaml"),
    ("extract_time_limit_seconds: 1\n",
     "data/extracts/big.csv took longer than 1 s to load (setting extract_time_limit_seconds): make the "
     "file smaller or its metrics' expressions simpler, or raise the limit in settings.yaml"),
])
def test_an_extract_over_its_memory_or_time_fails_alone(
    tmp_path: Path, big_csv: Path, settings: str, message: str
) -> None:
    """The sandbox had DuckDB's default memory limit (80% of the machine) and no time limit."""
    root = _with_settings(tmp_path / "p", settings)
    project = _project(root, {"big.csv": big_csv, "ok.csv": "period,v\n2023-04,1\n"},
                       _metric("big", "{file: extracts/big.csv, period: period, org: org, value: v}")
                       + _metric("ok", "{file: extracts/ok.csv, period: period, value: v}"))
    con, report = _load(project)
    assert report.lines() == ["data/extracts/big.csv (big): failed: " + message,
                              "data/extracts/ok.csv (ok): read 1 = loaded 1 + rejected 0"]
    assert _rows(con, "select distinct metric_id from metric_values") == [("ok",)]


@pytest.mark.hostile
def test_benchmarks_and_denominators_that_are_not_finite_never_load(tmp_path: Path) -> None:
    """Charts must never receive infinity: the values were already refused, these were not."""
    metrics = (RATIO.format(file="r.csv") + "    benchmark: {value: england}\n")
    project = _project(tmp_path, {"r.csv": "period,org,seen,total,england\n2023-04,A,1,2,inf\n"
                                           "2023-05,A,1,inf,0.5\n2023-06,A,1,2,-inf\n"}, metrics)
    con, _ = _load(project)
    assert _rows(con, "select source_row, reason from extract_rejects") == [
        (3, "the denominator is not a finite number")]
    assert _rows(con, "select count(*) from metric_values") == [(2,)]
    assert _rows(con, "select count(*) from metric_benchmarks where not isfinite(benchmark_value)") == [(0,)]


@pytest.mark.hostile
def test_a_period_outside_1900_to_2100_is_rejected_with_its_row(tmp_path: Path) -> None:
    """Year 1 or 9999 is a slip, and beyond what pandas' dates hold when the dashboard reads it."""
    project = _project(tmp_path, {"p.csv": "period,v\n2023-04,1\n0001-04,2\n9999-12,3\n"},
                       _metric("p", "{file: extracts/p.csv, period: period, value: v}"))
    con, report = _load(project)
    assert report.lines() == ["data/extracts/p.csv (p): read 3 = loaded 1 + rejected 2"]
    assert [r[0] for r in _rows(con, "select source_row from extract_rejects order by 1")] == [3, 4]


@pytest.mark.hostile
def test_a_workbook_read_past_the_time_limit_fails_alone(tmp_path: Path) -> None:
    """XLSX is read in Python, where DuckDB's interrupt does not reach: the reader stops itself."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["period", "org", "v"])
    for n in range(150_000):
        sheet.append(["2023-04", f"ORG{n}", n])
    path = tmp_path / "slow.xlsx"
    book.save(path)
    root = _with_settings(tmp_path / "p", "extract_time_limit_seconds: 1\n")
    project = _project(root, {"slow.xlsx": path, "ok.csv": "period,v\n2023-04,1\n"},
                       _metric("slow", "{file: extracts/slow.xlsx, period: period, org: org, value: v}")
                       + _metric("ok", "{file: extracts/ok.csv, period: period, value: v}"))
    _, report = _load(project)
    assert report.lines() == [
        "data/extracts/ok.csv (ok): read 1 = loaded 1 + rejected 0",
        "data/extracts/slow.xlsx (slow): failed: data/extracts/slow.xlsx took longer than 1 s to load "
        "(setting extract_time_limit_seconds): make the file smaller or its metrics' expressions "
        "simpler, or raise the limit in settings.yaml"]
