"""The Sefton Partnership plan tracker dashboard: routing only.

Run with `streamlit run dashboard.py`. The pages live in `ui/pages/`, what happens before a page
is drawn in `ui/startup.py`, the logic in `tracker/`.
"""

from pathlib import Path

import streamlit as st

from ui.startup import ready_to_route

# The tab's icon is our own file: a Material icon there is fetched by the browser from Google's
# font servers on every page, and the dashboard sends nothing to third parties.
st.set_page_config(
    page_title="Sefton Partnership plan tracker",
    page_icon=str(Path(__file__).resolve().parent / "ui" / "favicon.png"),
    layout="wide",
)

PAGES = [
    st.Page("ui/pages/overview.py", title="Board overview", icon=":material/dashboard:", default=True),
    st.Page("ui/pages/objectives.py", title="Objectives", icon=":material/checklist:"),
    st.Page("ui/pages/scorecard.py", title="Scorecard", icon=":material/monitoring:"),
    st.Page("ui/pages/reminders.py", title="Reminders and changes", icon=":material/mail:"),
    st.Page("ui/pages/update.py", title="Update an objective", icon=":material/edit_note:"),
    st.Page("ui/pages/data_quality.py", title="Data quality", icon=":material/fact_check:"),
]

if ready_to_route():
    st.navigation(PAGES).run()
