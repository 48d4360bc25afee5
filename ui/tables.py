"""Tables shared by several pages (formatting only)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import pandas as pd
from pandas.api.types import is_numeric_dtype

from tracker.metrics.scorecard_view import MetricView
from tracker.metrics.scorecard_words import benchmark_label, format_value, latest_label
from tracker.status.rag import NOT_JUDGED, TRAVEL_WORDS
from tracker.status.rag import TARGET_WORDS as RAG_WORDS  # one wording, shared with the pack

METHOD_WORDS = {"spc": "SPC chart", "run_chart": "Run chart", "target_only": "Target only",
                "no_data": "No data"}


def scorecard_table(metric_views: list[MetricView]) -> pd.DataFrame:
    return pd.DataFrame({
        "Metric": [v.name + (" (example)" if v.is_example else "") for v in metric_views],
        "Organisation": [v.org or "—" for v in metric_views],
        "Latest": [latest_label(v) for v in metric_views],
        "Target": [format_value(v.target, v.unit) for v in metric_views],
        "Against target": [NOT_JUDGED if v.is_stale else RAG_WORDS[v.rag] for v in metric_views],
        "Since last period": [TRAVEL_WORDS[v.vs_previous] for v in metric_views],
        "Since last year": [TRAVEL_WORDS[v.vs_last_year] for v in metric_views],
        "Variation": [v.variation_label for v in metric_views],
        "Assurance": [v.assurance_label for v in metric_views],
        "Benchmark": [benchmark_label(v) for v in metric_views],
        "Shown as": [METHOD_WORDS[v.method] for v in metric_views],
        "id": [v.metric_id for v in metric_views],
    })


@dataclass(frozen=True)
class Links:
    """A column of addresses the dashboard built (never text from a file), drawn as links that
    read `text`, each named for screen readers by its row's value in `named_by` ("Open Live
    Well – Cancer"), with `title` as the pointer's hint."""

    text: str
    named_by: str
    title: str


KEPT_WHOLE = ("ID",)  # columns whose values never break over lines (an id breaks at its hyphens)


def html_table(frame: pd.DataFrame, label: str, links: dict[str, Links] | None = None) -> str:
    """`frame` as a static HTML table: one light element for the browser to draw, where
    `st.dataframe` draws a canvas grid with its own scripts and toolbar, and `st.table` reads
    every cell as Markdown (both several times slower to paint: benchmarks/browser_paint.py).

    Every header and cell is escaped, so nothing from a file is read as HTML. A column named
    in `links` is drawn as links (see `Links`). Numbers are right-aligned; ids (`KEPT_WHOLE`)
    are kept on one line. The table sits in a region
    named `label` that scrolls sideways on a narrow screen and can be reached with the
    keyboard to do so.
    """
    links = links or {}
    columns = list(frame.columns)
    numeric = {c for c in columns if is_numeric_dtype(frame[c]) and frame[c].dtype != bool}
    head = "".join(f'<th scope="col"{_align(c in numeric)}>{html.escape(str(c))}</th>'
                   for c in columns)
    # Each column as a list once: iterating a frame's Arrow-backed columns cell by cell was
    # most of the overview's table time (0.029 s of its 0.17 s script).
    cells = [frame[c].tolist() for c in columns]
    rows = "".join(_row(columns, row, numeric, links) for row in zip(*cells, strict=True))
    return (f'<div class="tracker-table" role="region" tabindex="0" aria-label="{html.escape(label)}">'
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")


def _align(numeric: bool) -> str:
    return ' class="num"' if numeric else ""


def _td(column: object, numeric: bool) -> str:
    return '<td class="whole">' if column in KEPT_WHOLE else f"<td{_align(numeric)}>"


def _row(columns: Sequence[object], row: tuple[object, ...], numeric: AbstractSet[object],
         links: dict[str, Links]) -> str:
    named = dict(zip(columns, row, strict=True)) if links else {}  # a link's name is its row's
    return "<tr>" + "".join(_cell(column, value, column in numeric, links, named)
                            for column, value in zip(columns, row, strict=True)) + "</tr>"


def _cell(column: object, value: object, numeric: bool, links: dict[str, Links],
          row: dict[object, object]) -> str:
    if column in links:
        link = links[str(column)]
        name = f"{link.text} {row[link.named_by]}"
        return (f'<td><a href="{html.escape(str(value))}" aria-label="{html.escape(name)}" '
                f'title="{html.escape(link.title)}">{html.escape(link.text)}</a></td>')
    return f"{_td(column, numeric)}{html.escape(str(value))}</td>"
