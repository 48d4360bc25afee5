"""Financial quarters: Q1 = April-June, and the year boundary in Q4."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.status.quarters import FinancialQuarter, parse_quarter, quarters_between


@pytest.mark.parametrize("text", ["2023-24 Q2", "Q2 23/24", "Q2 2023/24", "2023/24 Q2",
                                  "2023-2024 Q2", " q2  23-24 ", "2023/24Q2"])
def test_every_written_form_parses_to_the_same_quarter(text: str) -> None:
    assert parse_quarter(text) == FinancialQuarter(2023, 2)
    assert str(parse_quarter(text)) == "2023-24 Q2"


def test_q4_is_january_to_march_of_the_next_calendar_year() -> None:
    q4 = parse_quarter("2023-24 Q4")
    assert q4.start_month == dt.date(2024, 1, 1)
    assert q4.end_month == dt.date(2024, 3, 1)
    assert q4.end_date == dt.date(2024, 3, 31)


@pytest.mark.parametrize(("day", "quarter"), [
    (dt.date(2023, 4, 1), "2023-24 Q1"), (dt.date(2023, 6, 30), "2023-24 Q1"),
    (dt.date(2023, 7, 1), "2023-24 Q2"), (dt.date(2023, 12, 31), "2023-24 Q3"),
    (dt.date(2024, 1, 1), "2023-24 Q4"), (dt.date(2024, 3, 31), "2023-24 Q4"),
    (dt.date(2024, 4, 1), "2024-25 Q1"),
])
def test_quarter_of_a_date(day: dt.date, quarter: str) -> None:
    assert str(FinancialQuarter.quarter_of(day)) == quarter


def test_previous_and_next_cross_the_year() -> None:
    assert str(parse_quarter("2024-25 Q1").previous()) == "2023-24 Q4"
    assert str(parse_quarter("2023-24 Q4").next()) == "2024-25 Q1"
    assert str(parse_quarter("2023-24 Q3").same_quarter_last_year()) == "2022-23 Q3"


def test_end_dates_of_each_quarter() -> None:
    ends = [q.end_date for q in quarters_between(parse_quarter("2023-24 Q1"),
                                                  parse_quarter("2023-24 Q4"))]
    assert ends == [dt.date(2023, 6, 30), dt.date(2023, 9, 30), dt.date(2023, 12, 31),
                    dt.date(2024, 3, 31)]


def test_leap_year_february_is_not_a_quarter_end_but_march_is() -> None:
    assert parse_quarter("2023-24 Q4").contains(dt.date(2024, 2, 29))


@pytest.mark.parametrize(("text", "message"), [
    ("Q5 23/24", "quarters run from Q1 to Q4"),
    ("2023-25 Q1", "not consecutive years"),
    ("2023/2025 Q1", "not consecutive years"),
    ("March 2024", 'write it like "2023-24 Q2"'),
    ("", "is not a financial quarter"),
])
def test_bad_quarters_are_explained(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_quarter(text)


def test_ordering_and_ranges() -> None:
    first, last = parse_quarter("2023-24 Q3"), parse_quarter("2024-25 Q2")
    assert [str(q) for q in quarters_between(first, last)] == [
        "2023-24 Q3", "2023-24 Q4", "2024-25 Q1", "2024-25 Q2"]
    assert quarters_between(last, first) == []
    assert first < last


@pytest.mark.hostile
@pytest.mark.parametrize(("text", "year"), [("9999-00 Q4", "9999"), ("0000-01 Q1", "0"),
                                            ("1899-00 Q1", "1899"), ("2101-02 Q1", "2101")])
def test_a_year_outside_1900_to_2100_is_refused_in_words(text: str, year: str) -> None:
    """9999-00 Q4 ends in the year 10000, which stopped `validate` with Python's own error."""
    with pytest.raises(ValueError, match=f"the year {year} is outside 1900 to 2100; check the year"):
        parse_quarter(text)


@pytest.mark.hostile
def test_digits_of_other_scripts_are_no_quarter() -> None:
    with pytest.raises(ValueError, match="is not a financial quarter"):
        parse_quarter("Q1 ٢٣/٢٤")
