"""The derived-status rules, one test each, on small plans written for the rule."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tracker.db.build import build
from tracker.project import Project, load_project
from tracker.status.objectives import objective_status
from tracker.status.quarters import parse_quarter

PLAN = """id: rules
name: Rules plan
owner: Test
period: {start: 2023-04, end: 2025-03}
groups:
  - id: g
    name: Group
    areas:
      - id: area
        name: Area
        code: R
"""


def _project(tmp_path: Path, objectives: str, settings: str = "example_data: false\n") -> Project:
    folder = tmp_path / "objectives" / "rules"
    folder.mkdir(parents=True)
    (folder / "plan.yaml").write_text(PLAN)
    (folder / "area.yaml").write_text("objectives:\n" + objectives)
    (tmp_path / "settings.yaml").write_text(settings)
    (tmp_path / "queries").symlink_to(Path(__file__).resolve().parents[3] / "queries")
    return load_project(tmp_path)


def _row(project: Project, quarter: str) -> dict:
    build(project)  # the plan as the test wrote it: reading never builds
    frame = objective_status(project, parse_quarter(quarter))
    assert len(frame) == 1
    return frame.iloc[0].to_dict()


def objective(target: str = "2024-03", updates: str = "", milestones: str = "") -> str:
    return (f"  - id: R-01\n    objective: O\n    timeframe: T\n    target_date: {target}\n"
            f"{milestones}{updates}")


def updates(*entries: tuple[str, str]) -> str:
    lines = ["    updates:\n"]
    for quarter, rag in entries:
        lines.append(f"      - {{quarter: {quarter}, rag: {rag}, commentary: c}}\n")
    return "".join(lines)


def test_reported_complete_is_complete_even_after_the_target_date(tmp_path: Path) -> None:
    project = _project(tmp_path, objective(updates=updates(("2024-25 Q1", "blue"))))
    row = _row(project, "2024-25 Q1")
    assert (row["reported_rag"], row["derived_status"], row["overdue"]) == ("blue", "complete", False)


def test_complete_carries_forward_to_later_quarters(tmp_path: Path) -> None:
    project = _project(tmp_path, objective(updates=updates(("2023-24 Q2", "blue"))))
    row = _row(project, "2024-25 Q2")
    assert row["reported_rag"] == "blue"
    assert "Reported complete in an earlier quarter" in row["reasons"]


def test_target_month_passed_and_not_complete_is_overdue(tmp_path: Path) -> None:
    project = _project(tmp_path, objective(updates=updates(("2024-25 Q1", "green"))))
    row = _row(project, "2024-25 Q1")
    assert row["derived_status"] == "overdue" and row["overdue"]
    assert row["rosier_than_evidence"]
    assert any("March 2024 has passed" in r for r in row["reasons"])


def test_due_in_the_quarter_itself_is_not_yet_overdue(tmp_path: Path) -> None:
    project = _project(tmp_path, objective(updates=updates(("2023-24 Q4", "green"))))
    row = _row(project, "2023-24 Q4")
    assert row["derived_status"] == "on_track" and not row["overdue"]


def test_late_milestone_near_the_target_is_at_risk(tmp_path: Path) -> None:
    milestones = "    milestones:\n      - {description: Pilot, due: 2023-11}\n"
    project = _project(tmp_path, objective(milestones=milestones,
                                           updates=updates(("2023-24 Q4", "green"))))
    row = _row(project, "2023-24 Q4")
    assert row["derived_status"] == "at_risk"
    assert row["rosier_than_evidence"]
    assert "Milestone late: Pilot (due November 2023)" in row["reasons"]


def test_late_milestone_far_from_the_target_is_not_at_risk(tmp_path: Path) -> None:
    milestones = "    milestones:\n      - {description: Pilot, due: 2023-05}\n"
    project = _project(tmp_path, objective(target="2025-03", milestones=milestones,
                                           updates=updates(("2023-24 Q2", "green"))))
    row = _row(project, "2023-24 Q2")
    assert row["derived_status"] == "on_track"
    assert "Milestone late: Pilot (due May 2023)" in row["reasons"]


def test_completed_milestone_is_not_late(tmp_path: Path) -> None:
    milestones = "    milestones:\n      - {description: Pilot, due: 2023-11, completed: 2023-12}\n"
    project = _project(tmp_path, objective(milestones=milestones,
                                           updates=updates(("2023-24 Q4", "green"))))
    assert _row(project, "2023-24 Q4")["derived_status"] == "on_track"


def test_the_at_risk_window_is_a_setting(tmp_path: Path) -> None:
    milestones = "    milestones:\n      - {description: Pilot, due: 2023-07}\n"
    project = _project(tmp_path, objective(target="2024-03", milestones=milestones,
                                           updates=updates(("2023-24 Q2", "green"))),
                       settings="example_data: false\nat_risk_window_months: 6\n")
    assert _row(project, "2023-24 Q2")["derived_status"] == "at_risk"
    (tmp_path / "settings.yaml").write_text("example_data: false\nat_risk_window_months: 3\n")
    assert _row(load_project(tmp_path), "2023-24 Q2")["derived_status"] == "on_track"


def test_no_target_date_is_its_own_status(tmp_path: Path) -> None:
    project = _project(tmp_path, objective(target="null", updates=updates(("2023-24 Q1", "green"))))
    row = _row(project, "2023-24 Q1")
    assert row["derived_status"] == "no_date"
    assert not row["rosier_than_evidence"]


def test_no_update_for_the_quarter_is_not_reported_never_green(tmp_path: Path) -> None:
    project = _project(tmp_path, objective(updates=updates(("2023-24 Q1", "green"))))
    row = _row(project, "2023-24 Q2")
    assert row["reported_rag"] == "not_reported"
    assert row["movement"] == "not_reported"
    assert "No update for 2023-24 Q2" in row["reasons"]


def test_later_updates_are_not_used_as_at_an_earlier_quarter(tmp_path: Path) -> None:
    project = _project(tmp_path, objective(updates=updates(("2023-24 Q3", "blue"))))
    assert _row(project, "2023-24 Q2")["reported_rag"] == "not_reported"


@pytest.mark.parametrize(
    ("before", "now", "movement"),
    [("red", "amber", "improved"), ("green", "red", "deteriorated"),
     ("amber", "amber", "unchanged"), (None, "green", "new"), ("green", "blue", "improved")],
)
def test_movement_since_the_previous_quarter(
    tmp_path: Path, before: str | None, now: str, movement: str
) -> None:
    entries = ([("2023-24 Q1", before)] if before else []) + [("2023-24 Q2", now)]
    project = _project(tmp_path, objective(target="2025-03", updates=updates(*entries)))
    assert _row(project, "2023-24 Q2")["movement"] == movement


def test_quarter_year_boundary_q4_is_january_to_march(tmp_path: Path) -> None:
    project = _project(tmp_path, objective(target="2024-01", updates=updates(("2023-24 Q4", "green"))))
    row = _row(project, "2023-24 Q4")
    assert row["derived_status"] == "overdue"  # January 2024 ended before 31 March 2024


def test_a_linked_metric_missing_its_target_puts_the_objective_at_risk(tmp_path: Path) -> None:
    _project(tmp_path, objective(target="2025-03", updates=updates(("2023-24 Q2", "green"))))
    extracts = tmp_path / "data" / "extracts"
    extracts.mkdir(parents=True)
    (extracts / "rate.csv").write_text(
        "month,value\n" + "".join(f"2023-{m:02d},{60 + m / 10}\n" for m in range(4, 10)))
    (tmp_path / "data" / "metrics").mkdir()
    (tmp_path / "data" / "metrics" / "rate.yaml").write_text(
        "metrics:\n  - id: rate\n    name: A rate\n    unit: percent\n    direction: higher_is_better\n"
        "    frequency: monthly\n    target: {value: 66.7}\n    objectives: [R-01]\n"
        "    source: {file: extracts/rate.csv, period: month, value: value}\n")
    row = _row(load_project(tmp_path), "2023-24 Q2")
    assert row["derived_status"] == "at_risk"
    assert row["rosier_than_evidence"]
    assert "Linked metric A rate: 60.9% in September 2023 misses the target of 66.7%" in row["reasons"]
    assert row["metrics"] == ["rate"]


EXAMPLES = """example: true
note: Invented for tests.
updates:
{entries}"""


def _with_examples(tmp_path: Path, objectives: str, *entries: tuple[str, str],
                   example_data: bool = True) -> Project:
    project = _project(tmp_path, objectives, f"example_data: {str(example_data).lower()}\n")
    folder = project.objectives_dir / "rules" / "examples"
    folder.mkdir()
    (folder / "updates.yaml").write_text(EXAMPLES.format(entries="".join(
        f"  - {{objective: R-01, quarter: {quarter}, rag: {rag}, commentary: invented}}\n"
        for quarter, rag in entries)))
    return project


def test_complete_from_an_example_stays_marked_as_an_example_when_carried_forward(
    tmp_path: Path,
) -> None:
    project = _with_examples(tmp_path, objective(), ("2023-24 Q2", "blue"))
    row = _row(project, "2024-25 Q1")
    assert (row["reported_rag"], row["reported_is_example"], row["reported_quarter"]) == (
        "blue", True, "2023-24 Q2")
    assert not row["has_real_update"]
    assert "Reported complete in an earlier quarter (by an example update)" in row["reasons"]


def test_a_real_complete_carried_forward_is_a_real_update(tmp_path: Path) -> None:
    project = _project(tmp_path, objective(updates=updates(("2023-24 Q2", "blue"))))
    row = _row(project, "2024-25 Q1")
    assert (row["reported_rag"], row["reported_is_example"], row["has_real_update"]) == (
        "blue", False, True)


def test_a_real_update_compared_with_an_example_says_so(tmp_path: Path) -> None:
    project = _with_examples(tmp_path, objective(updates=updates(("2023-24 Q3", "green"))),
                             ("2023-24 Q2", "blue"))
    row = _row(project, "2023-24 Q3")
    assert (row["previous_rag"], row["previous_is_example"], row["movement"]) == (
        "blue", True, "deteriorated")
    assert row["movement_involves_example"] and not row["reported_is_example"]
    assert row["has_real_update"]


def test_two_real_updates_compared_are_not_marked(tmp_path: Path) -> None:
    project = _project(tmp_path, objective(
        updates=updates(("2023-24 Q2", "amber"), ("2023-24 Q3", "green"))))
    row = _row(project, "2023-24 Q3")
    assert row["movement"] == "improved" and not row["movement_involves_example"]


def test_with_example_data_off_an_example_complete_is_not_reported(tmp_path: Path) -> None:
    project = _with_examples(tmp_path, objective(), ("2023-24 Q2", "blue"), example_data=False)
    row = _row(project, "2024-25 Q1")
    assert (row["reported_rag"], row["reported_is_example"], row["has_real_update"]) == (
        "not_reported", False, False)


def _objectives(*rows: dict) -> pd.DataFrame:
    """A status frame (as objective_status returns) of on-track green objectives, changed by
    `rows`: each names what differs for one objective."""
    base = {"plan": "p", "group": "Live well", "area": "Cancer", "lead": None,
            "target_date": "2025-03", "reported_rag": "green", "derived_status": "on_track",
            "overdue": False, "rosier_than_evidence": False, "movement": "unchanged",
            "movement_involves_example": False, "previous_rag": "green",
            "reported_is_example": False, "metric_concerns": []}
    return pd.DataFrame([{**base, "id": f"O-{i}", "position": i, **row}
                         for i, row in enumerate(rows)])


def _why(frame: pd.DataFrame, include: tuple[str, ...] = ()) -> dict[str, list[str]]:
    from tracker.status.objectives import exceptions

    found = exceptions(frame, "2023-24 Q3", include)
    return dict(zip(found["id"], found["why"], strict=True))


def test_an_exception_is_red_overdue_rosier_deteriorated_or_a_metric_of_concern() -> None:
    frame = _objectives(
        {},                                                       # green, on track: not one
        {"reported_rag": "red", "reported_is_example": True},
        {"overdue": True, "derived_status": "overdue", "target_date": "2024-03",
         "reported_rag": "blue"},
        {"rosier_than_evidence": True, "derived_status": "at_risk"},
        {"reported_rag": "amber", "movement": "deteriorated", "previous_rag": "green"},
        {"reported_rag": "amber", "movement": "deteriorated", "previous_rag": "green",
         "movement_involves_example": True},
        {"metric_concerns": ["Linked metric X: special cause concerning variation (high)"]},
    )
    assert _why(frame) == {
        "O-1": ["Reported red (example update)"],
        "O-2": ["Target date March 2024 has passed"],
        "O-3": ["Reported green but the evidence says at risk"],
        "O-4": ["Deteriorated from green to amber since 2023-24 Q3"],
        "O-5": ["Deteriorated from green to amber since 2023-24 Q3 (involves an example update)"],
        "O-6": ["Linked metric X: special cause concerning variation (high)"],
    }


def test_amber_not_reported_and_at_risk_alone_are_not_exceptions_unless_the_settings_say() -> None:
    frame = _objectives({"reported_rag": "amber"}, {"reported_rag": "not_reported",
                                                    "movement": "not_reported"},
                        {"derived_status": "at_risk", "reported_rag": "amber"})
    assert _why(frame) == {}
    assert _why(frame, ("amber",)) == {"O-0": ["Reported amber"], "O-2": ["Reported amber"]}
    assert _why(frame, ("not_reported",)) == {"O-1": ["No update for the quarter"]}
    assert _why(frame, ("at_risk",)) == {"O-2": ["The evidence says at risk"]}


def test_an_unknown_widening_is_logged_and_the_rule_stands(caplog: pytest.LogCaptureFixture) -> None:
    frame = _objectives({"reported_rag": "amber"})
    assert _why(frame, ("purple", "amber")) == {"O-0": ["Reported amber"]}
    assert "exceptions_include may hold amber, not_reported, at_risk, not purple: ignored" in caplog.text


def test_the_exception_rule_lists_the_worst_first_in_plan_order() -> None:
    frame = _objectives({"overdue": True, "target_date": "2024-03"},
                        {"reported_rag": "amber", "movement": "deteriorated"},
                        {"reported_rag": "red"})
    assert list(_why(frame)) == ["O-2", "O-1", "O-0"]


def test_not_reported_objectives_are_listed_by_lead_then_by_group() -> None:
    from tracker.status.objectives import not_reported_by_lead

    frame = _objectives({"reported_rag": "not_reported", "lead": "Ann"}, {},
                        {"reported_rag": "not_reported"}, {"reported_rag": "not_reported",
                                                           "lead": "Ann"})
    assert not_reported_by_lead(frame) == [
        {"lead": "Ann", "area": "", "ids": ["O-0", "O-3"]},
        {"lead": "No lead named", "area": "Live well", "ids": ["O-2"]}]


def test_a_linked_metric_of_special_cause_concern_or_expected_to_fail_is_named() -> None:
    from tracker.metrics.scorecard_view import MetricView
    from tracker.status.objectives import metric_exceptions

    def view(**changes: object) -> MetricView:
        return MetricView("m", "Dementia diagnosis", "Sefton", "%", "higher", True, "spc", "",
                          pd.DataFrame(), latest_value=60.0, **changes)

    assert metric_exceptions(view(variation_icon="concern_low")) == [
        "Linked metric Dementia diagnosis (example data): special cause concerning variation (low)"]
    assert metric_exceptions(view(assurance_icon="consistent_fail")) == [
        "Linked metric Dementia diagnosis (example data): expected to consistently fail its target"]
    assert metric_exceptions(view(variation_icon="improvement_high")) == []
    assert metric_exceptions(view(variation_icon="concern_low", is_stale=True)) == []


def test_no_query_writes_its_own_status_ranks() -> None:
    """The ranks are tracker.status.rag.STATUS_RANKS, passed in as $status_ranks, nowhere else."""
    queries = Path(__file__).resolve().parents[3] / "queries"
    for path in queries.rglob("*.sql"):
        text = path.read_text()
        assert "('red', 1)" not in text.replace(" ", " "), path
        if "rank_of" in text:
            assert "$status_ranks" in text, path


def test_the_reported_statuses_are_what_a_lead_may_write_then_not_reported() -> None:
    """The plan files' vocabulary (tracker.plans.models) and the status vocabulary (tracker.status.rag)
    must not drift apart: a status a lead can write that the dashboard cannot show, or the
    other way round, would vanish from every count."""
    from typing import get_args

    from tracker.plans.models import RAG_VALUES, Rag
    from tracker.status.rag import REPORTED_STATUSES, STATUS_RANKS, STATUS_STYLES

    assert (*RAG_VALUES, "not_reported") == REPORTED_STATUSES
    assert get_args(Rag) == RAG_VALUES
    assert all(s in STATUS_STYLES for s in REPORTED_STATUSES)
    assert all(s in STATUS_RANKS for s in RAG_VALUES)
