"""Widgets shared by the pages: banners, status labels, safe page running."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pandas as pd
import streamlit as st

from tracker.csvsafe import safe_csv  # one rule for every CSV we write: see tracker.csvsafe
from tracker.logs import log_exception
from tracker.metrics.scorecard_view import MetricView
from tracker.status.rag import status_label
from ui.tables import Links, html_table

EXAMPLE_BANNER = (
    "**Example data.** Statuses marked *(example)* are invented examples shipped so the "
    "dashboard has something to show. They are not the Sefton Partnership's reported "
    "position. Real updates in the plan files replace them; set `example_data: false` in "
    "`settings.yaml` to hide them."
)


def example_banner(shown: bool) -> None:
    if shown:
        st.warning(EXAMPLE_BANNER, icon=":material/warning:")


def rag_column(frame: pd.DataFrame, status: str = "latest_rag", example: str = "is_example") -> pd.Series:
    """Status words with symbols, and '(example)' on example updates."""
    labels = frame[status].map(status_label)
    if example in frame:
        labels = labels.where(~frame[example].astype(bool), labels + " (example)")
    return labels


logger = logging.getLogger(__name__)


def failure_message(what: str, reference: str) -> str:
    """What a person is told when the tracker's own code or queries fail: plain words, and
    the reference that finds the traceback in the log. Not `validate`: it checks the plan
    files, and cannot find a fault in the code."""
    return (f"{what} This is a fault in the tracker, not in what you did: please tell the "
            f"tracker's maintainer, quoting **Reference {reference}** (it finds the details "
            "in the tracker's log).")


def run_safely(page: Callable[[], None]) -> Callable[[], None]:
    """Show a short message with a reference instead of a traceback if a page fails, and log
    the traceback under that reference."""

    def wrapped() -> None:
        try:
            page()
        except Exception:  # noqa: BLE001 - no traceback for a Board member; the log keeps it
            where = getattr(getattr(page, "__code__", None), "co_filename", page.__qualname__)
            reference = log_exception(logger, f"the page {where} failed")
            st.error(failure_message("Something went wrong showing this page, so it may be "
                                     "incomplete.", reference), icon=":material/error:")

    wrapped.__name__ = page.__name__
    return wrapped


_MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~$"
# Streamlit's Markdown turns bare addresses into links after escapes are resolved, so
# backslashes cannot stop it: an invisible word joiner (U+2060) inside "://", after "www"
# and after an e-mail's "@" breaks the pattern and leaves the text as it reads.
_JOINER = "\u2060"
_BARE_ADDRESSES = [
    (re.compile("://"), ":" + _JOINER + "//"),
    (re.compile(r"(?i)\bwww(?=\.)"), lambda m: m.group(0) + _JOINER),
    (re.compile(r"(?<=[\w.+-])@(?=[\w-])"), "@" + _JOINER),
]


def plain(text: object) -> str:
    """User text made inert for st.markdown: no links, images, HTML or formatting.

    Every character Markdown or Streamlit would act on is escaped, so `[..](..)` and
    `![..](..)` cannot form (no link, no image request), and bare web and e-mail
    addresses are broken up invisibly so they are not made into links either.
    """
    text = str(text)
    for pattern, replacement in _BARE_ADDRESSES:
        text = pattern.sub(replacement, text)
    escaped = "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)
    return escaped.replace("\n", "  \n")


def plain_with_code(text: str) -> str:
    """Our own sentence for st.markdown with its `...` parts shown as code (YAML to copy): the
    words between are escaped as `plain` escapes them; the code spans hold only text the
    tracker wrote, and Markdown reads nothing inside a code span."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code, all words
        return plain(text)
    return "".join(plain(part) if i % 2 == 0 else f"`{part}`" for i, part in enumerate(parts))


def metric_reading(view: MetricView) -> None:
    """What a metric's chart says in words, for the Board, then (when there is one) the
    analysts' advice on where a rebase might go, apart, its YAML as code."""
    st.markdown(plain(view.board_reading))
    if view.rebase_suggestion:
        st.caption("For analysts: " + plain_with_code(view.rebase_suggestion))


def csv_download(label: str, table: pd.DataFrame, file_name: str) -> None:
    """A CSV of what a table shows, safe to open in Excel (no formulas run from cells), made
    when the button is pressed: making every page's CSVs on every run slowed each page."""
    st.download_button(label, lambda: safe_csv(table).encode("utf-8-sig"), file_name=file_name,
                       mime="text/csv", key=f"download_{file_name}", on_click="ignore")


def show_table(frame: pd.DataFrame, file_name: str, label: str = "Download (CSV)") -> None:
    """Show a table with a download of exactly what it shows."""
    st.dataframe(frame, hide_index=True, width="stretch")
    csv_download(label, frame, file_name)


def static_table(frame: pd.DataFrame, label: str, links: dict[str, Links] | None = None) -> None:
    """A table to read, not to sort or search: drawn as plain HTML, which paints several times
    faster than a dataframe (see `ui.tables.html_table`; its cells are escaped there)."""
    st.html(html_table(frame, label, links))


def show_static_table(frame: pd.DataFrame, label: str, file_name: str,
                      download: str = "Download (CSV)") -> None:
    """A static table with a download of exactly what it shows."""
    static_table(frame, label)
    csv_download(download, frame, file_name)
