"""The comparison with a benchmark (England, by default), as OHID Fingertips makes it for
indicators compared by confidence intervals: the one rule every view uses.

The area is *similar* to the benchmark when the benchmark's value lies within the area's
95% confidence interval (limits included); otherwise it is *better* or *worse* by the
metric's direction (its interval wholly above the benchmark is better when higher is
better). Without both limits, without a benchmark value, or for a metric with no
direction, it is *not compared*: a value alone says nothing about whether a difference is
more than chance, so no verdict is given (Fingertips writes "Not compared" then too).
"""

from __future__ import annotations

import math
from typing import Literal, SupportsFloat

import pandas as pd

Comparison = Literal["better", "similar", "worse", "not_compared"]
COMPARISONS: tuple[Comparison, ...] = ("better", "similar", "worse", "not_compared")
# The point columns the comparison reads and writes (`compared_points`).
POINT_COLUMNS = ("benchmark", "lower_ci", "upper_ci", "compared_to_benchmark")


def _number(value: object) -> float | None:
    """A finite float, or None for a missing (None, NaN, NA) or infinite one."""
    if isinstance(value, str | bool) or not isinstance(value, SupportsFloat):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):  # pandas' NA says it is a number, and is not one
        return None
    return number if math.isfinite(number) else None


def compare_to_benchmark(direction: str, benchmark: object, lower_ci: object,
                         upper_ci: object) -> Comparison:
    """better / similar / worse / not_compared: the benchmark's value against the area's 95%
    confidence interval, by the metric's direction (higher_is_better or lower_is_better)."""
    value, lower, upper = _number(benchmark), _number(lower_ci), _number(upper_ci)
    if value is None or lower is None or upper is None or direction not in (
            "higher_is_better", "lower_is_better"):
        return "not_compared"
    if lower <= value <= upper:
        return "similar"
    area_above = lower > value
    return "better" if area_above == (direction == "higher_is_better") else "worse"


def compared_points(direction: str, series: pd.DataFrame) -> pd.DataFrame:
    """Each point's benchmark, the area's interval and the comparison, one row per point of
    `series` (in its order), from its `benchmark_value`, `lower_ci` and `upper_ci` columns
    (missing columns count as unknown)."""
    def column(name: str) -> list[object]:
        return list(series[name]) if name in series else [None] * len(series)

    values, lowers, uppers = column("benchmark_value"), column("lower_ci"), column("upper_ci")
    return pd.DataFrame({
        "benchmark": [_number(v) for v in values],
        "lower_ci": [_number(v) for v in lowers],
        "upper_ci": [_number(v) for v in uppers],
        "compared_to_benchmark": [compare_to_benchmark(direction, v, lo, up)
                                  for v, lo, up in zip(values, lowers, uppers, strict=True)],
    }, index=series.index)
