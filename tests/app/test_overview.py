"""The Board overview: counts, movement and exceptions follow the plan and the quarter."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.static_tables import static_table_with, static_tables
from tests.conftest import dashboard
from tracker.project import Project
from tracker.report.pack import ReportData

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(minimal_project: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = dashboard(minimal_project, monkeypatch)
    at.run()
    return at


def _table_with(at: AppTest, column: str):
    """The first table on the page that has `column` (the overview's tables are static)."""
    return static_table_with(at, column)


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
    # Issue 17: not reported alone is not an exception (LW-CAN-02 is listed apart, by lead).
    assert list(exceptions["ID"]) == ["LW-CAN-01", "LW-DEM-01"]
    assert exceptions.iloc[0]["Reported"] == "▲ Amber (example)"
    assert exceptions.iloc[0]["Evidence"] == "⚑ Overdue"
    assert exceptions.iloc[0]["Why"].startswith("Target date June 2023 has passed")
    # Reported green, but its milestone is late with the target month near: rosier than the evidence.
    dementia = exceptions.iloc[1]
    assert (dementia["Reported"], dementia["Evidence"]) == ("✔ Green (example)", "▲ At risk")
    assert dementia["Why"].startswith("Reported green (example update) but the evidence says at risk")
    assert "Milestone late: Wellbeing hubs open (due June 2023)" in dementia["Why"]
    assert any("not reported for 2023-24 Q2, by lead: No lead named (Live well): LW-CAN-02"
               in c.value for c in app.caption)
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    exceptions = _table_with(app, "Why")
    assert list(exceptions["ID"]) == []  # both are only not reported: listed, not exceptions
    assert any("2 objectives not reported for 2023-24 Q1" in c.value and "LW-CAN-02" in c.value
               and "LW-DEM-01" in c.value for c in app.caption)
    assert any(m.value.startswith("**0** objectives are red") for m in app.markdown)


def test_area_matrix_and_movement(app: AppTest) -> None:
    matrix = static_tables(app)[0].set_index("Area")
    assert matrix.loc["Live Well – Cancer", "▲ Amber"] == 1
    assert matrix.loc["Live Well – Dementia", "✔ Green"] == 1
    movement = static_tables(app)[1].set_index("Movement")["Objectives"]
    assert movement["↓ Deteriorated"] == 1 and movement["● New"] == 1


SECOND_PLAN = """\
id: second-plan
name: Second Plan 2023-25
owner: Test Partnership
period: {start: 2023-04, end: 2025-03}
groups:
  - id: start-well
    name: Start well
    areas:
      - id: start-well-maternity
        name: Start Well – Maternity
        code: SW-MAT
"""
SECOND_PLAN_AREA = """\
objectives:
  - id: SW-MAT-01
    objective: Open the continuity of carer teams.
    impacts: []
    timeframe: March 2024
    target_date: 2024-03
    updates:
      - quarter: 2023-24 Q2
        rag: red
        commentary: Recruitment has stalled.
        updated_by: B. Lead
        updated_on: 2023-10-05
"""


def _counts(at: AppTest) -> list[str]:
    """The Red, Amber, Green and Not reported counts at the top of the overview."""
    return [_metric(at, label) for label in ("✖ Red", "▲ Amber", "✔ Green", "? Not reported")]


def test_plan_selector_limits_the_overview(minimal_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    # A second plan beside the minimal one: one objective, reported red in 2023-24 Q2.
    folder = minimal_project.root / "objectives" / "second-plan"
    folder.mkdir()
    (folder / "plan.yaml").write_text(SECOND_PLAN, encoding="utf-8")
    (folder / "start-well-maternity.yaml").write_text(SECOND_PLAN_AREA, encoding="utf-8")
    app = dashboard(minimal_project, monkeypatch)
    app.run()
    assert "All plans: 4 objectives" in app.caption[0].value
    assert _counts(app) == ["1", "1", "1", "1"]
    app.sidebar.selectbox(key="plan").set_value("demo-plan").run()
    assert "Demo Plan 2023\\-25: 3 objectives" in app.caption[0].value  # the name as plain text
    assert _counts(app) == ["0", "1", "1", "1"]
    assert "Start Well – Maternity" not in set(static_tables(app)[0]["Area"])
    app.sidebar.selectbox(key="plan").set_value("second-plan").run()
    assert "Second Plan 2023\\-25: 1 objectives" in app.caption[0].value
    assert _counts(app) == ["1", "0", "0", "0"]
    assert list(static_tables(app)[0]["Area"]) == ["Start Well – Maternity"]
    assert list(_table_with(app, "Why")["ID"]) == ["SW-MAT-01"]


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

    from tracker.plans.editing import add_signoff

    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    add_signoff(minimal_project, "LW-CAN-01", "2023-24 Q1", "Sefton Council", "council-signatory",
                dt.date(2023, 7, 20))
    app.run()
    table = _table_with(app, "Waiting for").set_index("ID")
    assert table.loc["LW-CAN-01", "Signed off by"] == "Sefton Council (A. Director, 20 Jul 2023)"
    assert table.loc["LW-CAN-01", "Waiting for"] == "NHS Cheshire and Merseyside"
    assert any("**0** of 1 updates are signed off by every partner" in m.value for m in app.markdown)
    add_signoff(minimal_project, "LW-CAN-01", "2023-24 Q1", "NHS Cheshire and Merseyside", "icb-signatory",
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
    matrix = static_tables(app)[0].set_index("Area")
    assert list(matrix["Of which from examples"]) == [1, 1]
    movement = static_tables(app)[1].set_index("Movement")["Of which involve an example"]
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
    # Complete since Q1, it has no Q3 update to sign: never shown or counted as signed off
    # (a user trial found it listed as "✔ Fully signed off" with nobody's signature).
    signoffs = _table_with(app, "Waiting for")
    assert "LW-CAN-02" not in list(signoffs["ID"])
    assert "✔ Fully signed off" not in list(signoffs["Waiting for"])
    assert any(f"**0** of {len(signoffs)} updates are signed off by every partner" in m.value
               for m in app.markdown)
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
    matrix = static_tables(at)[0].set_index("Area")
    assert list(matrix.index) == ["Live Well – Cancer", "Live Well – Dementia"]
    assert matrix.loc["Live Well – Cancer"].iloc[1:6].sum() == 2  # both cancer objectives
    at.switch_page("ui/pages/reminders.py").run()
    assert any("Problems in the plan files" in e.value and "LW\\-CAN\\-01" in e.value
               for e in at.error)


def test_no_problem_banner_when_the_files_are_sound(app: AppTest) -> None:
    assert not any("Problems in the plan files" in e.value for e in app.error)
    assert [e.value for e in app.error] == []
    # the page itself is there, with every objective counted
    assert app.title[0].value == "Board overview"
    assert "All plans: 3 objectives" in app.caption[0].value
    assert _counts(app) == ["0", "1", "1", "1"]


@pytest.fixture
def counted_prints(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each print of a Board pack, as it happens; printing is slowed so presses overlap."""
    import time

    import ui.packs

    printed: list[str] = []
    real = ui.packs.render_pdf

    def slow_counted(data: ReportData) -> bytes:  # stands in for tracker.report.pack.render_pdf
        printed.append(data.plan["name"])
        time.sleep(1.5)
        return real(data)

    monkeypatch.setattr(ui.packs, "render_pdf", slow_counted)
    return printed


def test_two_presses_at_once_print_the_pack_once_and_get_the_same_bytes(
    minimal_project: Project, counted_prints: list[str],
) -> None:
    """Issue 20, finding 11: six presses at once printed six packs, 13-20 s each, and slowed
    every other viewer. The second press now waits for the first and shares its result."""
    from concurrent.futures import ThreadPoolExecutor

    from tracker.db.serving import ensure_built
    from tracker.status.quarters import parse_quarter
    from ui.packs import board_pack

    ensure_built(minimal_project)
    quarter = parse_quarter("2023-24 Q2")
    with ThreadPoolExecutor(2) as pool:
        packs = list(pool.map(lambda _: board_pack(minimal_project, "demo-plan", quarter), range(2)))
    assert len(counted_prints) == 1
    assert packs[0] is packs[1]
    assert packs[0][0].startswith(b"%PDF") and b"Demo Plan 2023-25" in packs[0][1]


def _pressed(at: AppTest) -> AppTest:
    at.sidebar.selectbox(key="plan").set_value("demo-plan").run()
    at.button(key="report_prepare").click()
    return at


def test_a_pack_prepared_in_one_session_is_offered_in_another_without_printing_again(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch, counted_prints: list[str],
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    first, second = dashboard(minimal_project, monkeypatch), dashboard(minimal_project, monkeypatch)
    first.run()
    second.run()
    with ThreadPoolExecutor(2) as pool:  # both press "Prepare" at the same moment
        list(pool.map(lambda at: _pressed(at).run(), [first, second]))
    assert not first.exception and not second.exception
    assert counted_prints == ["Demo Plan 2023-25"]
    urls = [{b.proto.label: b.proto.url for b in at.get("download_button")} for at in (first, second)]
    assert urls[0]["Download the Board report (PDF)"] == urls[1]["Download the Board report (PDF)"]
    third = dashboard(minimal_project, monkeypatch)  # a later viewer: the pack is there already
    third.run()
    third.sidebar.selectbox(key="plan").set_value("demo-plan").run()
    assert "Download the Board report (PDF)" in [b.proto.label for b in third.get("download_button")]
    assert counted_prints == ["Demo Plan 2023-25"]


def test_the_settings_widen_the_exceptions_with_a_reason(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (minimal_project.root / "settings.yaml").write_text("exceptions_include: [not_reported]\n",
                                                        encoding="utf-8")
    at = dashboard(minimal_project, monkeypatch)
    at.run()
    exceptions = _table_with(at, "Why").set_index("ID")
    assert list(exceptions.index) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]
    assert exceptions.at["LW-CAN-02", "Why"] == "No update for the quarter"
    assert any("(and, by the settings, not_reported)" in m.value for m in at.markdown)
