"""Data quality: problems in the source files, so leads can fix them."""

from __future__ import annotations

import streamlit as st

from ui.data import query
from ui.widgets import run_safely


def render() -> None:
    st.title("Data quality")
    problems = query("problems")
    if problems.empty:
        st.success("No problems found in the plan files at the last build.", icon="✅")
        return
    st.error(f"{len(problems)} problem(s) in the source files. Each names the file and line.")
    st.dataframe(problems.rename(columns=str.capitalize), hide_index=True, width="stretch")


run_safely(render)()
