"""The typed model of plans, areas, objectives, milestones, targets and updates.

Strict on purpose: an unknown key is an error (a misspelt `target_dte` would
otherwise be silently ignored and the objective would show "no date").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from tracker.status.quarters import FIRST_YEAR, LAST_YEAR, parse_quarter

RAG_VALUES = ("red", "amber", "green", "blue")
Rag = Literal["red", "amber", "green", "blue"]
Unit = Literal["percent", "count", "rate", "days", "currency", "ratio", "score"]

# [0-9], not \d: \d also matches other scripts' digits (LW-CAN-٠١), which no id or month uses.
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_YEAR = re.compile(r"^[0-9]{4}$")
_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9]{2,3}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class MonthError(ValueError):
    """A value that is not a YYYY-MM month (reported in plain words)."""


def _month_text(value: object) -> object:
    """YAML reads 2024-03-01 as a date: accept it as its month rather than fail."""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m")
    return value


def _check_year(value: str, year: int) -> None:
    """Refuse a year no plan speaks of (0000, 9999): Python's dates would fail on it later."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"'{value}' has the year {year}, outside {FIRST_YEAR} to {LAST_YEAR}: "
                         "check the year")


def _check_month(value: str) -> str:
    match = _MONTH.match(value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise MonthError(f"'{value}' is not a month: write it as YYYY-MM, for example 2024-03")
    _check_year(value, int(match.group(1)))
    return value


def _check_date(value: dt.date) -> dt.date:
    _check_year(value.isoformat(), value.year)
    return value


def _due_text(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _month_text(value)


def _check_due(value: str) -> str:
    if _YEAR.match(value):
        _check_year(value, int(value))
        return value
    try:
        return _check_month(value)
    except MonthError:
        raise MonthError(
            f"'{value}' is not a month or a year: write YYYY-MM (2024-03), "
            "or YYYY (2028) where the plan gives only a year"
        ) from None


def _lead_ids(value: object) -> object:
    """`lead: some-id` is one person; `lead: null` none; a list names several."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


def _check_quarter(value: str) -> str:
    return str(parse_quarter(value))


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            f"'{value}' is not an objective id: use capitals, digits and dashes "
            "ending in a number, for example LW-CAN-01"
        )
    return value


def _check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            f"'{value}' is not a valid id: use lower-case letters, digits and dashes, "
            "for example live-well-cancer"
        )
    return value


def _editor_pattern(pattern: str, example: str) -> Any:
    """The pattern editors check as the lead types (the validators say it in words)."""
    return Field(json_schema_extra={"pattern": pattern, "examples": [example]})


Month = Annotated[
    str, BeforeValidator(_month_text), AfterValidator(_check_month),
    _editor_pattern(r"^\d{4}-(0[1-9]|1[0-2])$", "2024-03"),
]
Due = Annotated[
    str, BeforeValidator(_due_text), AfterValidator(_check_due),
    _editor_pattern(r"^\d{4}(-(0[1-9]|1[0-2]))?$", "2024-03"),
]
Quarter = Annotated[
    str, AfterValidator(_check_quarter),
    _editor_pattern(r"^\d{4}-\d{2} Q[1-4]$", "2023-24 Q2"),
]
ObjectiveId = Annotated[str, AfterValidator(_check_id), _editor_pattern(_ID.pattern, "LW-CAN-01")]
Slug = Annotated[str, AfterValidator(_check_slug), _editor_pattern(_SLUG.pattern, "live-well-cancer")]
Text = Annotated[str, Field(min_length=1)]
Date = Annotated[dt.date, AfterValidator(_check_date)]


class Strict(BaseModel):
    """Base for every model read from YAML: unknown keys are errors."""

    # allow_inf_nan=False: `.inf` or `.nan` as a target, baseline or tolerance would reach the
    # charts as NaN and blank them; every number read from a file must be finite.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True,
                              allow_inf_nan=False)


class SignOff(Strict):
    """An organisation's sign-off of a quarterly update (the plan is joint)."""

    org: Text = Field(description="The organisation signing off, e.g. Sefton Council.")
    by: Text = Field(description="Who signed it off.")
    on: Date = Field(description="The date of sign-off, YYYY-MM-DD.")


class Update(Strict):
    """A lead's quarterly update on one objective."""

    quarter: Quarter = Field(description="The financial quarter, e.g. 2023-24 Q2.")
    rag: Rag = Field(description="red, amber, green, or blue (complete).")
    commentary: Text = Field(description="What happened this quarter.")
    mitigations: str | None = Field(None, description="What is being done about any risk.")
    updated_by: str | None = Field(None, description="Who wrote the update.")
    updated_on: Date | None = Field(None, description="When, YYYY-MM-DD.")
    signoffs: list[SignOff] = Field(default_factory=list, description="Sign-offs received.")


class Milestone(Strict):
    """A dated step on the way to an objective."""

    description: Text
    due: Due = Field(description="YYYY-MM, or YYYY where the plan gives only a year.")
    completed: Month | None = Field(None, description="The month it was done, YYYY-MM.")


class Target(Strict):
    """A numeric target named in the plan's text."""

    measure: Text = Field(description="What is measured.")
    value: float = Field(description="The target value (a number: 66.7, not '66.7%').")
    unit: Unit
    baseline: float | None = Field(None, description="The starting value, where published.")
    due: Due = Field(description="YYYY-MM, or YYYY where the plan gives only a year.")
    metric: str | None = Field(None, description="The id of the metric that tracks it.")


class Objective(Strict):
    """One objective of a plan, as published, plus what leads add."""

    id: ObjectiveId = Field(description="Stable id, unique across all plans, e.g. LW-CAN-01.")
    objective: Text = Field(description="The published objective text, word for word.")
    impacts: list[Text] = Field(default_factory=list, description="Published impact bullets.")
    timeframe: Text = Field(description="The published timeframe cell, word for word.")
    target_date: Month | None = Field(
        description="The target month, YYYY-MM, or null where the plan sets no date."
    )
    actions: list[Text] = Field(default_factory=list, description="Actions we are taking.")
    rationale: str | None = Field(None, description="Why we are doing it.")
    milestones: list[Milestone] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    lead: Annotated[list[Text], BeforeValidator(_lead_ids)] = Field(
        default_factory=list,
        description="The ids of the people (objectives/people.yaml) who report on this objective.",
    )
    lead_as_published: str | None = Field(
        None, description="The lead as the plan prints it, word for word (kept for fidelity)."
    )
    lead_email: str | None = Field(
        None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="The lead's e-mail, for reminders."
    )
    partners: list[Text] = Field(default_factory=list)
    metrics: list[Text] = Field(default_factory=list, description="Ids of linked metrics.")
    risks: list[Text] = Field(default_factory=list)
    notes: str | None = Field(None, description="Editorial notes (not published text).")
    updates: list[Update] = Field(default_factory=list, description="One per quarter.")


class AreaFile(Strict):
    """The contents of one area's YAML file."""

    objectives: list[Objective]


class Area(Strict):
    id: Slug = Field(description="The area file's name without .yaml.")
    name: Text
    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")] = Field(
        description="Prefix of the area's objective ids, e.g. LW-CAN."
    )


class Group(Strict):
    id: Slug
    name: Text
    areas: list[Area] = Field(min_length=1)


class Theme(Strict):
    id: Slug
    name: Text
    description: str | None = None


class Period(Strict):
    start: Month
    end: Month


class Plan(Strict):
    """A plan's `plan.yaml`: what it is, and how its areas are grouped."""

    id: Slug = Field(description="Must equal the plan's folder name.")
    name: Text
    owner: Text
    period: Period
    source: str | None = None
    vision: str | None = None
    themes: list[Theme] = Field(default_factory=list)
    groups: list[Group] = Field(min_length=1)


class ExampleUpdate(Update):
    """An example update: the same fields as a real one, plus its objective."""

    objective: ObjectiveId


class ExampleFile(Strict):
    """An overlay of example updates, shown only with the example-data banner."""

    example: Literal[True] = Field(description="Must be true: these updates are examples.")
    note: Text = Field(description="Says where the examples came from.")
    updates: list[ExampleUpdate]
