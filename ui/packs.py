"""The Board pack, printed once per plan, quarter and database, and shared by every viewer.

Printing takes several seconds of both cores. Kept per session, six viewers pressing
"Prepare" at once printed it six times and slowed every other page to seconds. So
the pack lives in one place for the whole server: the first press prints it, a press
in any other session meanwhile waits for that print and gets the same bytes, and a
new build (a new database version) starts afresh. Only a few packs are kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import streamlit as st

from tracker.project import Project
from tracker.report.pack import build_report_data, render_html, render_pdf
from tracker.status.quarters import FinancialQuarter
from ui.data import db_version

KEPT_PACKS = 4  # a pack is a few hundred kB; a Board looks at one or two quarters at a time


@dataclass
class PackSlot:
    """Where one pack is printed: the lock a second press waits on, and the result."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    pdf_and_html: tuple[bytes, bytes] | None = None


@st.cache_resource(max_entries=KEPT_PACKS, show_spinner=False)
def _slot(root: str, plan_id: str, quarter: str, version: tuple[int, int]) -> PackSlot:
    return PackSlot()


def _slot_for(project: Project, plan_id: str, quarter: FinancialQuarter) -> PackSlot:
    return _slot(str(project.root), plan_id, str(quarter), db_version(project.db_path))


def prepared_pack(project: Project, plan_id: str, quarter: FinancialQuarter) -> tuple[bytes, bytes] | None:
    """The pack's PDF and HTML if someone has already printed them for this database."""
    return _slot_for(project, plan_id, quarter).pdf_and_html


def board_pack(project: Project, plan_id: str, quarter: FinancialQuarter) -> tuple[bytes, bytes]:
    """The pack's PDF and HTML, printed now unless another session has (or is printing it)."""
    slot = _slot_for(project, plan_id, quarter)
    with slot.lock:
        if slot.pdf_and_html is None:
            data = build_report_data(project, plan_id, quarter)
            slot.pdf_and_html = (render_pdf(data), render_html(data).encode("utf-8"))
        return slot.pdf_and_html
