"""The dashboard through Streamlit's AppTest: real pages over the real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import dashboard
from tracker.project import Project

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(minimal_project: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return dashboard(minimal_project, monkeypatch)


def open_objectives(at: AppTest) -> AppTest:
    """Run the app and go to the Objectives page (the overview is the default)."""
    at.run()
    return at.switch_page("ui/pages/objectives.py").run()


def _table(at: AppTest):
    return at.dataframe[0].value


def test_builds_a_missing_database_and_lists_every_objective(
    app: AppTest, minimal_project: Project
) -> None:
    assert not minimal_project.db_path.exists()
    open_objectives(app)
    assert not app.exception
    assert minimal_project.db_path.is_file()
    assert list(_table(app)["ID"]) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]


def test_default_quarter_is_the_latest_with_updates_and_examples_are_flagged(app: AppTest) -> None:
    open_objectives(app)
    assert app.sidebar.selectbox(key="quarter").value == "2023-24 Q2"
    table = _table(app).set_index("ID")
    assert table.loc["LW-CAN-01", "Reported"] == "▲ Amber (example)"
    assert table.loc["LW-CAN-02", "Reported"] == "? Not reported"
    assert table.loc["LW-CAN-01", "Last update"] == "2023-24 Q2 (example)"
    assert table.loc["LW-CAN-02", "Last update"] == "—"
    assert any("Example data" in w.value for w in app.warning)


def test_changing_the_quarter_changes_the_statuses(app: AppTest) -> None:
    open_objectives(app)
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    table = _table(app).set_index("ID")
    assert table.loc["LW-CAN-01", "Reported"] == "✔ Green"
    assert table.loc["LW-DEM-01", "Reported"] == "? Not reported"
    assert not any("Example data" in w.value for w in app.warning)


def test_filters_narrow_the_table(app: AppTest) -> None:
    open_objectives(app)
    app.multiselect(key="f_area").set_value(["Live Well – Dementia"]).run()
    assert list(_table(app)["ID"]) == ["LW-DEM-01"]
    app.multiselect(key="f_area").set_value([]).run()
    app.text_input(key="f_text").input("lung").run()
    assert list(_table(app)["ID"]) == ["LW-CAN-02"]
    app.text_input(key="f_text").input("").run()
    app.checkbox(key="f_nodate").check().run()
    assert list(_table(app)["ID"]) == ["LW-CAN-02"]


def test_an_edit_to_the_yaml_shows_on_the_next_run(app: AppTest, minimal_project: Project) -> None:
    open_objectives(app)
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace("Roll out lung health checks.", "Roll out TLHC."))
    app.run()
    assert "Roll out TLHC." in list(_table(app)["Objective"])


def test_a_broken_file_is_explained_on_data_quality_not_as_a_traceback(
    app: AppTest, minimal_project: Project
) -> None:
    (minimal_project.objectives_dir / "demo-plan" / "live-well-dementia.yaml").write_text("- [")
    open_objectives(app)
    assert not app.exception
    assert any("problem(s) in the source files" in w.value for w in app.sidebar.warning)
    assert list(_table(app)["ID"]) == ["LW-CAN-01", "LW-CAN-02"]
    app.switch_page("ui/pages/data_quality.py").run()
    assert not app.exception
    problems = app.dataframe[0].value
    assert list(problems["Path"]) == ["objectives/demo-plan/live-well-dementia.yaml"]
    assert "not valid YAML" in problems["Message"].iloc[0]


def test_a_page_that_fails_shows_a_friendly_message(
    app: AppTest, minimal_project: Project
) -> None:
    open_objectives(app)
    (minimal_project.root / "queries" / "objectives_table.sql").write_text("select nonsense")
    app.run()
    assert not app.exception
    assert any("Something went wrong" in e.value for e in app.error)


def test_objective_detail_shows_text_status_reasons_and_history(app: AppTest) -> None:
    open_objectives(app)
    app.selectbox(key="detail").set_value("LW-DEM-01").run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert "Recover the dementia diagnosis rate\\." in text
    assert "Timely diagnosis\\." in text
    assert "**Reported for 2023-24 Q2:** ✔ Green (example)" in text
    assert "▲ At risk" in text and "rosier than this" in text
    assert "Milestone late: Wellbeing hubs open \\(due June 2023\\)" in text
    history = app.dataframe[-1].value
    assert list(history["Quarter"]) == ["2023-24 Q2"]
    figure = app.get("plotly_chart")[0].proto.spec
    assert "Wellbeing hubs open" in figure


def test_objective_detail_history_follows_the_quarter(app: AppTest) -> None:
    open_objectives(app)
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    app.selectbox(key="detail").set_value("LW-CAN-01").run()
    history = app.dataframe[-1].value
    assert list(history["Quarter"]) == ["2023-24 Q1"]
    assert list(history["Status"]) == ["✔ Green"]


def test_lead_overdue_and_date_range_filters(app: AppTest, minimal_project: Project) -> None:
    import datetime as dt

    area = minimal_project.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
    area.write_text(area.read_text().replace("    target_date: 2023-09\n",
                                             "    target_date: 2023-09\n    lead: Dee Mentia\n"))
    open_objectives(app)
    app.multiselect(key="f_lead").set_value(["Dee Mentia"]).run()
    assert list(_table(app)["ID"]) == ["LW-DEM-01"]
    app.multiselect(key="f_lead").set_value([]).run()
    app.checkbox(key="f_overdue").check().run()
    assert list(_table(app)["ID"]) == ["LW-CAN-01"]  # June 2023 has passed as at 2023-24 Q2
    app.checkbox(key="f_overdue").uncheck().run()
    app.date_input(key="f_dates").set_value((dt.date(2023, 7, 1), dt.date(2023, 9, 1))).run()
    assert list(_table(app)["ID"]) == ["LW-DEM-01"]


def test_a_corrupt_database_file_is_rebuilt_not_shown_as_an_error(
    app: AppTest, minimal_project: Project
) -> None:
    open_objectives(app)
    minimal_project.db_path.write_bytes(b"this is not a database" * 100)
    open_objectives(app)
    assert not app.exception
    assert list(_table(app)["ID"]) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]


def test_a_build_that_cannot_write_is_explained(
    app: AppTest, minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.build

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(tracker.build, "_build_locked", refuse)
    app.run()
    assert not app.exception
    assert any("could not build its database" in e.value for e in app.error)
