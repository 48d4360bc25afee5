"""What is wrong in settings.yaml: unknown settings (with the nearest known name), values of
the wrong kind (said with the default's form), and values a setting cannot hold. The plans'
catalogue reads the file and lists these with the plans' problems."""

from __future__ import annotations

import datetime as dt
import difflib

from tracker.plans.problems import Problem
from tracker.plans.yamlio import LocatedDocument
from tracker.project import DEFAULT_SETTINGS
from tracker.report.cover import meeting_dates
from tracker.status.rag import EXCEPTION_WIDENINGS


def settings_problems(doc: LocatedDocument) -> list[Problem]:
    """Each problem of the settings file read as `doc`, at its line."""
    if doc.data is None:
        return []
    if not isinstance(doc.data, dict):
        return [Problem(doc.path, 1, "should be a set of 'key: value' lines")]
    problems = []
    for key, value in doc.data.items():
        if key not in DEFAULT_SETTINGS:
            close = difflib.get_close_matches(str(key), list(DEFAULT_SETTINGS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(Problem(doc.path, doc.line_of((key,)), f"unknown setting '{key}'{hint}"))
        elif not _same_kind(value, DEFAULT_SETTINGS[key]):
            wanted = DEFAULT_SETTINGS[key]
            problems.append(Problem(doc.path, doc.line_of((key,)),
                                    f"setting '{key}' should look like {wanted!r}, not {value!r}"))
        else:
            problems.extend(Problem(doc.path, doc.line_of((key,)), message)
                            for message in _setting_problems(key, value))
    return problems


def _setting_problems(key: str, value: object) -> list[str]:
    """What is wrong with the values of a setting whose kind is right."""
    if key == "exceptions_include" and isinstance(value, list):
        return [f"setting 'exceptions_include' may hold {', '.join(EXCEPTION_WIDENINGS)}, "
                f"not '{v}'" for v in value if v not in EXCEPTION_WIDENINGS]
    if key == "board_meeting_dates" and isinstance(value, list):
        try:
            meeting_dates(value)
        except ValueError as exc:
            return [str(exc)]
    return []


def _same_kind(value: object, default: object) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, list):  # a list of words or of dates (YAML reads 2024-05-15 as one)
        return isinstance(value, list) and all(isinstance(v, str | dt.date) for v in value)
    return isinstance(value, type(default))
