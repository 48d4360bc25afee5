"""Finding the project and reading its settings: settings.yaml values, their defaults, and
TRACKER_EXAMPLE_DATA."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.project import DEFAULT_SETTINGS, PACKAGE_ROOT, find_root, load_project


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_ROOT", raising=False)
    monkeypatch.delenv("TRACKER_EXAMPLE_DATA", raising=False)


def test_without_settings_yaml_every_default_applies(tmp_path: Path) -> None:
    project = load_project(tmp_path)
    assert project.settings == DEFAULT_SETTINGS
    assert project.example_data is True
    assert project.settings["at_risk_window_months"] == 3
    assert project.settings["allow_dashboard_updates"] is False
    assert project.settings["signoff_orgs"] == ["Sefton Council", "NHS Cheshire and Merseyside"]
    assert project.db_path == tmp_path.resolve() / "data" / "tracker.duckdb"
    assert project.objectives_dir == tmp_path.resolve() / "objectives"


def test_settings_yaml_values_replace_the_defaults_and_the_rest_stand(tmp_path: Path) -> None:
    (tmp_path / "settings.yaml").write_text(
        "example_data: false\nat_risk_window_months: 6\nsignoff_orgs: [Sefton Council]\n")
    settings = load_project(tmp_path).settings
    assert settings["example_data"] is False
    assert settings["at_risk_window_months"] == 6
    assert settings["signoff_orgs"] == ["Sefton Council"]
    assert settings["freshness_months_monthly"] == DEFAULT_SETTINGS["freshness_months_monthly"]


def test_unknown_or_ill_typed_settings_leave_the_default(tmp_path: Path) -> None:
    """`validate` reports them; meanwhile the tracker runs on the defaults."""
    (tmp_path / "settings.yaml").write_text(
        "at_risk_window_months: three\nexmple_data: false\nallow_dashboard_updates: 'yes'\n")
    project = load_project(tmp_path)
    assert project.settings == DEFAULT_SETTINGS
    assert "exmple_data" not in project.settings


@pytest.mark.parametrize("text", ["at_risk_window_months: [\n", "- a list\n", ""])
def test_a_broken_or_empty_settings_file_leaves_every_default(tmp_path: Path, text: str) -> None:
    (tmp_path / "settings.yaml").write_text(text)
    assert load_project(tmp_path).settings == DEFAULT_SETTINGS


@pytest.mark.parametrize(("value", "shown"), [("0", False), ("false", False), (" Off ", False),
                                              ("no", False), ("1", True), ("yes", True)])
def test_tracker_example_data_switches_examples_without_editing_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, shown: bool) -> None:
    (tmp_path / "settings.yaml").write_text(f"example_data: {str(not shown).lower()}\n")
    monkeypatch.setenv("TRACKER_EXAMPLE_DATA", value)
    assert load_project(tmp_path).example_data is shown


def test_the_project_is_tracker_root_then_the_working_folder_then_the_package(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plans = tmp_path / "plans"
    (plans / "objectives").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert find_root(plans) == plans.resolve()
    assert find_root(elsewhere) == PACKAGE_ROOT  # no objectives/ here
    monkeypatch.chdir(plans)
    assert load_project().root == plans.resolve()
    monkeypatch.setenv("TRACKER_ROOT", str(elsewhere))
    assert find_root(plans) == elsewhere.resolve()


def test_a_database_named_on_the_command_line_is_used(tmp_path: Path) -> None:
    project = load_project(tmp_path, db=tmp_path / "other" / "x.duckdb")
    assert project.db_path == (tmp_path / "other" / "x.duckdb").resolve()
