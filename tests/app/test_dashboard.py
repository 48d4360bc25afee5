"""The dashboard through Streamlit's AppTest: real pages over the real database."""

from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import build_lock_held_elsewhere, dashboard
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


@pytest.mark.logs_errors
def test_a_page_that_fails_shows_a_friendly_message(
    app: AppTest, minimal_project: Project
) -> None:
    open_objectives(app)
    (minimal_project.root / "queries" / "plans" / "objectives_table.sql").write_text("select nonsense")
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
    app.multiselect(key="f_status").set_value(["overdue"]).run()
    assert list(_table(app)["ID"]) == ["LW-CAN-01"]  # June 2023 has passed as at 2023-24 Q2
    app.multiselect(key="f_status").set_value([]).run()
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


@pytest.mark.logs_errors
def test_a_build_that_cannot_write_is_explained(
    app: AppTest, minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.db.build

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(tracker.db.build, "_build_locked", refuse)
    app.run()
    assert not app.exception
    [error] = [e.value for e in app.error]
    assert "There is no database to show" in error
    assert "could not rebuild its database" in error and "read\\-only file system" in error
    assert "`python -m tracker build`" in error and "Reference " in error


@pytest.mark.logs_errors
def test_an_exception_in_a_page_is_logged_with_its_traceback_and_the_page_gives_its_reference(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import streamlit as st

    import tracker.status.objectives

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("a fault deep in the status engine")

    app.run()
    monkeypatch.setattr(tracker.status.objectives, "objective_status", broken)
    st.cache_resource.clear()  # the overview's status is cached (ui/data.py): the next page works it out
    with caplog.at_level(logging.ERROR):
        app.switch_page("ui/pages/objectives.py").run()
    assert not app.exception
    [shown] = [e.value for e in app.error]
    reference = re.search(r"Reference ([0-9A-F]{8})", shown)
    assert reference, shown
    assert "validate" not in shown  # validate checks the plan files: it cannot find this
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.reference == reference.group(1)
    assert reference.group(1) in record.getMessage() and "objectives.py" in record.getMessage()
    traceback = logging.Formatter().formatException(record.exc_info)
    assert "ZeroDivisionError: a fault deep in the status engine" in traceback
    assert "in broken" in traceback


def test_the_error_log_fixture_fails_a_test_that_logs_an_error(tmp_path: Path) -> None:
    """The autouse fixture in tests/app/conftest.py turns a logged error into a failure."""
    import sys

    (tmp_path / "conftest.py").write_text((Path(__file__).parent / "conftest.py").read_text())
    (tmp_path / "test_logged.py").write_text(
        "import logging\nimport pytest\n\n"
        "def test_logs():\n    logging.getLogger('ui.widgets').error('a page failed')\n\n"
        "@pytest.mark.logs_errors\n"
        "def test_logs_on_purpose():\n    logging.getLogger('ui.widgets').error('a page failed')\n\n"
        "def test_warns():\n    logging.getLogger('ui.widgets').warning('a warning is fine')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--strict-markers", "-rE",
         str(tmp_path)], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "3 passed, 1 error" in result.stdout, result.stdout
    assert "ERROR test_logged.py::test_logs - Failed: 1 record(s) logged at error level" in result.stdout
    assert "ERROR ui.widgets: a page failed" in result.stdout


def _change_a_plan(project: Project, new_text: str = "Roll out TLHC.") -> None:
    area = project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace("Roll out lung health checks.", new_text))


@pytest.mark.logs_errors
def test_a_failed_build_keeps_the_last_good_data_with_a_banner_saying_what_where_and_since_when(
    app: AppTest, minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.db.build

    open_objectives(app)
    attempts = []

    def crash(*_args: object, **_kwargs: object) -> None:
        attempts.append(1)
        raise ValueError("year 0 is out of range")

    monkeypatch.setattr(tracker.db.build, "load_extracts", crash)
    monkeypatch.setattr(tracker.db.build, "update_copy", crash)  # and an incremental build
    _change_a_plan(minimal_project)
    app.run()
    assert not app.exception
    assert "Roll out lung health checks." in list(_table(app)["Objective"])  # the last good data
    [banner] = [w.value for w in app.warning if "last good" in w.value]
    assert "Showing the last good figures, built " in banner
    assert "ValueError: year 0 is out of range" in banner
    assert "`objectives/demo-plan/live-well-cancer.yaml`" in banner  # where: the changed file
    assert "failing since " in banner and "`python -m tracker build`" in banner
    assert re.search(r"Reference [0-9A-F]{8}", banner)
    app.run()  # the same sources are not rebuilt on every view
    assert len(attempts) == 1
    assert any("last good" in w.value for w in app.warning)
    monkeypatch.undo()
    monkeypatch.setenv("TRACKER_ROOT", str(minimal_project.root))
    monkeypatch.chdir(REPO)
    _change_a_plan(minimal_project, "Roll out TLHC.")  # a fix (any edit) is tried at once
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace("Roll out TLHC.", "Roll out TLHC now."))
    app.run()
    assert "Roll out TLHC now." in list(_table(app)["Objective"])
    assert not any("last good" in w.value for w in app.warning)




def test_while_another_process_builds_pages_show_the_current_data_at_once_with_a_note(
    app: AppTest, minimal_project: Project
) -> None:
    import time

    from tracker.db.build import build

    open_objectives(app)
    with build_lock_held_elsewhere(minimal_project):
        _change_a_plan(minimal_project)
        start = time.monotonic()
        app.run()
        assert time.monotonic() - start < 10  # before: every page waited on the lock
        assert not app.exception
        assert "Roll out lung health checks." in list(_table(app)["Objective"])
        assert any("a newer database is being built" in i.value for i in app.info)
    build(minimal_project)  # the other process's build swaps in the new file
    app.run()
    assert "Roll out TLHC." in list(_table(app)["Objective"])
    assert not any("being built" in i.value for i in app.info)


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """The folder made read-only, for root too (chattr +i) where chmod is not enough."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a folder read-only here (chattr +i refused)")
        undo = ["chattr", "-i", str(folder)]
    else:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    try:
        yield
    finally:
        subprocess.run(undo, check=True)


@pytest.mark.logs_errors
def test_a_read_only_data_folder_keeps_the_last_good_data_with_a_banner(
    app: AppTest, minimal_project: Project
) -> None:
    open_objectives(app)
    _change_a_plan(minimal_project)
    with read_only(minimal_project.data_dir):
        app.run()
        assert not app.exception
        assert "Roll out lung health checks." in list(_table(app)["Objective"])
        [banner] = [w.value for w in app.warning if "last good" in w.value]
        assert "could not rebuild its database" in banner and "Reference " in banner
    app.run()  # writable again: still the same failed sources, shown as such until retried
    assert "Roll out lung health checks." in list(_table(app)["Objective"])


@pytest.mark.logs_errors
def test_a_corrupt_database_that_cannot_be_rebuilt_names_build_as_the_fix(
    app: AppTest, minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.db.build

    open_objectives(app)
    data = minimal_project.db_path.read_bytes()
    minimal_project.db_path.write_bytes(data[: len(data) // 2])  # cut short, as by a full disk
    monkeypatch.setattr(tracker.db.build, "load_extracts", lambda *_a, **_k: 1 / 0)
    app.run()
    assert not app.exception
    [error] = [e.value for e in app.error]
    assert "There is no database to show" in error and "`python -m tracker build`" in error
    assert "validate" not in error
