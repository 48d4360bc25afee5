"""Who is looking at the dashboard: Streamlit's sign-in (OpenID Connect) and the register.

Sign-in is configured under `[auth]` in `.streamlit/secrets.toml` (see the README:
Microsoft Entra ID is the worked example). Without it the dashboard is read-only.
An identity is trusted only when sign-in is configured and Streamlit says the visitor
is logged in: `st.user` alone is never taken as proof of who someone is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from tracker.access.people import Person
from tracker.plans.catalogue import load_people
from tracker.project import Project
from ui.widgets import plain

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Visitor:
    """The person at the browser, as far as the dashboard can tell."""

    sign_in_configured: bool
    signed_in: bool
    email: str | None
    person: Person | None  # None: not signed in, or not in objectives/people.yaml


def sign_in_configured() -> bool:
    """Whether `[auth]` is in the secrets (no secrets file at all is the usual read-only case)."""
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError as exc:  # no file, or one Streamlit cannot parse
        if str(exc).startswith("No secrets found"):
            logger.debug("no secrets file: sign-in is not configured")
        else:  # a broken secrets.toml must not pass for "not configured" unseen
            logger.warning("the secrets file cannot be read: sign-in is off", exc_info=True)
        return False


def visitor(project: Project) -> Visitor:
    configured = sign_in_configured()
    signed_in = configured and st.user.get("is_logged_in") is True
    email = st.user.get("email") if signed_in else None
    person = load_people(project).by_email(email) if isinstance(email, str) else None
    return Visitor(configured, signed_in, email if isinstance(email, str) else None, person)


def sign_in_button(label: str = "Sign in", key: str = "sign_in") -> None:
    st.button(label, on_click=st.login, icon=":material/login:", key=key)


def gate(project: Project) -> bool:
    """Show the sidebar's identity; False (after saying why) when this visitor may not view."""
    who = visitor(project)
    if not who.sign_in_configured:
        st.sidebar.caption("Read-only: sign-in is not set up here, so nothing can be changed "
                           "from the dashboard.")
        return True
    if not who.signed_in:
        if project.settings["require_sign_in"]:
            st.title("Sefton Partnership plan tracker")
            st.info("Sign in with your organisation's account to see the tracker.",
                    icon=":material/lock:")
            sign_in_button()
            return False
        st.sidebar.caption("Reading without signing in.")
        with st.sidebar:
            sign_in_button("Sign in to update", key="sign_in_sidebar")
        return True
    if who.person is None and not project.settings["unregistered_may_read"]:
        st.title("Sefton Partnership plan tracker")
        st.error(f"{plain(who.email or '')} is signed in but is not in the tracker's people register, so "
                 "this dashboard is not open to it. Ask the programme office to add you.",
                 icon=":material/block:")
        st.button("Sign out", on_click=st.logout, key="sign_out")
        return False
    name = who.person.name if who.person else who.email
    roles = ", ".join(who.person.roles) if who.person else "not in the people register: read only"
    st.sidebar.caption(f"Signed in as **{plain(name or '')}** ({plain(roles)}).")
    st.sidebar.button("Sign out", on_click=st.logout, key="sign_out")
    return True
