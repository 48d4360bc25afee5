"""The dashboard's own CSS for accessibility, static and shown on every page, and the look of
the static tables (ui.tables.html_table) that pages draw instead of dataframes where a table is
only read.

Streamlit's caption (its text at 60% opacity) is 3.88:1 on white (WCAG AA asks 4.5:1 for small text) and its
sidebar links show no focus when reached with the keyboard; the header's "Stop" button, shown while
a page runs, is 2.95:1, and it fades in over 0.2 s, so for that time it is paler still (3.75:1
was caught by axe in CI). The theme has no setting for any of them, so a few rules of our own
set them; nothing here comes from a file or a user.
"""

from __future__ import annotations

import streamlit as st

CAPTION_COLOUR = "#4c6272"  # NHS secondary text grey: 6.4:1 on white
FOCUS_COLOUR = "#005eb8"    # NHS blue
RULE_COLOUR = "#d8dde0"     # NHS pale grey, for the lines between rows
HEAD_COLOUR = "#f0f4f5"     # NHS light grey, behind a table's header (text on it 14:1 and more)

CSS = f"""<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{
  color: {CAPTION_COLOUR};
  opacity: 1;
}}
/* The header's "Stop" while a page runs is grey #979695 (2.95:1): as dark as the captions,
   and shown at once rather than faded in (half-faded, it is too pale to read). */
[data-testid="stBaseButton-header"] {{
  color: {CAPTION_COLOUR};
}}
[data-testid="stStatusWidget"] {{
  transition: none !important;
}}
[data-testid="stSidebarNav"] a:focus-visible, a:focus-visible, button:focus-visible,
[role="tab"]:focus-visible, summary:focus-visible {{
  outline: 3px solid {FOCUS_COLOUR};
  outline-offset: 2px;
}}
.tracker-table {{
  overflow-x: auto;
  margin-bottom: 1rem;
}}
.tracker-table table {{
  width: 100%;
  border-collapse: collapse;
  font-size: 0.875rem;
}}
.tracker-table th, .tracker-table td {{
  text-align: left;
  vertical-align: top;
  padding: 0.25rem 0.5rem;
  border-bottom: 1px solid {RULE_COLOUR};
}}
.tracker-table th {{
  background: {HEAD_COLOUR};
  font-weight: 600;
}}
.tracker-table .num {{
  text-align: right;
  font-variant-numeric: tabular-nums;
}}
.tracker-table .whole {{
  white-space: nowrap;
}}
.tracker-table a {{
  color: {FOCUS_COLOUR};
}}
</style>"""


def accessible_style() -> None:
    """Add the rules to the page (a style-only st.html takes no space)."""
    st.html(CSS)
