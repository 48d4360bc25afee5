"""Loading plans: every problem in every file, with file, line and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.plans.catalogue import load_catalogue
from tracker.project import Project


def _messages(project: Project) -> list[str]:
    return [str(p) for p in load_catalogue(project).problems]


def _area(project: Project, name: str) -> Path:
    return project.objectives_dir / "demo-plan" / name


def test_minimal_project_loads_without_problems(minimal_project: Project) -> None:
    catalogue = load_catalogue(minimal_project)
    assert catalogue.problems == []
    assert [o.objective.id for o in catalogue.objectives()] == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]
    assert len(catalogue.plans[0].examples) == 3


def test_misspelt_key_suggests_the_right_one(minimal_project: Project) -> None:
    path = _area(minimal_project, "live-well-dementia.yaml")
    path.write_text(path.read_text().replace("target_date:", "target_dte:"))
    messages = _messages(minimal_project)
    assert any(
        m.startswith("objectives/demo-plan/live-well-dementia.yaml:7:")
        and "unknown key 'target_dte'; did you mean 'target_date'?" in m
        for m in messages
    ), messages


def test_bad_month_and_bad_rag_are_explained(minimal_project: Project) -> None:
    path = _area(minimal_project, "live-well-cancer.yaml")
    text = path.read_text().replace("target_date: 2023-06", "target_date: 2023-13")
    path.write_text(text.replace("rag: green", "rag: purple"))
    messages = _messages(minimal_project)
    assert any(":8:" in m and "'2023-13' is not a month" in m and "YYYY-MM" in m for m in messages)
    assert any(":16:" in m and "rag 'purple' is not allowed" in m and "'amber'" in m
               for m in messages), messages


def test_duplicate_ids_across_files_name_both_places(minimal_project: Project) -> None:
    path = _area(minimal_project, "live-well-dementia.yaml")
    path.write_text(path.read_text().replace("LW-DEM-01", "LW-CAN-02"))
    messages = _messages(minimal_project)
    duplicate = [m for m in messages if "is used again" in m]
    assert len(duplicate) == 2
    assert any(m.startswith("objectives/demo-plan/live-well-cancer.yaml:20:") for m in duplicate)
    assert any("live-well-dementia.yaml:2" in m for m in duplicate)


def test_one_broken_file_does_not_hide_the_others(minimal_project: Project) -> None:
    _area(minimal_project, "live-well-cancer.yaml").write_text("objectives: [\n")
    path = _area(minimal_project, "live-well-dementia.yaml")
    path.write_text(path.read_text().replace("due: 2023-06", "due: June"))
    catalogue = load_catalogue(minimal_project)
    paths = {p.path for p in catalogue.problems}
    assert paths == {
        "objectives/demo-plan/live-well-cancer.yaml",
        "objectives/demo-plan/live-well-dementia.yaml",
    }


def test_update_outside_plan_period_and_twice_in_a_quarter(minimal_project: Project) -> None:
    path = _area(minimal_project, "live-well-cancer.yaml")
    text = path.read_text().replace("quarter: 2023-24 Q1", "quarter: 2026-27 Q1")
    path.write_text(text)
    assert any("outside the plan's period" in m for m in _messages(minimal_project))


def test_area_file_not_in_plan_and_area_without_file(minimal_project: Project) -> None:
    _area(minimal_project, "live-well-dementia.yaml").rename(_area(minimal_project, "stray.yaml"))
    messages = _messages(minimal_project)
    assert any("area 'live-well-dementia' has no file" in m for m in messages)
    assert any(m.startswith("objectives/demo-plan/stray.yaml") and "not an area" in m
               for m in messages)


def test_example_for_unknown_objective_is_reported(minimal_project: Project) -> None:
    path = _area(minimal_project, "examples/updates.yaml")
    path.write_text(path.read_text().replace("objective: LW-DEM-01", "objective: LW-DEM-09"))
    assert any("objective 'LW-DEM-09' is not in plan demo-plan" in m
               for m in _messages(minimal_project))


def test_unknown_setting_is_reported(minimal_project: Project) -> None:
    minimal_project.settings_path.write_text("exmple_data: false\n")
    assert any("unknown setting 'exmple_data'; did you mean 'example_data'?" in m
               for m in _messages(minimal_project))


def test_ill_typed_setting_is_reported_and_the_default_stands(minimal_project: Project) -> None:
    from tracker.project import load_project

    minimal_project.settings_path.write_text("at_risk_window_months: three\n")
    assert any("setting 'at_risk_window_months' should look like 3, not 'three'" in m
               for m in _messages(minimal_project))
    assert load_project(minimal_project.root).settings["at_risk_window_months"] == 3


def _replace(project: Project, old: str, new: str, name: str = "live-well-cancer.yaml") -> None:
    path = _area(project, name)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.hostile
@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("target_date: 2023-06", "target_date: 0000-06", 8,
     "target_date '0000-06' has the year 0, outside 1900 to 2100: check the year"),
    ("due: 2024-03", "due: '0000'", 13, "due '0000' has the year 0, outside 1900 to 2100: check the year"),
    ("due: 2024-03", "due: 9999-12", 13,
     "due '9999-12' has the year 9999, outside 1900 to 2100: check the year"),
    ("quarter: 2023-24 Q1", "quarter: 9999-00 Q4", 15,
     "quarter '9999-00 Q4' is not a financial quarter: the year 9999 is outside 1900 to 2100"),
])
def test_a_year_outside_1900_to_2100_is_a_problem_with_its_line(
    minimal_project: Project, old: str, new: str, line: int, message: str
) -> None:
    """These stopped `build` (year 0) and `validate` itself (year 10000) with Python's error."""
    _replace(minimal_project, old, new)
    messages = _messages(minimal_project)
    assert any(m.startswith(f"objectives/demo-plan/live-well-cancer.yaml:{line}:") and message in m
               for m in messages), messages


@pytest.mark.hostile
def test_a_date_outside_1900_to_2100_is_a_problem_with_its_line(minimal_project: Project) -> None:
    _replace(minimal_project, "updated_on: 2023-07-05", "updated_on: 0001-01-01")
    messages = _messages(minimal_project)
    assert any(":19:" in m and "updated_on '0001-01-01' has the year 1" in m for m in messages), messages


@pytest.mark.hostile
@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_a_target_that_is_not_a_finite_number_is_a_problem(minimal_project: Project, value: str) -> None:
    """`.inf` passed and wrote `nan` into the PDF's charts, blanking them and the footer."""
    _replace(minimal_project, "value: 75", f"value: {value}")
    messages = _messages(minimal_project)
    assert any(":11:" in m and "'value' should be a finite number (not .inf or .nan)" in m
               for m in messages), messages


@pytest.mark.hostile
def test_an_id_with_digits_of_another_script_is_refused(minimal_project: Project) -> None:
    """`\\d` matches Arabic-Indic digits: LW-CAN-٠١ was taken as an id."""
    _replace(minimal_project, "LW-CAN-01", "LW-CAN-٠١")
    messages = _messages(minimal_project)
    assert any(":3:" in m and "'LW-CAN-٠١' is not an objective id" in m for m in messages), messages


@pytest.mark.hostile
def test_an_escaped_control_character_in_a_value_is_a_problem_with_its_line(
    minimal_project: Project
) -> None:
    _replace(minimal_project, "target_date: 2023-06", 'lead: "Ann\\e]0;PWNED\\a"\n    target_date: 2023-06')
    messages = _messages(minimal_project)
    assert any(m.startswith("objectives/demo-plan/live-well-cancer.yaml:8: contains a control character "
                            "(U+001B)") for m in messages), messages


# --- counts never shrink silently: a bad value costs that value, not the file -----------------


def test_a_bad_value_costs_that_value_and_its_objective_still_shows(
    minimal_project: Project,
) -> None:
    path = _area(minimal_project, "live-well-cancer.yaml")
    path.write_text(path.read_text().replace("target_date: 2023-06", "target_date: 2023-13"))
    catalogue = load_catalogue(minimal_project)
    placed = {o.objective.id: o for o in catalogue.objectives()}
    assert list(placed) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]
    bad = placed["LW-CAN-01"]
    assert bad.objective.target_date is None  # taken as absent
    assert bad.objective.targets and bad.objective.updates  # the rest of it is kept
    assert [str(p) for p in bad.problems] == [
        "objectives/demo-plan/live-well-cancer.yaml:8: target_date '2023-13' is not a month: "
        "write it as YYYY-MM, for example 2024-03"]
    assert placed["LW-CAN-02"].problems == () and placed["LW-DEM-01"].problems == ()
    assert catalogue.unread == []


def test_a_bad_update_costs_that_update_only(minimal_project: Project) -> None:
    path = _area(minimal_project, "live-well-cancer.yaml")
    path.write_text(path.read_text().replace("rag: green", "rag: purple"))
    [bad] = [o for o in load_catalogue(minimal_project).objectives() if o.problems]
    assert bad.objective.id == "LW-CAN-01"
    assert bad.objective.target_date == "2023-06"
    assert bad.objective.updates == []
    assert ":16: rag 'purple' is not allowed" in str(bad.problems[0])


def test_an_objective_missing_its_id_still_counts_under_a_stand_in(
    minimal_project: Project,
) -> None:
    path = _area(minimal_project, "live-well-cancer.yaml")
    path.write_text(path.read_text().replace("  - id: LW-CAN-02\n", "  - notes: no id\n"))
    ids = [o.objective.id for o in load_catalogue(minimal_project).objectives()]
    assert ids == ["LW-CAN-01", "LW-CAN-? (line 20)", "LW-DEM-01"]


def test_a_file_that_cannot_be_read_is_listed_as_unread(minimal_project: Project) -> None:
    path = _area(minimal_project, "live-well-cancer.yaml")
    path.write_text(path.read_text().replace("    timeframe: June 2023", "\ttimeframe: June 2023"))
    catalogue = load_catalogue(minimal_project)
    [unread] = catalogue.unread
    assert (unread.plan_id, unread.area_id, unread.code, unread.path) == (
        "demo-plan", "live-well-cancer", "LW-CAN", "objectives/demo-plan/live-well-cancer.yaml")
    assert str(unread.problem).startswith("objectives/demo-plan/live-well-cancer.yaml:7: ")
    assert [o.objective.id for o in catalogue.objectives()] == ["LW-DEM-01"]
