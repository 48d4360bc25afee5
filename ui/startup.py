"""What the dashboard does before it routes to a page: logging, the accessible style, sign-in,
the database to serve (the last good one, with a banner saying why it is not the newest), and
Streamlit's own table export switched off. `dashboard.py` only routes.
"""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from tracker.db.failures import BuildFailure
from tracker.db.serving import Serving
from tracker.logs import log_exception
from tracker.logs import setup as setup_logging
from ui.auth import gate
from ui.data import db_version, ensure_database, get_project, query
from ui.style import accessible_style
from ui.widgets import failure_message, plain

logger = logging.getLogger("dashboard")

BUILD_FIX = "The maintainer can run `python -m tracker build` to see the problem and fix it"


def _when(moment: dt.datetime | str) -> str:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(dt.UTC).strftime("%-d %b %Y %H:%M UTC")


def _failure_text(failure: BuildFailure) -> str:
    # In a code span Markdown is not read (escapes included): only its backticks must go.
    changed = ", ".join(f"`{' '.join(name.replace('`', '').split())}`" for name in failure.changed)
    return (f"The tracker could not rebuild its database from the plan files (failing since "
            f"{_when(failure.since)}): {plain(failure.message)}."
            + (f" Changed since the last good build: {changed}." if changed else "")
            + f" {BUILD_FIX} (Reference {failure.reference}).")


def _banners(serving: Serving) -> bool:
    """Say why the figures shown are not the newest; False when there is nothing to show."""
    if not serving.available:
        if serving.failure is not None:
            st.error(f"**There is no database to show.** {_failure_text(serving.failure)}",
                     icon=":material/error:")
        else:
            st.info("The tracker's database is being built for the first time. Reload the page "
                    "in a minute.", icon=":material/hourglass_top:")
        return False
    version = db_version(get_project().db_path)  # one look at the file: its identity and time
    moment = dt.datetime.fromtimestamp(version[1] / 1e9, dt.UTC)
    built = _when(moment)
    _note_an_update(version, moment)
    if serving.failure is not None:
        st.warning(f"**Showing the last good figures, built {built}.** "
                   f"{_failure_text(serving.failure)}", icon=":material/warning:")
    elif serving.updating:
        st.info(f"**The plan files have changed and a newer database is being built.** These "
                f"figures are from the current one, built {built}; the page shows the new ones "
                "as soon as they are ready.", icon=":material/hourglass_top:")
        _rerun_when_swapped(db_version(get_project().db_path))
    return True


SHOWN_VERSION = "shown_database_version"


def updated_note(moment: dt.datetime) -> str:
    """The brief note for a new database, in the dashboard's time zone (UTC, as `_when`)."""
    return f"Updated at {moment.astimezone(dt.UTC):%H:%M} UTC"


def _note_an_update(version: tuple[int, int], moment: dt.datetime) -> None:
    """Say briefly that the figures changed since this session last drew the page (a rebuild
    was swapped in: by another process, noticed by the polling fragment below, or by this
    session's own build); nothing on a session's first page."""
    shown = st.session_state.get(SHOWN_VERSION)
    st.session_state[SHOWN_VERSION] = version
    if shown is not None and tuple(shown) != version:
        st.toast(updated_note(moment), icon=":material/update:")


@st.fragment(run_every=3)
def _rerun_when_swapped(shown: tuple[int, int]) -> None:
    """While another process builds, look every few seconds for the new file; show it at once."""
    try:
        swapped = db_version(get_project().db_path) != shown
    except OSError:
        swapped = False
    if swapped:
        st.rerun()


def _prepare() -> bool:
    """Build the database if its sources changed and that can be done now; keep showing the
    last good one, with a banner, when it cannot; explain, never crash."""
    try:
        serving = ensure_database()
    except Exception:  # noqa: BLE001 - a fault in the tracker itself: logged, and said plainly
        reference = log_exception(logger, "preparing the database failed")
        st.error(failure_message("The tracker could not prepare its database.", reference),
                 icon=":material/error:")
        return False
    if not _banners(serving):
        return False
    try:
        problems = query("plans/problems")
    except Exception:  # noqa: BLE001 - the database opened but cannot be read: logged
        reference = log_exception(logger, "reading the problems table failed")
        st.error(failure_message("The tracker could not read its database.", reference),
                 icon=":material/error:")
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


def ready_to_route() -> bool:
    """Everything a page needs before it is drawn; False when there is nothing to show (the
    reason is already on the page)."""
    setup_logging(get_project().root)
    _no_builtin_table_export()
    accessible_style()
    return gate(get_project()) and _prepare()  # sign-in first, when it is set up (ui/auth.py)
