"""A metric's benchmark as its YAML says it (tracker/metrics/benchmark_definition.py): a value
or an organisation's rows, and the columns of the area's 95% interval, checked up front."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.metrics.definitions import load_metrics
from tracker.project import load_project

METRIC = """\
metrics:
  - id: smoking
    name: Smoking prevalence
    unit: percent
    direction: lower_is_better
    frequency: annual
{orgs}    benchmark: {benchmark}
    source:
      file: extracts/f.csv
      period: Time period
{org}      value: Value
"""


def _problems(root: Path, benchmark: str, org: str = "      org: Area Code\n", orgs: str = "") -> list[str]:
    folder = root / "data" / "metrics"
    folder.mkdir(parents=True)
    (root / "objectives").mkdir()
    (folder / "m.yaml").write_text(METRIC.format(benchmark=benchmark, org=org, orgs=orgs), encoding="utf-8")
    placed, problems = load_metrics(load_project(root))
    assert bool(placed) == (not problems)
    return [str(p) for p in problems]


@pytest.mark.parametrize("benchmark", [
    "{org: E92000001}",
    "{org: E92000001, name: England, lower: Lower CI 95.0 limit, upper: Upper CI 95.0 limit}",
    "{value: England value}",
    "{value: 13.2, lower: Lower CI 95.0 limit, upper: Upper CI 95.0 limit}",
])
def test_a_benchmark_from_a_column_a_number_or_an_organisations_rows(tmp_path: Path, benchmark: str) -> None:
    assert _problems(tmp_path, benchmark) == []


@pytest.mark.parametrize(("benchmark", "message"), [
    ("{name: England}", "benchmark needs 'value' (a column or a number) or 'org' (the organisation "
                        "whose rows are the benchmark, e.g. E92000001 for England)"),
    ("{value: England value, org: E92000001}",
     "benchmark needs 'value' or 'org', not both: with 'org' the benchmark's value is the metric's "
     "value on that organisation's rows"),
    ("{org: E92000001, lower: Lower CI 95.0 limit}",
     "benchmark needs both 'lower' and 'upper' (the columns of the area's 95% confidence interval), "
     "or neither"),
])
def test_a_benchmark_says_where_its_value_and_the_areas_interval_are(
    tmp_path: Path, benchmark: str, message: str
) -> None:
    assert _problems(tmp_path, benchmark) == [f"data/metrics/m.yaml:7: {message}"]


def test_a_confidence_limit_is_a_column_not_a_number(tmp_path: Path) -> None:
    """A fixed interval would be the same every period: the limits are the area's, from its rows."""
    assert _problems(tmp_path, "{org: E92000001, lower: 12.1, upper: 14.3}") == [
        f"data/metrics/m.yaml:7: {role} is a number: name the column holding the area's {role} 95% "
        f"confidence limit on each row, e.g. '{role.title()} CI 95.0 limit'"
        for role in ("lower", "upper")]


def test_an_organisations_rows_need_the_org_column(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "{org: E92000001}", org="")
    assert problem.endswith("benchmark org 'E92000001' needs the source's 'org' column, to tell its "
                            "rows from the area's")


def test_an_organisation_is_not_its_own_benchmark(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "{org: E08000014}", orgs="    orgs: [E08000014]\n")
    assert problem.endswith("benchmark org 'E08000014' is also in 'orgs': an organisation cannot be "
                            "its own benchmark")
