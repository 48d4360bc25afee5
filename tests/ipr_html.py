"""Read the Integrated Performance Report summary table back from HTML, as a reader would."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_DATA_SVG = "data:image/svg+xml;base64,"


@dataclass
class Row:
    key: str
    measure: str = ""
    cells: list[str] = field(default_factory=list)       # each cell's visible text
    icons: list[tuple[str, str]] = field(default_factory=list)  # (data-kind, aria-label)


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self._in_ipr = 0
        self._row: Row | None = None
        self._cell: list[str] | None = None
        self._title = False
        self._phone = 0  # inside an element shown only on a phone: not what a desktop shows

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and "ipr" in (found.get("class") or "").split():
            self._in_ipr += 1
        elif self._in_ipr and tag == "tr" and found.get("data-key"):
            self._row = Row(found["data-key"] or "")
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []
        elif self._row is not None and tag == "svg" and "mdc-icon" in (found.get("class") or ""):
            self._row.icons.append((found.get("data-kind") or "", found.get("aria-label") or ""))
        elif self._row is not None and tag == "img" and "mdc-icon" in (found.get("class") or ""):
            # the dashboard draws each icon as an image of its SVG (ui/icons.py): its kind is
            # read from the picture itself, its name from what a screen reader is given
            self._row.icons.append((_drawn_kind(found.get("src") or ""), found.get("alt") or ""))
        elif tag == "title":
            self._title = True
        elif tag == "span" and (self._phone or "phone" in (found.get("class") or "").split()):
            self._phone += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._phone:
            self._phone -= 1
        elif tag == "table" and self._in_ipr:
            self._in_ipr -= 1
        elif tag == "title":
            self._title = False
        elif self._row is not None and tag in ("td", "th") and self._cell is not None:
            text = " ".join(" ".join(self._cell).split())
            if not self._row.cells:
                self._row.measure = text
            self._row.cells.append(text)
            self._cell = None
        elif self._row is not None and tag == "tr":
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._title and not self._phone:
            self._cell.append(data)


def summary_rows(html: str) -> list[Row]:
    """Every measure row of every IPR summary table in `html`."""
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def _drawn_kind(src: str) -> str:
    """The `data-kind` of the SVG an image shows (a `data:` address), or "" if it is none."""
    if not src.startswith(_DATA_SVG):
        return ""
    svg = base64.b64decode(src[len(_DATA_SVG):]).decode("utf-8")
    found = re.search(r'data-kind="([^"]*)"', svg[: svg.index(">")])
    return found.group(1) if found else ""


def drawn_svgs(html: str) -> str:
    """`html` with each image of an SVG (a `data:` address) replaced by the SVG it shows."""
    return re.sub(r'<img src="data:image/svg\+xml;base64,([^"]*)"[^>]*>',
                  lambda m: base64.b64decode(m.group(1)).decode("utf-8"), html)
