"""The scorecard page's chart shows a metric's events, and lists them under it in words."""

from __future__ import annotations

import json

import pytest

from tests.conftest import dashboard
from tracker.project import Project
from ui.widgets import plain


def test_events_are_drawn_on_the_chart_and_listed_under_it(
    shipped_copy: Project, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = shipped_copy.data_dir / "metrics" / "examples.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    target: {value: 66.7, due: 2023-09, set_by: NHS England (national ambition)}\n",
        "    target: {value: 66.7, due: 2023-09, set_by: NHS England (national ambition)}\n"
        "    events: [{period: 2022-04, text: \"Coordinators [met](https://x.example)\"}]\n", 1),
        encoding="utf-8")
    at = dashboard(shipped_copy, monkeypatch)
    at.run()
    at = at.switch_page("ui/pages/scorecard.py").run()
    at.selectbox(key="chart_metric").set_value("dementia-diagnosis-rate").run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "1. Coordinators [met](https://x.example)" in [
        a.get("text") for a in spec["layout"].get("annotations", [])]
    listed = [m.value for m in at.markdown if "Events marked on the chart" in m.value]
    assert listed == ["**Events marked on the chart**  \n"
                      + plain("1. April 2022: Coordinators [met](https://x.example)")]
    assert "Coordinators \\[met\\]\\(" in listed[0]  # shown as typed: no link forms
