"""UK financial-year quarters: Q1 is April to June, Q4 is January to March.

Everything the Board sees is "as at" the end of a quarter, and the source
documents write quarters several ways ("2023-24 Q2", "Q2 23/24",
"Q2 2023/24", "2023/24 Q2"), so parsing is forgiving and printing is one form.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

_YEARS = r"(?P<y1>[0-9]{4}|[0-9]{2})\s*[-/]\s*(?P<y2>[0-9]{4}|[0-9]{2})"
_FORMS = (
    re.compile(rf"^{_YEARS}\s*Q(?P<q>[0-9])$", re.IGNORECASE),
    re.compile(rf"^Q(?P<q>[0-9])\s*{_YEARS}$", re.IGNORECASE),
)
# The years a plan can speak of. Outside them a typing slip (0000, 9999) would reach Python's
# own date limits (years 1 to 9999) as a crash, not a message.
FIRST_YEAR, LAST_YEAR = 1900, 2100
ACCEPTED = '"2023-24 Q2", "Q2 23/24", "Q2 2023/24" or "2023/24 Q2"'


# Each quarter's last day: (years after the financial year's start, month, day).
_QUARTER_ENDS = {1: (0, 6, 30), 2: (0, 9, 30), 3: (0, 12, 31), 4: (1, 3, 31)}


@dataclass(frozen=True, order=True)
class FinancialQuarter:
    """A quarter of the financial year starting in April of `start_year`."""

    start_year: int
    q: int

    def __post_init__(self) -> None:
        if not 1 <= self.q <= 4:
            raise ValueError(f"a financial quarter is Q1 to Q4, not Q{self.q}")

    def __str__(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d} Q{self.q}"

    @property
    def start_month(self) -> dt.date:
        """The first day of the quarter's first month (2023-24 Q4 -> 1 January 2024)."""
        month = 4 + 3 * (self.q - 1)
        return dt.date(self.start_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def end_month(self) -> dt.date:
        """The first day of the quarter's last month (2023-24 Q4 -> 1 March 2024)."""
        start = self.start_month
        month = start.month + 2
        return dt.date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def end_date(self) -> dt.date:
        """The quarter's last day: the "as at" date of a quarterly report."""
        years_on, month, day = _QUARTER_ENDS[self.q]  # (a lookup: a build asks 20,000 times)
        return dt.date(self.start_year + years_on, month, day)

    def previous(self) -> FinancialQuarter:
        if self.q == 1:
            return FinancialQuarter(self.start_year - 1, 4)
        return FinancialQuarter(self.start_year, self.q - 1)

    def next(self) -> FinancialQuarter:
        if self.q == 4:
            return FinancialQuarter(self.start_year + 1, 1)
        return FinancialQuarter(self.start_year, self.q + 1)

    def same_quarter_last_year(self) -> FinancialQuarter:
        return FinancialQuarter(self.start_year - 1, self.q)

    def contains(self, day: dt.date) -> bool:
        return self.start_month <= day <= self.end_date

    @classmethod
    def quarter_of(cls, day: dt.date) -> FinancialQuarter:
        """The financial quarter a date falls in (1 April 2024 -> 2024-25 Q1)."""
        start_year = day.year if day.month >= 4 else day.year - 1
        return cls(start_year, (day.month - 4) % 12 // 3 + 1)


def _full_year(text: str, century_from: int | None = None) -> int:
    if len(text) == 4:
        return int(text)
    century = (century_from // 100) * 100 if century_from else 2000
    return century + int(text)


def parse_quarter(text: str) -> FinancialQuarter:
    """Read a financial quarter written any of the ways the plans write them."""
    return _parse_quarter_text(str(text))


@functools.lru_cache(maxsize=4096)
def _parse_quarter_text(text: str) -> FinancialQuarter:
    """Remembered: a national build reads the same few quarters some 100,000 times (every
    update's quarter is checked, compared with its plan's period and stored). A text that
    is no quarter raises every time (errors are not remembered)."""
    cleaned = " ".join(text.split())
    for form in _FORMS:
        match = form.match(cleaned)
        if not match:
            continue
        first = _full_year(match["y1"])
        second = _full_year(match["y2"], first)
        if second % 100 != (first + 1) % 100 or (len(match["y2"]) == 4 and second != first + 1):
            raise ValueError(
                f"'{text}' is not a financial quarter: {match['y1']} and {match['y2']} "
                "are not consecutive years"
            )
        if not FIRST_YEAR <= first <= LAST_YEAR:
            raise ValueError(f"'{text}' is not a financial quarter: the year {first} is outside "
                             f"{FIRST_YEAR} to {LAST_YEAR}; check the year")
        if not 1 <= int(match["q"]) <= 4:
            raise ValueError(f"'{text}' is not a financial quarter: quarters run from Q1 to Q4")
        return FinancialQuarter(first, int(match["q"]))
    raise ValueError(f"'{text}' is not a financial quarter: write it like {ACCEPTED}")


def quarters_between(first: FinancialQuarter, last: FinancialQuarter) -> list[FinancialQuarter]:
    """Every quarter from `first` to `last`, both included, in order."""
    found: list[FinancialQuarter] = []
    current = first
    while current <= last:
        found.append(current)
        current = current.next()
    return found
