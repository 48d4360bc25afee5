"""UK financial quarters (placeholder until the full module lands)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_FORMS = [
    re.compile(r"^(?P<y1>\d{4})[-/](?P<y2>\d{2}|\d{4})\s*Q(?P<q>\d)$", re.I),
    re.compile(r"^Q(?P<q>\d)\s*(?P<y1>\d{2}|\d{4})[-/](?P<y2>\d{2}|\d{4})$", re.I),
]


@dataclass(frozen=True, order=True)
class FinancialQuarter:
    start_year: int
    q: int

    def __str__(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d} Q{self.q}"

    @property
    def start_month(self) -> dt.date:
        month = 4 + 3 * (self.q - 1)
        year = self.start_year + (month - 1) // 12
        return dt.date(year, (month - 1) % 12 + 1, 1)

    @property
    def end_month(self) -> dt.date:
        s = self.start_month
        m = s.month + 2
        return dt.date(s.year + (m - 1) // 12, (m - 1) % 12 + 1, 1)

    @property
    def end_date(self) -> dt.date:
        e = self.end_month
        return dt.date(e.year, e.month, calendar.monthrange(e.year, e.month)[1])

    def previous(self) -> FinancialQuarter:
        return FinancialQuarter(self.start_year - 1, 4) if self.q == 1 else FinancialQuarter(self.start_year, self.q - 1)

    def next(self) -> FinancialQuarter:
        return FinancialQuarter(self.start_year + 1, 1) if self.q == 4 else FinancialQuarter(self.start_year, self.q + 1)

    @classmethod
    def quarter_of(cls, day: dt.date) -> FinancialQuarter:
        start_year = day.year if day.month >= 4 else day.year - 1
        return cls(start_year, (day.month - 4) % 12 // 3 + 1)


def parse_quarter(text: str) -> FinancialQuarter:
    cleaned = " ".join(str(text).split())
    for form in _FORMS:
        m = form.match(cleaned)
        if m:
            y1 = int(m["y1"]) if len(m["y1"]) == 4 else 2000 + int(m["y1"])
            q = int(m["q"])
            if 1 <= q <= 4:
                return FinancialQuarter(y1, q)
    raise ValueError(f"'{text}' is not a financial quarter: write it like 2023-24 Q2")


def quarters_between(first: FinancialQuarter, last: FinancialQuarter) -> list[FinancialQuarter]:
    out = []
    q = first
    while q <= last:
        out.append(q)
        q = q.next()
    return out
