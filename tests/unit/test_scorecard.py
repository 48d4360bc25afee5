"""Metrics judged as at a date: the right chart, the target, travel, and sentences that explain."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.unit.test_cli import run_cli
from tracker.project import load_project
from tracker.scorecard import choose_method, evaluate, explain_special_causes, judge
from tracker.spc import spc

REPO = Path(__file__).resolve().parents[2]
CASES = json.loads((REPO / "tests/testdata/spc/plotthedots_cases.json").read_text())["cases"]


def _case(prefix: str) -> dict:
    return next(c for c in CASES if c["name"].startswith(prefix))


def test_spc_command_on_the_real_extract_agrees_with_the_reference() -> None:
    """RRK type-1 breaches, April 2016 to March 2018, loaded from the A&E extract as published."""
    case = _case("vignette intro: RRK type-1 breaches")
    result = run_cli(load_project(REPO), "spc", "--metric", "ae-type1-breaches", "--org", "RRK",
                     "--quarter", "2017-18 Q4")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert [p["value"] for p in record["points"]] == case["values"]
    assert [p["period"] for p in record["points"]] == case["dates"]
    derived = case["derived"]
    for key in ("mean", "lpl", "upl"):
        assert record["points"][-1][key] == pytest.approx(derived[key], rel=1e-9)
    assert [p["point_type"] for p in record["points"]] == derived["point_type"]
    assert record["variation_icon"] == derived["variation_icon"]
    assert record["assurance_icon"] is None
    assert record["method"] == "spc"
    assert "8 points in a row below the average since February 2017: special cause, improving." \
        in record["special_causes"]


def test_spc_command_refuses_unknown_metric_and_org() -> None:
    project = load_project(REPO)
    missing = run_cli(project, "spc", "--metric", "no-such-metric")
    assert missing.returncode == 1 and "there is no metric 'no-such-metric'" in missing.stderr
    no_org = run_cli(project, "spc", "--metric", "ae-type1-breaches", "--org", "XXX")
    assert no_org.returncode == 1 and "has no data for organisation 'XXX'" in no_org.stderr


@pytest.mark.parametrize(("frequency", "unit", "values", "method"), [
    ("monthly", "percent", [], "no_data"),
    ("monthly", "percent", [1.0] * 5, "target_only"),
    ("monthly", "percent", [1.0] * 11, "run_chart"),
    ("quarterly", "percent", [1.0] * 8, "run_chart"),
    ("monthly", "count", [8, 7, 8, 9, 7, 6, 7, 6, 6, 7, 6, 6, 6], "run_chart"),
    ("monthly", "percent", [1.0] * 12, "spc"),
])
def test_the_view_suits_the_data(frequency: str, unit: str, values: list, method: str) -> None:
    chosen, reason = choose_method(frequency, unit, values)
    assert chosen == method
    assert reason.endswith(".")


def test_tiny_counts_say_why_in_plain_english() -> None:
    _, reason = choose_method("monthly", "count", [8, 7, 8, 9, 7, 6, 7, 6, 6, 7, 6, 6, 6])
    assert "small counts" in reason and "run chart" in reason


@pytest.mark.parametrize(("direction", "value", "target", "tolerance", "verdict"), [
    ("higher_is_better", 66.7, 66.7, None, "met"),
    ("higher_is_better", 65.0, 66.7, 2.0, "within_tolerance"),
    ("higher_is_better", 64.0, 66.7, 2.0, "missed"),
    ("lower_is_better", 6.0, 6.0, None, "met"),
    ("lower_is_better", 7.0, 6.0, None, "missed"),
    ("neutral", 7.0, 6.0, None, None),
    ("higher_is_better", 7.0, None, None, None),
])
def test_metric_rag_against_target(direction: str, value: float, target: float | None,
                                   tolerance: float | None, verdict: str | None) -> None:
    assert judge(direction, value, target, tolerance) == verdict


def _definition(**overrides: object) -> dict:
    base = {"metric_id": "m", "name": "M", "unit": "percent", "direction": "higher_is_better",
            "frequency": "monthly", "is_example": True, "target_value": 75.0,
            "target_due": pd.Timestamp("2024-03-01"), "tolerance": 3.0}
    return {**base, **overrides}


def test_travel_against_previous_period_and_same_period_last_year() -> None:
    periods = pd.date_range("2022-04-01", periods=13, freq="MS")
    values = [70.0] * 12 + [72.0]
    values[-2] = 73.0
    series = pd.DataFrame({"period": periods, "value": values})
    view = evaluate(_definition(tolerance=2.0), series, pd.DataFrame(columns=["period", "value"]),
                    [], "Sefton")
    assert (view.vs_previous, view.vs_last_year) == ("worse", "improved")
    assert view.rag == "missed"
    assert "The latest value, 72.0% in April 2023, misses the target of 75.0% (due March 2024)." \
        in view.explanation


def test_trajectory_sets_the_target_for_the_period() -> None:
    series = pd.DataFrame({"period": pd.date_range("2023-04-01", periods=3, freq="MS"),
                           "value": [60.0, 62.0, 63.0]})
    trajectory = pd.DataFrame({"period": pd.to_datetime(["2023-04-01", "2023-06-01"]),
                               "value": [60.0, 64.0]})
    view = evaluate(_definition(), series, trajectory, [], "Sefton")
    assert view.target == 64.0 and view.rag == "within_tolerance"


def test_seven_rising_points_are_explained_as_a_trend() -> None:
    case = _case("derived: 7 rising points are a trend")
    result = spc([dt.date.fromisoformat(d) for d in case["dates"]], case["values"])
    sentences = explain_special_causes(result.points, "higher_is_better")
    assert any(s.startswith("7 points in a row rising since") and s.endswith("improving.")
               for s in sentences), sentences


@pytest.mark.parametrize(("direction", "value", "lower", "upper", "england", "verdict"), [
    ("higher_is_better", 80.0, 78.0, 82.0, 75.0, "better"),
    ("higher_is_better", 70.0, 68.0, 72.0, 75.0, "worse"),
    ("higher_is_better", 76.0, 73.0, 79.0, 75.0, "no_different"),
    ("lower_is_better", 80.0, 78.0, 82.0, 75.0, "worse"),
    ("higher_is_better", 80.0, None, None, 75.0, "better"),
    ("neutral", 80.0, 78.0, 82.0, 75.0, None),
])
def test_benchmark_against_england_uses_the_confidence_interval(
    direction: str, value: float, lower: float | None, upper: float | None, england: float,
    verdict: str | None,
) -> None:
    series = pd.DataFrame({"period": [pd.Timestamp("2024-03-01")], "value": [value],
                           "benchmark_value": [england], "benchmark_lower": [lower],
                           "benchmark_upper": [upper]})
    view = evaluate(_definition(direction=direction), series, pd.DataFrame(columns=["period", "value"]),
                    [], "Sefton")
    assert view.benchmark == verdict


def test_rebase_and_fixed_limits_declared_in_the_metric_yaml(minimal_project) -> None:
    """Limits restart only where the YAML says, and can be fixed from the first n points."""
    extracts = minimal_project.data_dir / "extracts"
    extracts.mkdir(parents=True)
    rows = [f"2022-{m:02d},{10 + (m % 3)}" for m in range(1, 13)]
    rows += [f"2023-{m:02d},{20 + (m % 3)}" for m in range(1, 13)]
    (extracts / "level.csv").write_text("month,value\n" + "\n".join(rows) + "\n")
    (minimal_project.data_dir / "metrics").mkdir()
    definition = ("metrics:\n  - id: level\n    name: Level\n    unit: count\n"
                  "    direction: higher_is_better\n    frequency: monthly\n{extra}"
                  "    source: {{file: extracts/level.csv, period: month, value: value}}\n")
    path = minimal_project.data_dir / "metrics" / "level.yaml"
    path.write_text(definition.format(extra="    rebase: [2023-01]\n"))
    record = json.loads(run_cli(minimal_project, "spc", "--metric", "level").stdout)
    assert {p["mean"] for p in record["points"][:12]} == {11.0}
    assert {p["mean"] for p in record["points"][12:]} == {21.0}
    path.write_text(definition.format(extra="    fix_after_n_points: 12\n"))
    record = json.loads(run_cli(minimal_project, "spc", "--metric", "level").stdout)
    assert {p["mean"] for p in record["points"]} == {11.0}
    assert record["points"][-1]["point_type"] == "special_cause_improvement"


def test_trial_limits_are_said_in_words() -> None:
    series = pd.DataFrame({"period": pd.date_range("2023-04-01", periods=12, freq="MS"),
                           "value": [70.0, 71, 69, 72, 70, 71, 70, 69, 72, 71, 70, 71]})
    view = evaluate(_definition(), series, pd.DataFrame(columns=["period", "value"]), [], "Sefton")
    assert view.method == "spc"
    assert "trial limits" in view.explanation


@pytest.mark.parametrize(("frequency", "opening"), [("annual", "An annual series"),
                                                     ("quarterly", "A quarterly series")])
def test_the_reason_for_a_run_chart_reads_as_english(frequency: str, opening: str) -> None:
    _, reason = choose_method(frequency, "percent", [1.0] * 8)
    assert reason.startswith(f"{opening} with 8 points")
