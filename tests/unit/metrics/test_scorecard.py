"""Metrics judged as at a date: the right chart, the target, travel, and sentences that explain."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.unit.test_cli import run_cli
from tracker.db.serving import ensure_built
from tracker.metrics.scorecard import choose_method, evaluate, fresh_from, judge, metric_views
from tracker.metrics.scorecard_view import ChartNote
from tracker.metrics.scorecard_words import benchmark_label, explain_special_causes, latest_label
from tracker.project import Project, load_project
from tracker.report.pack import build_report_data
from tracker.spc.xmr import spc
from tracker.status.objectives import objective_status
from tracker.status.quarters import parse_quarter

REPO = Path(__file__).resolve().parents[3]
CASES = json.loads((REPO / "tests/testdata/spc/plotthedots_cases.json").read_text())["cases"]


def _case(prefix: str) -> dict:
    return next(c for c in CASES if c["name"].startswith(prefix))


def test_spc_command_on_the_real_extract_agrees_with_the_reference(shipped_copy: Project) -> None:
    """RRK type-1 breaches, April 2016 to March 2018, loaded from the A&E extract as published."""
    case = _case("vignette intro: RRK type-1 breaches")
    result = run_cli(shipped_copy, "spc", "--metric", "ae-type1-breaches", "--org", "RRK",
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


def test_spc_command_refuses_unknown_metric_and_org(shipped_copy: Project) -> None:
    project = shipped_copy
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


@pytest.mark.parametrize(("direction", "value", "lower", "upper", "england", "verdict", "words"), [
    ("higher_is_better", 80.0, 78.0, 82.0, 75.0, "better", "Better than England"),
    ("higher_is_better", 70.0, 68.0, 72.0, 75.0, "worse", "Worse than England"),
    ("higher_is_better", 76.0, 73.0, 79.0, 75.0, "similar", "Similar to England"),
    ("lower_is_better", 80.0, 78.0, 82.0, 75.0, "worse", "Worse than England"),
    # without the area's interval a difference may be chance: Fingertips does not compare
    ("higher_is_better", 80.0, None, None, 75.0, "not_compared", "Not compared with England"),
    ("neutral", 80.0, 78.0, 82.0, 75.0, "not_compared", "Not compared with England"),
])
def test_benchmark_against_england_uses_the_areas_confidence_interval(
    direction: str, value: float, lower: float | None, upper: float | None, england: float,
    verdict: str, words: str,
) -> None:
    """The latest point's comparison is the rule of tracker.metrics.benchmarking, in words."""
    series = pd.DataFrame({"period": [pd.Timestamp("2024-03-01")], "value": [value],
                           "benchmark_value": [england], "lower_ci": [lower], "upper_ci": [upper]})
    view = evaluate(_definition(direction=direction, benchmark_name="England"), series,
                    pd.DataFrame(columns=["period", "value"]), [], "Sefton")
    assert view.benchmark == verdict
    assert benchmark_label(view) == words
    assert view.points["compared_to_benchmark"].tolist() == [verdict]
    assert view.points["benchmark"].tolist() == [england]


def test_a_metric_without_a_benchmark_shows_a_dash() -> None:
    series = pd.DataFrame({"period": [pd.Timestamp("2024-03-01")], "value": [80.0]})
    view = evaluate(_definition(), series, pd.DataFrame(columns=["period", "value"]), [], "Sefton")
    assert (view.benchmark, benchmark_label(view)) == (None, "—")
    assert view.points["compared_to_benchmark"].tolist() == ["not_compared"]


def test_a_benchmark_by_another_name_is_named() -> None:
    series = pd.DataFrame({"period": [pd.Timestamp("2024-03-01")], "value": [80.0],
                           "benchmark_value": [75.0], "lower_ci": [78.0], "upper_ci": [82.0]})
    view = evaluate(_definition(benchmark_name="North West"), series,
                    pd.DataFrame(columns=["period", "value"]), [], "Sefton")
    assert benchmark_label(view) == "Better than North West"


def test_spc_json_gives_each_points_benchmark_interval_and_comparison(minimal_project) -> None:
    """England's rows of a Fingertips export as the benchmark: every point says England's value,
    Sefton's 95% interval and the comparison, as the file's own 'Compared to England' says."""
    extracts = minimal_project.data_dir / "extracts"
    extracts.mkdir(parents=True)
    shutil.copy(REPO / "tests/testdata/extracts/fingertips_compared_to_england.csv", extracts / "ft.csv")
    (minimal_project.data_dir / "metrics").mkdir()
    (minimal_project.data_dir / "metrics" / "smoking.yaml").write_text(
        "metrics:\n  - id: smoking\n    name: Smoking prevalence\n    unit: percent\n"
        "    direction: lower_is_better\n    frequency: annual\n"
        "    benchmark: {org: E92000001, lower: Lower CI 95.0 limit, upper: Upper CI 95.0 limit}\n"
        "    source: {file: extracts/ft.csv, period: Time period, org: Area Code, value: Value,\n"
        "             filter: \"\\\"Indicator ID\\\" = '92443'\"}\n")
    result = run_cli(minimal_project, "spc", "--metric", "smoking", "--org", "E08000014", "--format", "json")
    assert result.returncode == 0, result.stderr
    points = json.loads(result.stdout)["points"]
    fields = ("period", "value", "benchmark", "lower_ci", "upper_ci", "compared_to_benchmark")
    assert [tuple(p[f] for f in fields) for p in points] == [
        ("2021-01-01", 12.91, 13.25, 9.79, 16.03, "similar"),
        ("2022-01-01", 14.87, 12.73, 11.42, 18.32, "similar"),
        ("2023-01-01", 9.12, 11.94, 6.57, 11.67, "better"),
    ]


def test_spc_json_of_a_metric_without_a_benchmark_compares_nothing(minimal_project) -> None:
    extracts = minimal_project.data_dir / "extracts"
    extracts.mkdir(parents=True)
    (extracts / "level.csv").write_text("month,value\n2023-01,1\n2023-02,2\n")
    (minimal_project.data_dir / "metrics").mkdir()
    (minimal_project.data_dir / "metrics" / "level.yaml").write_text(
        "metrics:\n  - id: level\n    name: Level\n    unit: count\n    direction: higher_is_better\n"
        "    frequency: monthly\n    source: {file: extracts/level.csv, period: month, value: value}\n")
    points = json.loads(run_cli(minimal_project, "spc", "--metric", "level").stdout)["points"]
    assert [(p["benchmark"], p["lower_ci"], p["upper_ci"], p["compared_to_benchmark"]) for p in points] == [
        (None, None, None, "not_compared")] * 2


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


# --- the place's own data, and only recent data as current ---------------------------------

AE_METRICS = ["ae-type1-4hr-performance", "ae-type1-attendances", "ae-type1-breaches"]
Q4_2023_24 = dt.date(2024, 3, 31)


def test_the_2023_24_q4_scorecard_shows_no_other_providers_2019_figures_as_current(
    shipped_copy: Project,
) -> None:
    """The A&E extract holds every provider in England up to March 2019. Before, each A&E
    metric showed R1F (the Isle of Wight, the first of the providers with most rows) with its
    March 2019 figure as the latest value; now each shows Sefton's own trusts, as no recent data."""
    ensure_built(shipped_copy)
    shown = metric_views(shipped_copy, Q4_2023_24, AE_METRICS)
    assert sorted((v.metric_id, v.org) for v in shown) == sorted(
        (m, org) for m in AE_METRICS for org in ("RVY", "REM"))
    for view in shown:
        assert view.is_stale
        assert latest_label(view) == "No recent data (latest Mar 2019)"
        assert (view.rag, view.vs_previous, view.variation_icon, view.assurance_icon) == (None,) * 4
        assert view.explanation.startswith("No recent data: the latest is for March 2019")


def test_a_metric_with_several_place_organisations_shows_each(shipped_copy: Project) -> None:
    """Both trusts have 48 months of no-criteria-to-reside data: both are shown, in the order the
    metric's `orgs:` names them, not one picked by an alphabetical tie-break."""
    ensure_built(shipped_copy)
    shown = metric_views(shipped_copy, Q4_2023_24, ["no-criteria-to-reside"])
    assert [v.org for v in shown] == ["Southport and Ormskirk", "Liverpool University"]
    assert all(v.latest_period == dt.date(2024, 3, 1) and not v.is_stale for v in shown)
    pack = build_report_data(shipped_copy, "sefton-plan-2023-25", parse_quarter("2023-24 Q4"))
    rows = [(r["org"], r["latest"]) for r in pack.scorecard if r["metric_id"] == "no-criteria-to-reside"]
    assert [org for org, _ in rows] == ["Southport and Ormskirk", "Liverpool University"]
    assert all(latest.endswith("(Mar 2024)") for _, latest in rows)


def test_no_place_organisation_in_the_extract_is_said_not_filled_in(shipped_copy: Project) -> None:
    shipped_copy.settings_path.write_text("place_orgs: [XYZ]\n")
    project = load_project(shipped_copy.root)
    ensure_built(project)
    [view] = metric_views(project, Q4_2023_24, ["ae-type1-breaches"])
    assert view.org is None and view.latest_value is None
    assert view.explanation.startswith("No data for the place's organisations (XYZ): the extract has "
                                       "data for 140 other organisation(s) only.")


def test_spc_without_org_uses_the_place_organisations(shipped_copy: Project) -> None:
    several = run_cli(shipped_copy, "spc", "--metric", "ae-type1-breaches")
    assert several.returncode == 1
    assert ("Metric ae-type1-breaches has data for 2 of the place's organisations: RVY, REM. "
            'Choose one with --org, e.g. --org "RVY".') in several.stderr
    one = run_cli(shipped_copy, "spc", "--metric", "dementia-diagnosis-rate", "--quarter", "2023-24 Q4")
    record = json.loads(one.stdout)
    assert (record["org"], record["latest_period"], record["stale"]) == ("Sefton", "2024-03-01", False)
    shipped_copy.settings_path.write_text("place_orgs: [REM]\n")
    record = json.loads(run_cli(shipped_copy, "spc", "--metric", "ae-type1-breaches",
                                "--quarter", "2023-24 Q4").stdout)
    assert (record["org"], record["latest_period"], record["stale"]) == ("REM", "2019-03-01", True)


@pytest.mark.parametrize(("as_at", "months", "first"), [
    (dt.date(2024, 3, 31), 3, dt.date(2023, 12, 1)),
    (dt.date(2024, 3, 31), 0, dt.date(2024, 3, 1)),
    (dt.date(2024, 1, 15), 24, dt.date(2022, 1, 1)),
])
def test_the_freshness_window_counts_back_from_the_as_at_month(
    as_at: dt.date, months: int, first: dt.date
) -> None:
    assert fresh_from(as_at, months) == first


def test_stale_data_is_not_judged_nor_evidence(shipped_copy: Project) -> None:
    """The example dementia data end in March 2025. At 2025-26 Q3 (31 December 2025) that is
    older than the monthly window of 3 months, so AW-DEM-02 no longer cites the metric; with a
    window of 12 months (the metric's own `freshness_months:`) it still does."""
    quarter = parse_quarter("2025-26 Q3")

    def reasons() -> list[str]:
        ensure_built(shipped_copy)  # the files as the test left them: reading never builds
        frame = objective_status(load_project(shipped_copy.root), quarter, "sefton-plan-2023-25")
        return list(frame.set_index("id").loc["AW-DEM-02", "reasons"])

    assert not [r for r in reasons() if r.startswith("Linked metric Dementia")]
    definitions = shipped_copy.data_dir / "metrics/examples.yaml"
    text = definitions.read_text()
    start = text.index("  - id: dementia-diagnosis-rate\n")
    at = text.index("    source:\n", start)
    definitions.write_text(text[:at] + "    freshness_months: 12\n" + text[at:])
    assert [r for r in reasons() if r.startswith("Linked metric Dementia diagnosis rate (65+)")]


# --- rebasing: the limits restart where the YAML says, and a sustained shift is pointed out ---

DEMENTIA_SUGGESTION = (
    "The last 9 points are all above the mean, since July 2023: if a change was made then, "
    "consider `rebase: [{period: 2023-07, reason: ...}]` in data/metrics/examples.yaml to "
    "recalculate the limits from there (nothing is rebased until you do).")


def test_the_dementia_shift_suggests_a_rebase_and_the_rebase_judges_on_the_latest_limits(
    shipped_copy: Project,
) -> None:
    """The shipped dementia series, 18 low points then 9 high ones on one 36-point baseline as
    at 2023-24 Q4: "improving" yet "will consistently fail" beside a value a point below target.
    The explanation suggests the rebase point in words and does not rebase; once the YAML
    rebases there with a reason, variation and assurance come from the new limits."""
    ensure_built(shipped_copy)
    [view] = metric_views(shipped_copy, Q4_2023_24, ["dementia-diagnosis-rate"])
    assert (view.variation_icon, view.assurance_icon) == ("improvement_high", "consistent_fail")
    assert view.rebase_suggestion == DEMENTIA_SUGGESTION
    assert view.explanation.endswith(DEMENTIA_SUGGESTION)
    assert view.rebases == [] and set(view.points["rebase_group"]) == {0}  # never on its own
    path = shipped_copy.data_dir / "metrics" / "examples.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(
        "    target: {value: 66.7, due: 2023-09, set_by: NHS England (national ambition)}\n",
        "    target: {value: 66.7, due: 2023-09, set_by: NHS England (national ambition)}\n"
        "    rebase: [{period: 2023-07, reason: Memory service extended to primary care}]\n", 1),
        encoding="utf-8")
    ensure_built(shipped_copy)
    [rebased] = metric_views(shipped_copy, Q4_2023_24, ["dementia-diagnosis-rate"])
    assert (rebased.variation_icon, rebased.assurance_icon) == ("common_cause", "inconsistent")
    assert [len(g) for _, g in rebased.points.groupby("rebase_group")] == [27, 9]
    assert rebased.rebase_suggestion is None
    assert ("The limits are recalculated from July 2023 (Memory service extended to primary "
            "care): variation and assurance are judged on the latest limits.") in rebased.explanation
    record = json.loads(run_cli(shipped_copy, "spc", "--metric", "dementia-diagnosis-rate",
                                "--quarter", "2023-24 Q4").stdout)
    assert record["rebases"] == [{"period": "2023-07",
                                  "reason": "Memory service extended to primary care"}]
    assert record["rebase_suggestion"] is None and record["events"] == []
    assert [p["rebase_group"] for p in record["points"]] == [0] * 27 + [1] * 9


def test_a_stable_series_suggests_no_rebase() -> None:
    series = pd.DataFrame({"period": pd.date_range("2022-04-01", periods=24, freq="MS"),
                           "value": [70.0, 72, 69, 71, 73, 70, 68, 71, 72, 69, 70, 71] * 2})
    view = evaluate(_definition(), series, pd.DataFrame(columns=["period", "value"]), [], "Sefton")
    assert view.method == "spc" and view.variation_icon == "common_cause"
    assert view.rebase_suggestion is None and "rebase" not in view.explanation


def test_the_suggestion_names_the_start_of_the_shift_in_the_latest_limits_only() -> None:
    """Seven points below the mean at the end of a series suggest their first month; once
    rebased there, the shift fills the new group and there is nothing left to suggest."""
    values = [70.0, 72, 69, 71, 73, 70, 68, 71, 72, 69, 70, 71, 72, 70, 64, 65, 63, 64, 65, 63, 64]
    series = pd.DataFrame({"period": pd.date_range("2022-04-01", periods=len(values), freq="MS"),
                           "value": values})
    empty = pd.DataFrame(columns=["period", "value"])
    view = evaluate(_definition(definition_path="data/metrics/m.yaml"), series, empty, [], "Sefton")
    assert view.rebase_suggestion is not None
    assert view.rebase_suggestion.startswith("The last 7 points are all below the mean, since June 2023")
    assert "`rebase: [{period: 2023-06, reason: ...}]` in data/metrics/m.yaml" in view.rebase_suggestion
    rebased = evaluate(_definition(), series, empty, [dt.date(2023, 6, 1)], "Sefton")
    assert rebased.rebase_suggestion is None


def test_events_within_the_charts_months_are_kept_for_the_chart() -> None:
    series = pd.DataFrame({"period": pd.date_range("2023-04-01", periods=12, freq="MS"),
                           "value": [70.0, 71, 69, 72, 70, 71, 70, 69, 72, 71, 70, 71]})
    events = [ChartNote(dt.date(2023, 1, 1), "before the data"), ChartNote(dt.date(2023, 6, 1), "in"),
              ChartNote(dt.date(2024, 4, 1), "after the as-at date")]
    view = evaluate(_definition(), series, pd.DataFrame(columns=["period", "value"]), [], "Sefton",
                    events=events)
    assert view.events == [ChartNote(dt.date(2023, 6, 1), "in")]


def test_a_rebase_month_without_a_point_is_said_not_applied_and_one_at_the_start_changes_nothing() -> None:
    periods = list(pd.date_range("2022-04-01", periods=24, freq="MS"))
    del periods[12]  # no point for April 2023
    series = pd.DataFrame({"period": periods, "value": [70.0, 72, 69, 71, 73, 70] * 3 + [71.0] * 5})
    empty = pd.DataFrame(columns=["period", "value"])
    view = evaluate(_definition(), series, empty,
                    [dt.date(2022, 4, 1), ChartNote(dt.date(2023, 4, 1), "New service")], "Sefton")
    assert view.rebases == [] and set(view.points["rebase_group"]) == {0}
    assert ("The rebase at April 2023 is not applied: there is no point for that month (a rebase "
            "must name a month with data).") in view.explanation
    assert "recalculated" not in view.explanation


@pytest.mark.parametrize(("frequency", "opening"), [("annual", "An annual series"),
                                                     ("quarterly", "A quarterly series")])
def test_the_reason_for_a_run_chart_reads_as_english(frequency: str, opening: str) -> None:
    _, reason = choose_method(frequency, "percent", [1.0] * 8)
    assert reason.startswith(f"{opening} with 8 points")


def test_the_board_s_reading_is_the_explanation_without_the_rebase_advice(shipped_copy: Project) -> None:
    """The advice is for analysts (the dashboard shows it apart; the pack leaves it out)."""
    ensure_built(shipped_copy)
    [view] = metric_views(shipped_copy, Q4_2023_24, ["dementia-diagnosis-rate"])
    assert view.explanation.endswith(DEMENTIA_SUGGESTION)
    assert view.board_reading == view.explanation[: -len(DEMENTIA_SUGGESTION)].rstrip()
    assert "consider" not in view.board_reading and view.board_reading.endswith(".")
