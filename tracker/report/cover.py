"""The Board paper's cover: the meeting date and the optional fields of the Board's template.

Kept apart from the report so that `validate` can check the settings without loading it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

logger = logging.getLogger(__name__)

NO_MEETING_DATE = "Meeting date not set"

# The Board template's optional cover fields: (setting, heading), in the template's order.
# A field left empty in the settings is left off the cover.
COVER_FIELDS = (
    ("report_board_assurance_framework", "Board Assurance Framework"),
    ("report_risk_register", "Risk register"),
    ("report_financial_implications", "Financial implications"),
    ("report_legal_implications", "Legal implications"),
    ("report_equality_implications", "Equality implications"),
)


def meeting_dates(values: Iterable[object]) -> list[dt.date]:
    """The `board_meeting_dates` setting as dates (YAML gives a date, or a quoted YYYY-MM-DD)."""
    found = []
    for value in values:
        if isinstance(value, dt.date):
            found.append(value)
            continue
        try:
            found.append(dt.date.fromisoformat(str(value).strip()))
        except ValueError:
            raise ValueError(f"board_meeting_dates: '{value}' is not a date; write it as "
                             "YYYY-MM-DD, e.g. 2024-05-15") from None
    return sorted(found)


def format_date(day: dt.date) -> str:
    return f"{day:%-d %B %Y}"


def meeting_date(given: str | None, settings: Mapping[str, Any], quarter_end: dt.date) -> str:
    """The meeting's date as the cover says it: `given` (from `report --meeting-date`; an
    ISO date is written out in words), else the first of `board_meeting_dates` after the
    quarter's end, else that none is known."""
    if given and given.strip():
        try:
            return format_date(dt.date.fromisoformat(given.strip()))
        except ValueError:
            return given.strip()
    try:
        known = meeting_dates(settings.get("board_meeting_dates") or [])
    except ValueError:  # `validate` names the line; the cover says plainly that none is known
        logger.warning("the board_meeting_dates setting cannot be read", exc_info=True)
        known = []
    after = [day for day in known if day > quarter_end]
    return format_date(after[0]) if after else NO_MEETING_DATE


def cover_fields(settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The optional cover fields the settings fill in, as (heading, text)."""
    return [(heading, str(settings.get(key) or "").strip()) for key, heading in COVER_FIELDS
            if str(settings.get(key) or "").strip()]
