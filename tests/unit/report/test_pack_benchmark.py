"""The Board pack shows each headline metric's comparison with its benchmark ("Similar to
England"), in the scorecard's words (`tracker.metrics.scorecard_words.benchmark_label`), and
nothing for a metric without a benchmark."""

from __future__ import annotations

import csv
import shutil

import pytest

from tests.conftest import TESTDATA, copy_project
from tests.ipr_html import summary_rows
from tracker.db.build import build
from tracker.project import load_project
from tracker.report.pack import build_report_data, render_html
from tracker.status.quarters import parse_quarter

FINGERTIPS = TESTDATA / "extracts" / "fingertips_compared_to_england.csv"
SOURCE = """      file: extracts/fingertips.csv
      period: Time period
      org: Area Code
      value: Value
      filter: "\\"Indicator ID\\" = '90366'"
"""
METRICS = """metrics:
  - id: life-expectancy-male
    name: Life expectancy at birth (male)
    unit: rate
    direction: higher_is_better
    frequency: annual
    headline: true
    orgs: [E08000014]
    benchmark: {org: E92000001, name: England, lower: Lower CI 95.0 limit, upper: Upper CI 95.0 limit}
    source:
{source}  - id: life-expectancy-unbenchmarked
    name: Life expectancy at birth (male), no benchmark
    unit: rate
    direction: higher_is_better
    frequency: annual
    headline: true
    orgs: [E08000014]
    source:
{source}"""


@pytest.fixture(scope="module")
def pack_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = copy_project(TESTDATA / "minimal", tmp_path_factory.mktemp("pack") / "minimal")
    (root / "data" / "extracts").mkdir(parents=True)
    shutil.copy(FINGERTIPS, root / "data" / "extracts" / "fingertips.csv")
    (root / "data" / "metrics").mkdir()
    metrics = METRICS.replace("{source}", SOURCE)
    (root / "data" / "metrics" / "fingertips.yaml").write_text(metrics, encoding="utf-8")
    project = load_project(root)
    build(project)
    return render_html(build_report_data(project, "demo-plan", parse_quarter("2022-23 Q4")))


def _expected_words() -> str:
    """Sefton's latest (2020 - 22) comparison with England, as the file's own column says it."""
    with FINGERTIPS.open(newline="", encoding="utf-8") as handle:
        [row] = [r for r in csv.DictReader(handle) if r["Indicator ID"] == "90366"
                 and r["Area Code"] == "E08000014" and r["Time period"] == "2020 - 22"]
    verdict = row["Compared to England value or percentiles"]
    return {"Similar": "Similar to England", "Better": "Better than England",
            "Worse": "Worse than England"}[verdict]


def test_a_metric_with_a_benchmark_shows_its_comparison_in_the_pack(pack_html: str) -> None:
    rows = {r.key: r for r in summary_rows(pack_html)}
    words = _expected_words()
    assert words in rows["life-expectancy-male@E08000014"].cells[3]
    assert f"<strong>Life expectancy at birth (male)</strong> · E08000014 · {words}</p>" in pack_html


def test_a_metric_without_a_benchmark_shows_no_comparison(pack_html: str) -> None:
    rows = {r.key: r for r in summary_rows(pack_html)}
    value = rows["life-expectancy-unbenchmarked@E08000014"].cells[3]
    assert "England" not in value and "Not compared" not in value
    assert "no benchmark</strong> · E08000014</p>" in pack_html


def test_the_pack_names_a_pooled_period_as_published(pack_html: str) -> None:
    """Life expectancy's latest period, 2020 - 22, is stored at 2022 and shown as published."""
    rows = {r.key: r for r in summary_rows(pack_html)}
    assert rows["life-expectancy-male@E08000014"].cells[2] == "2020 - 22"
    assert "Jan 2022" not in pack_html
