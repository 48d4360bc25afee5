"""The static tables a page draws (ui.tables.html_table, through st.html) read back as tables, so
a test asserts on them as on a dataframe: numbers as numbers, a link cell as its address."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
from streamlit.testing.v1 import AppTest


class _TableReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.header: list[str] = []
        self.rows: list[list[object]] = []
        self.link_texts: list[str] = []
        self._cell: list[str] | None = None
        self._numeric = False
        self._href: str | None = None
        self._in_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr" and self.header:
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell, self._numeric, self._href = [], ("class", "num") in attrs, None
        elif tag == "a":
            self._href, self._in_link = dict(attrs).get("href"), True
            self.link_texts.append("")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_link:
            self.link_texts[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False
        elif tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell)
            if tag == "th":
                self.header.append(text)
            else:
                value: object = self._href if self._href is not None else text
                self.rows[-1].append(_number(text) if self._numeric else value)
            self._cell = None


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _readers(at: AppTest) -> list[_TableReader]:
    readers = []
    for element in at.get("html"):
        body = element.proto.body
        if 'class="tracker-table"' in body:
            reader = _TableReader()
            reader.feed(body)
            readers.append(reader)
    return readers


def static_tables(at: AppTest) -> list[pd.DataFrame]:
    """Every static table on the page, in order."""
    return [pd.DataFrame(r.rows, columns=r.header) for r in _readers(at)]


def static_table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first static table on the page that has `column`."""
    return next(t for t in static_tables(at) if column in t.columns)


def link_texts(at: AppTest, index: int) -> list[str]:
    """What each link in the page's `index`-th static table reads."""
    return _readers(at)[index].link_texts
