"""Navigation a Board member expects: from an area to its objectives, objectives by their words,
"red or overdue" as one filter, and milestone charts with month axes."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.static_tables import link_texts, static_tables
from tests.conftest import dashboard
from tracker.project import Project


@pytest.fixture
def app(minimal_project: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return dashboard(minimal_project, monkeypatch)


def _objectives(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["ID"])


def test_each_area_row_on_the_overview_links_to_its_objectives(app: AppTest) -> None:
    app.run()
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    matrix = static_tables(app)[0].set_index("Area")
    link = urlsplit(matrix.loc["Live Well – Dementia", "Objectives"])
    assert link.path == "objectives"
    assert parse_qs(link.query) == {"area": ["live-well-dementia"], "quarter": ["2023-24 Q1"]}
    assert set(link_texts(app, 0)) == {"Open"}


def test_the_objectives_page_opened_from_an_area_link_shows_that_area_as_at_its_quarter(
        app: AppTest) -> None:
    app.query_params.update({"area": "live-well-dementia", "quarter": "2023-24 Q1"})
    app.switch_page("ui/pages/objectives.py").run()
    assert not app.exception
    assert _objectives(app) == ["LW-DEM-01"]
    assert app.multiselect(key="f_area").value == ["Live Well – Dementia"]
    assert app.sidebar.selectbox(key="quarter").value == "2023-24 Q1"
    # The link is honoured once: clearing the filter then shows every objective.
    app.multiselect(key="f_area").set_value([]).run()
    assert _objectives(app) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]


def test_the_objective_picker_shows_each_objective_s_words(app: AppTest) -> None:
    app.run()
    app.switch_page("ui/pages/objectives.py").run()
    picker = app.selectbox(key="detail")
    assert picker.options == ["LW-CAN-01: Implement the FIT pathway.",
                              "LW-CAN-02: Roll out lung health checks.",
                              "LW-DEM-01: Recover the dementia diagnosis rate."]


def test_status_filter_says_red_or_overdue(app: AppTest) -> None:
    app.run()
    app.switch_page("ui/pages/objectives.py").run()
    # As at 2023-24 Q2 nothing is red and LW-CAN-01 (amber) is overdue: "red or overdue" finds it.
    app.multiselect(key="f_status").set_value(["red", "overdue"]).run()
    assert _objectives(app) == ["LW-CAN-01"]
    app.multiselect(key="f_status").set_value(["not_reported", "overdue"]).run()
    assert _objectives(app) == ["LW-CAN-01", "LW-CAN-02"]
    app.multiselect(key="f_status").set_value(["green"]).run()
    assert _objectives(app) == ["LW-DEM-01"]


def test_a_timeline_of_one_milestone_has_a_month_axis(app: AppTest) -> None:
    app.run()
    app.switch_page("ui/pages/objectives.py").run()
    app.selectbox(key="detail").set_value("LW-DEM-01").run()  # one milestone: June 2023
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    axis = spec["layout"]["xaxis"]
    assert axis["type"] == "date" and axis["tickformat"] == "%b %Y"
    assert axis["range"] == ["2023-05-01", "2023-07-01"] and axis["dtick"] == "M1"
    assert any("Chart: Milestone June 2023: Wellbeing hubs open" in c.value for c in app.caption)
