"""A metric's benchmark, as its YAML says it: what the area is compared with, period by period.

Kept apart from the rest of the definitions (`tracker.metrics.definitions`) because the
benchmark has its own rules: where its value comes from (a column of the area's row, a
fixed number, or another organisation's rows of the same extract), and which columns hold
the area's confidence interval. The comparison itself is `tracker.metrics.benchmarking`'s.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from tracker.plans.models import Strict, Text


def _finite_or_text(value: object) -> object:
    """A benchmark is a column's name or a number: a finite one (`.inf` would reach the charts)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"'{value}' is not a finite number: write a number or a column name")
    return value


ColumnOrNumber = Annotated[str | float, BeforeValidator(_finite_or_text)]


def _a_column_not_a_number(value: object, info: ValidationInfo) -> object:
    """A confidence limit differs from period to period: it is a column of the area's rows."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        role = info.field_name or "lower"
        raise ValueError(f"is a number: name the column holding the area's {role} 95% confidence "
                         f"limit on each row, e.g. '{role.title()} CI 95.0 limit'")
    return value


Column = Annotated[Text, BeforeValidator(_a_column_not_a_number)]


class Benchmark(Strict):
    """What the area is compared with, period by period (England, by default).

    The benchmark's value comes from a column (or a fixed number) on the area's own row
    (`value`), or from another organisation's rows of the same extract (`org`, e.g.
    England's E92000001 rows of an OHID Fingertips export): for each period, the metric's
    value on that organisation's row that the metric's `filter` keeps. `lower` and `upper`
    name the columns holding the *area's* 95% confidence limits. The comparison is OHID
    Fingertips' for indicators compared by confidence intervals: similar when the
    benchmark's value lies within the area's interval (limits included), else better or
    worse by the metric's direction; not compared without the interval, without a
    benchmark value for the period, or for a neutral metric.
    """

    name: Text = Field("England", description="The benchmark's name, shown beside the comparison.")
    value: ColumnOrNumber | None = Field(
        None, description="The benchmark's value on the area's own row: a column name, or a fixed "
                          "number. Not with 'org'.",
    )
    org: Text | None = Field(
        None, description="The organisation code whose rows of the same extract are the benchmark, "
                          "e.g. E92000001 for England: its value for a period is the metric's value on "
                          "that organisation's row for the period (a row the metric's filter keeps). "
                          "Those rows are not the area's data: they are counted as filtered. Not with "
                          "'value'.",
    )
    lower: Column | None = Field(
        None, description="The column holding the area's lower 95% confidence limit, e.g. 'Lower CI "
                          "95.0 limit'. With 'org', the benchmark's own limit is read from the same "
                          "column of its row. The area is similar to the benchmark when the benchmark's "
                          "value lies within the area's interval, else better or worse by the metric's "
                          "direction; without an interval it is not compared.",
    )
    upper: Column | None = Field(
        None, description="The column holding the area's upper 95% confidence limit, e.g. 'Upper CI "
                          "95.0 limit' (see 'lower').",
    )

    @model_validator(mode="after")
    def _one_value_and_both_limits(self) -> Benchmark:
        if self.value is None and self.org is None:
            raise ValueError("needs 'value' (a column or a number) or 'org' (the organisation whose "
                             "rows are the benchmark, e.g. E92000001 for England)")
        if self.value is not None and self.org is not None:
            raise ValueError("needs 'value' or 'org', not both: with 'org' the benchmark's value is "
                             "the metric's value on that organisation's rows")
        if (self.lower is None) != (self.upper is None):
            raise ValueError("needs both 'lower' and 'upper' (the columns of the area's 95% "
                             "confidence interval), or neither")
        return self


def check_benchmark_org(benchmark: Benchmark | None, org_column: str | None,
                        orgs: list[str] | None) -> None:
    """A benchmark taken from an organisation's rows needs the extract's organisation column
    (to tell its rows from the area's), and is not one of the organisations the metric is
    shown for (an organisation is never its own benchmark)."""
    if benchmark is None or benchmark.org is None:
        return
    if org_column is None:
        raise ValueError(f"benchmark org '{benchmark.org}' needs the source's 'org' column, to tell "
                         "its rows from the area's")
    if orgs and benchmark.org in orgs:
        raise ValueError(f"benchmark org '{benchmark.org}' is also in 'orgs': an organisation cannot "
                         "be its own benchmark")
