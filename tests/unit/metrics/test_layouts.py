"""Files in the layouts publishers really use load with YAML only (tracker/metrics/layouts.py and the
period forms of queries/metrics/extracts/parse_period.sql), and agree with a csv-module calculation."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from tests.unit.metrics.test_extracts import (
    TESTDATA,
    _assert_reconciled,
    _load,
    _metric,
    _project,
    _rows,
    period_of,
)

REPO = Path(__file__).resolve().parents[3]
AE = TESTDATA / "nhse_ae_monthly.csv"
FINGERTIPS = TESTDATA / "fingertips_export.csv"
AE_TYPES = ("Type 1", "Type 2", "Other A&E Department")


@pytest.fixture(scope="module")
def lookup() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in ("parse_period", "create_sandbox_tables"):
        con.execute((REPO / f"queries/metrics/extracts/{name}.sql").read_text())
    return con


@pytest.mark.parametrize(("text", "frequency", "expected"), [
    ("MSitAE-APRIL-2023", "monthly", "2023-04-01"), ("MSitAE-MARCH-2024", "monthly", "2024-03-01"),
    ("RTT-Apr-2023", "monthly", "2023-04-01"), ("MSitAE-MARCH-2024", "quarterly", "2024-01-01"),
    ("MSitAE-MARCH-2024", "annual", "2023-04-01"), ("April-2023", "monthly", "2023-04-01"),
    ("2022", "annual", "2022-01-01"), ("20220000", "annual", "2022-01-01"),
    ("2019 - 21", "annual", "2021-01-01"), ("2019 - 2021", "annual", "2021-01-01"),
    ("1999 - 01", "annual", "2001-01-01"), ("2021/22", "annual", "2021-04-01"),
    ("2021-22", "annual", "2021-04-01"), ("2018/19 - 20/21", "annual", "2020-04-01"),
    # a year alone is not a month or quarter; a pooled run must run forwards
    ("2022", "monthly", None), ("2022", "quarterly", None), ("20220000", "monthly", None),
    ("2019 - 18", "annual", None), ("MSitAE-APRIL", "monthly", None), ("MSitAE-APRIL-2023x", "monthly", None),
    ("2018/19 - 20/21", "monthly", None), ("2019 - 21", "quarterly", None),
])
def test_periods_as_publishers_write_them(
    lookup: duckdb.DuckDBPyConnection, text: str, frequency: str, expected: str | None
) -> None:
    found = period_of(lookup, text, frequency)
    assert (found.isoformat() if found else None) == expected


def test_an_unreadable_period_lists_every_form_its_frequency_reads(tmp_path: Path) -> None:
    text = "period,org,value\n2022,A,1\nFY22,A,2\n"
    metrics = (_metric("yearly", "{file: extracts/p.csv, period: period, org: org, value: value}", "annual")
               + _metric("monthly", "{file: extracts/p.csv, period: period, org: org, value: value}"))
    con, _ = _load(_project(tmp_path, {"p.csv": text}, metrics))
    reasons = dict(((m, r), reason) for m, r, reason in _rows(
        con, "select metric_id, source_row, reason from extract_rejects"))
    assert reasons[("yearly", 3)] == (
        "period 'FY22' is not one an annual metric reads: write a date (2023-04-01, 01/04/2023, "
        "01-Apr-23, 1 April 2023), a month (2023-04, 202304, Apr-23, April 2023, MSitAE-APRIL-2023), "
        "a financial year (2023-24, 2023/24; pooled: 2018/19 - 20/21), a calendar year (2022, or "
        "20220000 as Fingertips sorts it) or pooled calendar years (2019 - 21, stored at 2021)")
    assert reasons[("monthly", 2)].startswith("period '2022' is not one a monthly metric reads: write a date")
    assert reasons[("monthly", 2)].endswith("or a financial quarter (2023-24 Q2, Q2 23/24)")
    assert ("yearly", 2) not in reasons


def _ae_by_org(column_sum: list[str]) -> dict[str, dict[dt.date, float]]:
    """Per organisation and month, the sum of the given columns, read with the csv module."""
    out: dict[str, dict[dt.date, float]] = defaultdict(dict)
    with AE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Period"] == "TOTAL":
                continue
            month = dt.datetime.strptime(row["Period"].split("-", 1)[1].title(), "%B-%Y").date()
            out[row["Org Code"]][month] = sum(float(row[c]) for c in column_sum)
    return out


AE_METRICS = (
    _metric("over-4hrs-type-1", """
      file: extracts/nhse_ae_monthly.csv
      period: Period
      org: Org Code
      value: Attendances over 4hrs Type 1
      filter: "Period <> 'TOTAL'"
""") + _metric("four-hour-share", """
      file: extracts/nhse_ae_monthly.csv
      period: Period
      org: Org Code
      numerator: >-
        100 * ("A&E attendances Type 1" + "A&E attendances Type 2"
        + "A&E attendances Other A&E Department" - "Attendances over 4hrs Type 1"
        - "Attendances over 4hrs Type 2" - "Attendances over 4hrs Other Department")
      denominator: >-
        "A&E attendances Type 1" + "A&E attendances Type 2" + "A&E attendances Other A&E Department"
      filter: "Period <> 'TOTAL'"
"""))


def test_nhs_england_monthly_ae_loads_every_provider_row_as_published(tmp_path: Path) -> None:
    con, report = _load(_project(tmp_path, {"nhse_ae_monthly.csv": AE}, AE_METRICS))
    assert report.lines() == [
        "data/extracts/nhse_ae_monthly.csv (over-4hrs-type-1): read 18 = loaded 15 + rejected 0 + filtered 3",
        "data/extracts/nhse_ae_monthly.csv (four-hour-share): read 18 = loaded 15 + rejected 0 + filtered 3",
    ]
    _assert_reconciled(con)
    over = _ae_by_org(["Attendances over 4hrs Type 1"])
    attended = _ae_by_org([f"A&E attendances {t}" for t in AE_TYPES])
    breached = _ae_by_org(["Attendances over 4hrs Type 1", "Attendances over 4hrs Type 2",
                           "Attendances over 4hrs Other Department"])
    for org in ("RVY", "RF4"):  # Southport and Ormskirk; one whose name holds a comma
        loaded = dict(_rows(con, "select period, value from metric_values "
                                 f"where metric_id = 'over-4hrs-type-1' and org = '{org}'"))
        assert loaded == over[org] and len(loaded) == 3
        share = dict(_rows(con, "select period, value from metric_values "
                                f"where metric_id = 'four-hour-share' and org = '{org}'"))
        assert share == pytest.approx({m: 100 * (attended[org][m] - breached[org][m]) / attended[org][m]
                                       for m in attended[org]})
    assert _rows(con, "select distinct period from metric_values order by 1") == [
        (dt.date(2023, 4, 1),), (dt.date(2023, 5, 1),), (dt.date(2023, 6, 1),)]


def test_without_the_filter_the_total_rows_are_rejected_for_their_period(tmp_path: Path) -> None:
    metric = _metric("over", "{file: extracts/ae.csv, period: Period, org: Org Code, "
                             "value: Attendances over 4hrs Type 1}")
    con, report = _load(_project(tmp_path, {"ae.csv": AE}, metric))
    assert report.lines() == ["data/extracts/ae.csv (over): read 18 = loaded 15 + rejected 3"]
    assert [r for (r,) in _rows(con, "select source_row from extract_rejects order by 1")] == [7, 13, 19]


@pytest.mark.parametrize(("value", "message"), [
    ("Attendances over 4hrs Type 1 + 1",
     'write "Attendances over 4hrs Type 1" + 1'),
    ("100 * Attendances over 4hrs Type 1 / A&E attendances Type 1",
     'write 100 * "Attendances over 4hrs Type 1" / "A&E attendances Type 1"'),
])
def test_an_unquoted_column_name_in_an_expression_says_how_to_quote_it(
    tmp_path: Path, value: str, message: str
) -> None:
    metric = _metric("broken", f"{{file: extracts/ae.csv, period: Period, org: Org Code, value: '{value}'}}")
    _, report = _load(_project(tmp_path, {"ae.csv": AE}, metric))
    [line] = report.lines()
    assert line.startswith("data/extracts/ae.csv (broken): refused: metric broken: the value expression "
                           "is not valid SQL: syntax error at or near")
    assert line.endswith(f"Column names with spaces or signs go in double quotes: {message}")


def test_a_filter_that_is_a_column_name_is_that_column(tmp_path: Path) -> None:
    text = "Month,Org,Count of things,Is final?\n2023-04,A,5,Yes\n2023-05,A,6,No\n2023-06,A,7,\n"
    metric = _metric("final", "{file: extracts/f.csv, period: Month, org: Org, value: Count of things, "
                              "filter: Is final?}")
    con, report = _load(_project(tmp_path, {"f.csv": text}, metric))
    assert report.lines() == ["data/extracts/f.csv (final): read 3 = loaded 1 + rejected 0 + filtered 2"]
    assert _rows(con, "select period, value from metric_values") == [(dt.date(2023, 4, 1), 5.0)]


def _fingertips(indicator: int, area: str, column: str = "Time period") -> dict[str, float]:
    with FINGERTIPS.open(newline="", encoding="utf-8") as handle:
        return {row[column]: float(row["Value"]) for row in csv.DictReader(handle)
                if row["Indicator ID"] == str(indicator) and row["Area Code"] == area and row["Value"]}


def _fingertips_metric(metric_id: str, indicator: int, period: str = "Time period") -> str:
    return _metric(metric_id, f"""
      file: extracts/fingertips.csv
      period: {period}
      org: Area Code
      value: Value
      filter: '"Indicator ID" = {indicator}'
""", "annual")


def test_ohid_fingertips_calendar_pooled_and_financial_years(tmp_path: Path) -> None:
    metrics = (_fingertips_metric("smoking", 92443) + _fingertips_metric("smoking-sorted", 92443,
                                                                          "Time period Sortable")
               + _fingertips_metric("under-75-mortality", 108) + _fingertips_metric("dementia", 91891))
    con, report = _load(_project(tmp_path, {"fingertips.csv": FINGERTIPS}, metrics))
    _assert_reconciled(con)
    assert report.lines() == [
        "data/extracts/fingertips.csv (smoking): read 41 = loaded 16 + rejected 0 + filtered 25",
        "data/extracts/fingertips.csv (smoking-sorted): read 41 = loaded 16 + rejected 0 + filtered 25",
        "data/extracts/fingertips.csv (under-75-mortality): read 41 = loaded 12 + rejected 1 + filtered 28",
        "data/extracts/fingertips.csv (dementia): read 41 = loaded 12 + rejected 0 + filtered 29",
    ]

    def loaded(metric_id: str, area: str = "E08000014") -> dict[dt.date, float]:
        return dict(_rows(con, "select period, value from metric_values "
                               f"where metric_id = '{metric_id}' and org = '{area}'"))

    for area in ("E08000014", "E92000001"):  # Sefton and England
        smoking = {dt.date(int(p), 1, 1): v for p, v in _fingertips(92443, area).items()}
        assert loaded("smoking", area) == smoking and len(smoking) == 4
        assert loaded("smoking-sorted", area) == smoking
        mortality = {dt.date(2000 + int(p[-2:]), 1, 1): v for p, v in _fingertips(108, area).items()}
        assert loaded("under-75-mortality", area) == mortality and len(mortality) == 3
        dementia = {dt.date(int(p[:4]), 4, 1): v for p, v in _fingertips(91891, area).items()}
        assert loaded("dementia", area) == dementia and len(dementia) == 3
    assert _rows(con, "select source_row, reason from extract_rejects") == [
        (42, "no value: the value is empty")]  # Blackpool's suppressed value


@pytest.mark.parametrize("header_row", [1, 3])
def test_a_windows_1252_pound_sign_only_in_the_header_is_read_right(tmp_path: Path, header_row: int) -> None:
    raw = (TESTDATA / "windows1252_pound_header.csv").read_bytes()
    if header_row == 1:  # the same file without its title rows
        raw = raw.split(b"\r\n", 2)[2]
    metric = _metric("spend", f"{{file: extracts/w.csv, period: Month, org: Cost centre, value: Spend £000, "
                              f"header_row: {header_row}}}")
    con, report = _load(_project(tmp_path, {"w.csv": raw}, metric))
    assert report.lines() == ["data/extracts/w.csv (spend): read 3 = loaded 3 + rejected 0"]
    assert _rows(con, "select period, org, value, source_row from metric_values order by period") == [
        (dt.date(2023, 4, 1), "SEF01", 101.0, header_row + 1),
        (dt.date(2023, 5, 1), "SEF01", 118.0, header_row + 2),
        (dt.date(2023, 6, 1), "SEF01", 125.0, header_row + 3)]


FINANCE = TESTDATA / "finance_month6.csv"


def _accounting(text: str) -> float:
    """A cell of an Excel accounting format saved as CSV: ' (1,318)' is -1318, ' -   ' is 0."""
    text = text.strip().replace(",", "")
    if text == "-":
        return 0.0
    return -float(text[1:-1]) if text.startswith("(") else float(text)


def _finance_metric(metric_id: str, value: str, nil: str = "") -> str:
    return _metric(metric_id, f"""
      file: extracts/finance.csv
      header_row: 4
      period: Month
      org: Cost Centre
      value: {value}
      filter: '"Cost Centre" is not null'{nil}
""")


def test_finance_accounting_negatives_and_nil_as_the_source_says(tmp_path: Path) -> None:
    nil = '\n      nil: "-"'
    metric = (_finance_metric("variance-ytd", "Variance YTD", nil)
              + _finance_metric("actual-ytd", "Actual YTD", nil))
    con, report = _load(_project(tmp_path, {"finance.csv": FINANCE}, metric))
    assert report.lines() == [
        "data/extracts/finance.csv (variance-ytd): read 10 = loaded 8 + rejected 0 + filtered 2",
        "data/extracts/finance.csv (actual-ytd): read 10 = loaded 8 + rejected 0 + filtered 2"]
    with FINANCE.open(newline="", encoding="cp1252") as handle:
        rows = [r for r in list(csv.reader(handle))[4:] if r[1]]
    for metric_id, column in (("variance-ytd", 6), ("actual-ytd", 5)):
        expected = {(r[1], dt.datetime.strptime(r[2], "%b-%y").date()): _accounting(r[column]) for r in rows}
        assert dict(((o, p), v) for o, p, v in _rows(
            con, f"select org, period, value from metric_values where metric_id = '{metric_id}'")) == expected
    assert expected[("SEF103", dt.date(2023, 4, 1))] == 0.0
    assert _rows(con, "select value from metric_values where metric_id = 'variance-ytd' and org = 'SEF201' "
                      "order by period") == [(-1318.0,), (-903.0,)]  # published as (1,318) and (903)


def test_a_dash_is_not_a_number_unless_the_source_says_it_is_nil(tmp_path: Path) -> None:
    metric = _finance_metric("spent", "Actual YTD")
    con, report = _load(_project(tmp_path, {"finance.csv": FINANCE}, metric))
    assert report.lines() == [
        "data/extracts/finance.csv (spent): read 10 = loaded 6 + rejected 2 + filtered 2"]
    assert _rows(con, "select source_row, reason from extract_rejects order by 1") == [
        (7, "' -   ' in column Actual YTD is not a number"),
        (11, "' -   ' in column Actual YTD is not a number")]


@pytest.mark.parametrize("mark", ["*", "[c]", ".."])
def test_suppressed_numbers_are_counted_as_suppressed_not_rejected(tmp_path: Path, mark: str) -> None:
    text = (TESTDATA / "nhsd_mhsds_monthly.csv").read_text().replace(",*\r\n", f",{mark}\r\n")
    source = ("{file: extracts/mhsds.csv, period: REPORTING_PERIOD_START, org: PRIMARY_LEVEL, "
              "value: MEASURE_VALUE, filter: \"MEASURE_ID = '%s'\", suppressed: ['*', '[c]', '..']}")
    metrics = _metric("in-contact", source % "MHS01") + _metric("in-hospital", source % "MHS07")
    con, report = _load(_project(tmp_path, {"mhsds.csv": text}, metrics))
    assert report.lines() == [
        "data/extracts/mhsds.csv (in-contact): read 12 = loaded 4 + rejected 0 + filtered 6 + suppressed 2",
        "data/extracts/mhsds.csv (in-hospital): read 12 = loaded 3 + rejected 0 + filtered 6 + suppressed 3"]
    _assert_reconciled(con)
    assert _rows(con, "select org, period, value from metric_values where metric_id = 'in-contact' "
                      "order by org, period") == [
        ("01T", dt.date(2023, 4, 1), 1450.0), ("01T", dt.date(2023, 5, 1), 1502.0),
        ("01V", dt.date(2023, 4, 1), 880.0), ("01V", dt.date(2023, 6, 1), 912.0)]
    assert _rows(con, "select rows_suppressed from extract_files order by metric_id") == [(2,), (3,)]


def test_suppression_marks_not_declared_are_rejected_as_not_numbers(tmp_path: Path) -> None:
    source = ("{file: extracts/mhsds.csv, period: REPORTING_PERIOD_START, org: PRIMARY_LEVEL, "
              "value: MEASURE_VALUE, filter: \"MEASURE_ID = 'MHS01'\"}")
    con, report = _load(_project(tmp_path, {"mhsds.csv": TESTDATA / "nhsd_mhsds_monthly.csv"},
                                 _metric("in-contact", source)))
    assert report.lines() == [
        "data/extracts/mhsds.csv (in-contact): read 12 = loaded 4 + rejected 2 + filtered 6"]
    assert {r for (r,) in _rows(con, "select reason from extract_rejects")} == {
        "'*' in column MEASURE_VALUE is not a number"}
