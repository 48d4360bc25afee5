"""When a rebuild is swapped in while a reader has the dashboard open, the page says so briefly
("Updated at 14:02 UTC", the new database's time) and shows the new figures."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_dashboard import _change_a_plan, _table, open_objectives
from tests.conftest import build_lock_held_elsewhere, dashboard
from tracker.db.build import build
from tracker.project import Project
from ui.startup import updated_note


@pytest.fixture
def app(minimal_project: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return dashboard(minimal_project, monkeypatch)


def _notes(at: AppTest) -> list[str]:
    return [toast.value for toast in at.toast]


def _built_at(project: Project) -> str:
    return dt.datetime.fromtimestamp(project.db_path.stat().st_mtime, dt.UTC).strftime("%H:%M")


def test_the_note_gives_the_time_in_utc_as_the_dashboards_other_times() -> None:
    moment = dt.datetime(2026, 7, 1, 14, 2, 59, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert updated_note(moment) == "Updated at 13:02 UTC"


def test_a_first_visit_and_an_unchanged_database_show_no_note(app: AppTest) -> None:
    open_objectives(app)
    assert not app.exception
    assert _notes(app) == []
    app.run()
    assert _notes(app) == []


def test_a_database_swapped_in_by_another_process_is_shown_with_a_brief_note(
    app: AppTest, minimal_project: Project
) -> None:
    open_objectives(app)
    with build_lock_held_elsewhere(minimal_project):
        _change_a_plan(minimal_project)
        app.run()  # the build is another process's: the current figures, with a banner
        assert any("a newer database is being built" in i.value for i in app.info)
        assert _notes(app) == []
    build(minimal_project)  # the other process's build swaps in the new file
    app.run()  # as the polling fragment's rerun does
    assert not app.exception
    assert "Roll out TLHC." in list(_table(app)["Objective"])
    assert _notes(app) == [f"Updated at {_built_at(minimal_project)} UTC"]
    app.run()
    assert _notes(app) == []  # brief: said once


def test_a_rebuild_this_session_made_is_noted_too(app: AppTest, minimal_project: Project) -> None:
    open_objectives(app)
    _change_a_plan(minimal_project)
    app.run()
    assert "Roll out TLHC." in list(_table(app)["Objective"])
    assert _notes(app) == [f"Updated at {_built_at(minimal_project)} UTC"]
