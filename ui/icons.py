"""Our own HTML with inline SVG icons (tracker.spc.icons, tracker.report.ipr) drawn on a page.

`st.html` runs its HTML through a sanitiser that removes every `<svg>`, so the icons
would vanish; `st.markdown(unsafe_allow_html=True)` keeps them with their `role`,
`aria-label` and `<title>`. Only HTML built by `tracker.spc.icons` / `tracker.report.ipr` comes
here: every text in it from a file is escaped there (html.escape), so nothing a user
wrote is read as HTML or Markdown.
"""

from __future__ import annotations

import streamlit as st

from tracker.report.ipr import CSS


def our_html(markup: str) -> None:
    """Draw HTML built by tracker.spc.icons / tracker.report.ipr (never user text unescaped)."""
    st.markdown(markup, unsafe_allow_html=True)


def ipr_styles() -> None:
    """The summary table's and the icon key's styles, once per page."""
    st.markdown(f"<style>{CSS}</style>", unsafe_allow_html=True)
