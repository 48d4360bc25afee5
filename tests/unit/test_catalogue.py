"""Loading plans: every problem in every file, with file, line and a fix."""

from __future__ import annotations

from pathlib import Path

from tracker.catalogue import load_catalogue
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
