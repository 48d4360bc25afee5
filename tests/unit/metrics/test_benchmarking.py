"""The comparison with a benchmark (tracker/metrics/benchmarking.py): OHID Fingertips' rule for
indicators compared by 95% confidence intervals."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tracker.metrics.benchmarking import compare_to_benchmark, compared_points


@pytest.mark.parametrize(("direction", "benchmark", "lower", "upper", "expected"), [
    # the benchmark's value within the area's interval, limits included: similar
    ("higher_is_better", 75.0, 73.0, 79.0, "similar"),
    ("higher_is_better", 73.0, 73.0, 79.0, "similar"),
    ("lower_is_better", 79.0, 73.0, 79.0, "similar"),
    # the area's interval wholly above the benchmark
    ("higher_is_better", 72.9, 73.0, 79.0, "better"),
    ("lower_is_better", 72.9, 73.0, 79.0, "worse"),
    # wholly below
    ("higher_is_better", 79.1, 73.0, 79.0, "worse"),
    ("lower_is_better", 79.1, 73.0, 79.0, "better"),
    # nothing to compare: no interval (or half of one), no benchmark, no direction
    ("higher_is_better", 75.0, None, None, "not_compared"),
    ("higher_is_better", 75.0, 73.0, None, "not_compared"),
    ("higher_is_better", None, 73.0, 79.0, "not_compared"),
    ("higher_is_better", math.nan, 73.0, 79.0, "not_compared"),
    ("higher_is_better", 75.0, math.nan, 79.0, "not_compared"),
    ("higher_is_better", math.inf, 73.0, 79.0, "not_compared"),
    ("neutral", 75.0, 73.0, 79.0, "not_compared"),
])
def test_the_benchmark_against_the_areas_95_percent_interval(
    direction: str, benchmark: float | None, lower: float | None, upper: float | None, expected: str
) -> None:
    assert compare_to_benchmark(direction, benchmark, lower, upper) == expected


def test_each_point_is_compared_in_the_series_order() -> None:
    series = pd.DataFrame({"period": pd.date_range("2021-01-01", periods=3, freq="YS"),
                           "value": [80.0, 70.0, 76.0], "benchmark_value": [75.0, 75.0, None],
                           "lower_ci": [78.0, 68.0, 73.0], "upper_ci": [82.0, 72.0, 79.0]})
    compared = compared_points("higher_is_better", series).astype(object)
    assert compared.where(compared.notna(), None).to_dict(orient="list") == {
        "benchmark": [75.0, 75.0, None], "lower_ci": [78.0, 68.0, 73.0], "upper_ci": [82.0, 72.0, 79.0],
        "compared_to_benchmark": ["better", "worse", "not_compared"]}


def test_a_series_without_benchmark_columns_is_not_compared() -> None:
    series = pd.DataFrame({"period": [pd.Timestamp("2024-01-01")], "value": [1.0]})
    compared = compared_points("lower_is_better", series)
    assert compared["compared_to_benchmark"].tolist() == ["not_compared"]
    assert compared["benchmark"].isna().tolist() == [True]
