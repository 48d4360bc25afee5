"""The leads' pages: the update form (when allowed), reminders and changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import as_shown, dashboard
from tracker.catalogue import load_catalogue
from tracker.project import Project

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(minimal_project: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = dashboard(minimal_project, monkeypatch)
    at.run()
    return at


def test_update_form_is_off_by_default(app: AppTest) -> None:
    app.switch_page("ui/pages/update.py").run()
    assert not app.exception
    assert any("switched off" in i.value for i in app.info)
    assert len(app.get("form")) == 0


def test_update_form_writes_the_yaml_and_shows_the_diff(
    app: AppTest, minimal_project: Project
) -> None:
    minimal_project.settings_path.write_text("allow_dashboard_updates: true\n")
    app.switch_page("ui/pages/update.py").run()
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q3").run()
    app.selectbox(key="u_objective").set_value("LW-DEM-01")
    app.radio(key="u_rag").set_value("amber")
    app.text_area(key="u_commentary").input("Hubs opened late.")
    app.text_input(key="u_by").input("D. Lead")
    app.button[0].click().run()
    assert not app.exception
    assert any("Saved LW-DEM-01 2023-24 Q3" in s.value for s in app.success)
    diff = app.code[0].value
    assert "+      - quarter: 2023-24 Q3" in diff and "+        rag: amber" in diff
    [dementia] = [o for o in load_catalogue(minimal_project).objectives()
                  if o.objective.id == "LW-DEM-01"]
    assert [(u.quarter, u.rag) for u in dementia.objective.updates] == [("2023-24 Q3", "amber")]


def test_update_form_refusal_is_explained_and_changes_nothing(
    app: AppTest, minimal_project: Project
) -> None:
    minimal_project.settings_path.write_text("allow_dashboard_updates: true\n")
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    before = area.read_bytes()
    app.switch_page("ui/pages/update.py").run()
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    app.selectbox(key="u_objective").set_value("LW-CAN-01")
    app.text_area(key="u_commentary").input("Again.")
    app.button[0].click().run()
    assert any(r"already has an update for 2023\-24 Q1" in e.value for e in app.error)  # plain text
    assert area.read_bytes() == before


def test_reminders_and_changes_follow_the_quarter(app: AppTest) -> None:
    app.switch_page("ui/pages/reminders.py").run()
    assert not app.exception
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    text = " ".join(m.value for m in app.markdown)
    assert "**2** objective(s) have no real update yet" in text
    changes = app.dataframe[-1].value
    assert list(changes["ID"]) == ["LW-CAN-01"]
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q2").run()
    changes = app.dataframe[-1].value
    # LW-CAN-01: a real Q1 green against an example Q2 amber, said in words.
    assert list(changes["Movement"]) == ["↓ Deteriorated (involves an example)",
                                        "● New (involves an example)"]
    assert list(changes["Before"]) == ["✔ Green", "—"]
    assert list(changes["Now"]) == ["▲ Amber (example)", "✔ Green (example)"]




def test_update_form_on_an_objective_of_a_broken_file_names_the_file_and_line(
    app: AppTest, minimal_project: Project
) -> None:
    """The objective still shows (from the last good build); the form says where the file
    is broken rather than 'there is no objective'."""
    minimal_project.settings_path.write_text("allow_dashboard_updates: true\n")
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace("    timeframe: June 2023", "\ttimeframe: June 2023"))
    before = area.read_bytes()
    app.switch_page("ui/pages/update.py").run()
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q3").run()
    app.selectbox(key="u_objective").set_value("LW-CAN-01")
    app.text_area(key="u_commentary").input("On track.")
    app.button[0].click().run()
    [error] = [as_shown(e.value) for e in app.error]
    assert error.startswith("Not saved: LW-CAN-01 is in objectives/demo-plan/live-well-cancer.yaml, "
                            "which cannot be read: objectives/demo-plan/live-well-cancer.yaml:7: ")
    assert area.read_bytes() == before


def test_update_form_refuses_a_commentary_that_would_hide_the_area(
    app: AppTest, minimal_project: Project
) -> None:
    """Issue 20, finding 3: the form said "Saved" and the next build left the area out."""
    minimal_project.settings_path.write_text("allow_dashboard_updates: true\n")
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    before = area.read_bytes()
    app.switch_page("ui/pages/update.py").run()
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q3").run()
    app.selectbox(key="u_objective").set_value("LW-CAN-02")
    app.text_area(key="u_commentary").input("Pasted the whole report. " * 90_000)
    app.text_input(key="u_by").input("A. Lead")
    app.button[0].click().run()
    assert not app.exception
    assert not app.success
    assert any("Not saved: the file would become too big for the tracker to read" in e.value
               for e in app.error)
    assert area.read_bytes() == before
    assert len(load_catalogue(minimal_project).objectives()) == 3
