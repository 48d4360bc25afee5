"""Points made of several rows of an extract, described in YAML: a long file's numerator and
denominator on rows of their own, and organisations added into one.

NHS Digital's Recorded Dementia Diagnoses file is long: one row per organisation, month and
measure (`ACH_DATE, ORG_TYPE, ORG_CODE, NAME, MEASURE, VALUE`). The diagnosis rate is the
register's row over the estimate's row, so each side of the ratio says which rows it reads:

    numerator: {value: "100 * VALUE", where: "MEASURE = 'DEMENTIA_REGISTER_65_PLUS'"}
    denominator: {value: VALUE, where: "MEASURE = 'DEMENTIA_ESTIMATE_65_PLUS'"}

and the two are matched by organisation and period. Sefton is two sub-ICB locations, so
`combine: {SEFTON: [01T, 01V]}` adds their numerators and denominators (or their counts)
into one organisation before dividing. A rate given as `value` is never added or averaged:
`combine` with `value` is refused unless the metric's unit says it is a count (`count` or
`currency`, the units whose values add up).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Annotated

from pydantic import BeforeValidator, Field

from tracker.metrics.sqlguard import UnsafeExpression
from tracker.plans.models import Strict, Text

if TYPE_CHECKING:
    from tracker.metrics.definitions import Source

# The units whose values add up across organisations: a count of people, an amount of money.
ADDITIVE_UNITS = ("count", "currency")


class RowsPick(Strict):
    """One side of a ratio: a column or expression, read in a long file from the rows `where` picks."""

    value: Text = Field(description="A column or an SQL expression over the columns, e.g. VALUE "
                                    "or 100 * VALUE.")
    where: Text | None = Field(None, description="An SQL condition picking this side's rows in a long "
                                                 "file, e.g. MEASURE = 'DEMENTIA_REGISTER_65_PLUS' "
                                                 "(checked as a filter is).")


def _plain_side(given: object) -> object:
    """The plain form, a column or expression (`numerator: seen`), read as {value: seen}: one
    model, so a mistake in the long form is reported against it alone."""
    return {"value": given} if isinstance(given, str) else given


Side = Annotated[RowsPick, BeforeValidator(_plain_side, json_schema_input_type=str | RowsPick)]
Combine = dict[Text, Annotated[list[Text], Field(min_length=1, max_length=500)]]


def side_value(side: RowsPick | str | None) -> str | None:
    """The column or expression a side (or `value`, `filter`: a plain text) reads."""
    return side.value if isinstance(side, RowsPick) else side


def side_where(side: RowsPick | str | None) -> str | None:
    """The condition picking a side's rows, or None when the side is read from every row."""
    return side.where if isinstance(side, RowsPick) else None


def check_long_and_combined(numerator: RowsPick | None, denominator: RowsPick | None, org: str | None,
                            combine: Combine | None) -> None:
    """Refuse what cannot be read: one side of a ratio on rows of its own and the other on
    every row, organisations combined with no organisation column, or a part in two places."""
    if (side_where(numerator) is None) != (side_where(denominator) is None):
        raise ValueError("gives 'where' to one side of the ratio only: in a long file give both "
                         "'numerator' and 'denominator' their own {value: ..., where: ...}, or "
                         "neither")
    if combine is None:
        return
    if org is None:
        raise ValueError("'combine' needs the organisation column: give 'org'")
    counts = Counter(part for parts in combine.values() for part in parts)
    twice = sorted(part for part, n in counts.items() if n > 1)
    if twice:
        raise ValueError(f"'combine' lists {', '.join(twice)} more than once: each organisation "
                         "goes into one combined organisation at most, once")


def combine_refusal(unit: str, value: str | None, combine: Combine | None) -> str | None:
    """Why `combine` cannot add this metric's values, or None if it can."""
    if combine is None or value is None or unit in ADDITIVE_UNITS:
        return None
    return (f"'combine' adds the organisations' values, but a {unit} given as 'value' is a rate: "
            "rates are never added or averaged. Give the rate's 'numerator' and 'denominator' "
            "(each is added over the organisations, then one is divided by the other), or, if "
            "the value is a count, say so with unit: count")


def source_expressions(source: Source) -> list[tuple[tuple[str, ...], str, str]]:
    """Each expression of a source: its place under `source`, the role it is checked as
    (a `where` as a filter), and its text."""
    found: list[tuple[tuple[str, ...], str, str]] = []
    for role in ("value", "numerator", "denominator", "filter"):
        given = getattr(source, role)
        if isinstance(given, RowsPick):  # (a plain text read as one: its `value` is found at the role's line)
            found.append(((role, "value"), role, given.value))
            if given.where is not None:
                found.append(((role, "where"), "filter", given.where))
        elif isinstance(given, str):
            found.append(((role,), role, given))
    return found


def as_where(exc: UnsafeExpression, side: str) -> UnsafeExpression:
    """A filter's refusal said of a side's `where` (it is checked as a filter is)."""
    return UnsafeExpression(str(exc).replace("the filter expression", f"the {side}'s where expression", 1))
