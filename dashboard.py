"""The Sefton Partnership plan tracker dashboard: routing only.

Run with `streamlit run dashboard.py`. The pages live in `ui/pages/`; the logic in `tracker/`.
"""

import streamlit as st

from ui.data import ensure_database, query

st.set_page_config(
    page_title="Sefton Partnership plan tracker", page_icon=":material/checklist:", layout="wide"
)

PAGES = [
    st.Page("ui/pages/overview.py", title="Board overview", icon=":material/dashboard:", default=True),
    st.Page("ui/pages/objectives.py", title="Objectives", icon=":material/checklist:"),
    st.Page("ui/pages/scorecard.py", title="Scorecard", icon=":material/monitoring:"),
    st.Page("ui/pages/reminders.py", title="Reminders and changes", icon=":material/mail:"),
    st.Page("ui/pages/update.py", title="Update an objective", icon=":material/edit_note:"),
    st.Page("ui/pages/data_quality.py", title="Data quality", icon=":material/fact_check:"),
]


def _prepare() -> bool:
    """Build the database if its sources changed; explain, never crash, if that fails."""
    try:
        ensure_database()
        problems = query("problems")
    except Exception:  # noqa: BLE001 - explained to the user below, never as a traceback
        st.error(
            "The tracker could not build its database from the plan files. Ask the maintainer "
            "to run `python -m tracker build` to see why.", icon="🚧",
        )
        return False
    if not problems.empty:
        st.sidebar.warning(
            f"{len(problems)} problem(s) in the source files: see **Data quality**.",
            icon=":material/fact_check:",
        )
    return True


def _no_builtin_table_export() -> None:
    """Streamlit's table toolbar exports CSV that runs formulas (see .streamlit/config.toml).

    The config file turns it off where the README's command is run; started from anywhere
    else, the option is set here and the page drawn again, so no table is ever offered
    with that export.
    """
    if not st.get_option("client.disableDataExport"):
        st.set_option("client.disableDataExport", True)
        st.rerun()


_no_builtin_table_export()
if _prepare():
    st.navigation(PAGES).run()
