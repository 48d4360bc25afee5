"""The Board overview: counts, movement and exceptions follow the plan and the quarter."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import dashboard
from tracker.project import Project

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(minimal_project: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = dashboard(minimal_project, monkeypatch)
    at.run()
    return at


def _table_with(at: AppTest, column: str):
    """The first table on the page that has `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_overview_is_the_default_page_and_counts_reported_status(app: AppTest) -> None:
    assert not app.exception
    assert app.title[0].value == "Board overview"
    # As at 2023-24 Q2 (the latest with updates): one amber and one green example, one not reported.
    assert _metric(app, "▲ Amber") == "1"
    assert _metric(app, "✔ Green") == "1"
    assert _metric(app, "? Not reported") == "1"


def test_exceptions_follow_the_quarter(app: AppTest) -> None:
    exceptions = _table_with(app, "Why")
    assert list(exceptions["ID"]) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]
    assert exceptions.iloc[0]["Reported"] == "▲ Amber (example)"
    assert exceptions.iloc[0]["Evidence"] == "⚑ Overdue"
    # Reported green, but its milestone is late with the target month near: rosier than the evidence.
    dementia = exceptions.iloc[2]
    assert (dementia["Reported"], dementia["Evidence"]) == ("✔ Green (example)", "▲ At risk")
    assert dementia["Rosier than evidence"] == "⚠ Yes"
    assert "Milestone late: Wellbeing hubs open (due June 2023)" in dementia["Why"]
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    exceptions = _table_with(app, "Why")
    assert list(exceptions["ID"]) == ["LW-CAN-02", "LW-DEM-01"]
    assert set(exceptions["Reported"]) == {"? Not reported"}


def test_area_matrix_and_movement(app: AppTest) -> None:
    matrix = app.dataframe[0].value.set_index("Area")
    assert matrix.loc["Live Well – Cancer", "▲ Amber"] == 1
    assert matrix.loc["Live Well – Dementia", "✔ Green"] == 1
    movement = app.dataframe[1].value.set_index("Movement")["Objectives"]
    assert movement["↓ Deteriorated"] == 1 and movement["● New"] == 1


def test_plan_selector_limits_the_overview(app: AppTest) -> None:
    app.sidebar.selectbox(key="plan").set_value("demo-plan").run()
    assert not app.exception
    assert "Demo Plan 2023-25: 3 objectives" in app.caption[0].value


def test_the_chosen_quarter_and_plan_follow_the_user_to_other_pages(app: AppTest) -> None:
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    app.sidebar.selectbox(key="plan").set_value("demo-plan").run()
    app.switch_page("ui/pages/objectives.py").run()
    assert app.sidebar.selectbox(key="quarter").value == "2023-24 Q1"
    assert app.sidebar.selectbox(key="plan").value == "demo-plan"


def test_board_report_downloads_need_a_plan(app: AppTest) -> None:
    assert any("Choose a plan in the sidebar" in c.value for c in app.caption)
    labels = [b.proto.label for b in app.get("download_button")]
    assert not any("Board report" in label for label in labels)
    app.sidebar.selectbox(key="plan").set_value("demo-plan").run()
    assert not any("Board report" in b.proto.label for b in app.get("download_button"))
    app.button(key="report_prepare").click().run()
    assert not app.exception
    buttons = {b.proto.label: b for b in app.get("download_button")}
    assert "Download the Board report (PDF)" in buttons
    assert "Download the Board report (HTML)" in buttons
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()  # another quarter: print again
    assert not any("Board report" in b.proto.label for b in app.get("download_button"))
    assert app.button(key="report_prepare").proto.label == "Prepare the Board report (PDF and HTML)"


def test_signoffs_show_who_has_signed_and_who_is_awaited(
    app: AppTest, minimal_project: Project
) -> None:
    import datetime as dt

    from tracker.editing import add_signoff

    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    add_signoff(minimal_project, "LW-CAN-01", "2023-24 Q1", "Sefton Council", "A. Director",
                dt.date(2023, 7, 20))
    app.run()
    table = _table_with(app, "Waiting for").set_index("ID")
    assert table.loc["LW-CAN-01", "Signed off by"] == "Sefton Council (A. Director, 20 Jul 2023)"
    assert table.loc["LW-CAN-01", "Waiting for"] == "NHS Cheshire and Merseyside"
    assert any("**0** of 1 updates are signed off by every partner" in m.value for m in app.markdown)
    add_signoff(minimal_project, "LW-CAN-01", "2023-24 Q1", "NHS Cheshire and Merseyside", "B. Place",
                dt.date(2023, 7, 21))
    app.run()
    table = _table_with(app, "Waiting for").set_index("ID")
    assert table.loc["LW-CAN-01", "Waiting for"] == "✔ Fully signed off"


def test_counts_say_how_many_come_from_examples_and_agree_with_the_reminders(
    app: AppTest,
) -> None:
    # As at 2023-24 Q2 the amber (LW-CAN-01) and the green (LW-DEM-01) are example updates.
    captions = [c.value for c in app.caption]
    assert captions.count("⚠ 1 of them from example updates") == 2
    text = " ".join(m.value for m in app.markdown)
    assert ("**0** of 3 objectives have a real update for 2023-24 Q2; **3** have no real update "
            "yet (2 show only an example update, 1 no update at all).") in text
    matrix = app.dataframe[0].value.set_index("Area")
    assert list(matrix["Of which from examples"]) == [1, 1]
    movement = app.dataframe[1].value.set_index("Movement")["Of which involve an example"]
    assert movement["↓ Deteriorated"] == 1  # a real Q1 green against an example Q2 amber
    # The reminders page counts the same objectives as waiting, by the same definition.
    app.switch_page("ui/pages/reminders.py").run()
    reminders = " ".join(m.value for m in app.markdown)
    assert "**3** objective(s) have no real update yet" in reminders
    assert "2 show only an example update, 1 no update at all" in reminders


def test_a_complete_carried_forward_from_an_example_is_marked_in_every_count(
    app: AppTest, minimal_project: Project,
) -> None:
    examples = minimal_project.objectives_dir / "demo-plan" / "examples" / "updates.yaml"
    examples.write_text(examples.read_text() + (
        "  - {objective: LW-CAN-02, quarter: 2023-24 Q1, rag: blue, commentary: invented}\n"))
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q3").run()
    assert not app.exception
    assert _metric(app, "★ Complete") == "1"
    captions = [c.value for c in app.caption]
    assert "⚠ 1 of them from example updates" in captions
    assert "⚠ 1 of the 1 complete are complete only by an example update." in captions
    app.switch_page("ui/pages/objectives.py").run()
    table = app.dataframe[0].value.set_index("ID")
    assert table.loc["LW-CAN-02", "Reported"] == "★ Complete (example)"
    assert table.loc["LW-CAN-02", "Reported in"] == "2023-24 Q1"


# --- counts never shrink silently -------------------------------------------------------------


def test_a_bad_value_keeps_its_area_and_the_problem_is_said_above_the_counts(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch,
) -> None:
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace("target_date: 2023-06", "target_date: 2023-13"))
    at = dashboard(minimal_project, monkeypatch)
    at.run()
    assert not any("Something went wrong" in e.value for e in at.error)
    [banner] = [e.value for e in at.error if "Problems in the plan files" in e.value]
    assert "3 objectives shown, 1 of them with a problem" in banner
    assert "LW\\-CAN\\-01" in banner and "live\\-well\\-cancer" in banner and ":8:" in banner
    matrix = at.dataframe[0].value.set_index("Area")
    assert list(matrix.index) == ["Live Well – Cancer", "Live Well – Dementia"]
    assert matrix.loc["Live Well – Cancer"].iloc[1:6].sum() == 2  # both cancer objectives
    at.switch_page("ui/pages/reminders.py").run()
    assert any("Problems in the plan files" in e.value and "LW\\-CAN\\-01" in e.value
               for e in at.error)


def test_no_problem_banner_when_the_files_are_sound(app: AppTest) -> None:
    assert not any("Problems in the plan files" in e.value for e in app.error)
