"""The scorecard page on the shipped data: the IPR summary with the Making Data Count icons and
their names, charts on demand."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.static_tables import static_table_with
from tests.conftest import dashboard, db_rows
from tests.ipr_html import Row, drawn_svgs
from tests.ipr_html import summary_rows as read_rows
from tracker.metrics.scorecard import metric_views
from tracker.project import Project
from tracker.spc.icons import ASSURANCE_NAMES, VARIATION_NAMES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(shipped_copy: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = dashboard(shipped_copy, monkeypatch)
    at.run()
    return at.switch_page("ui/pages/scorecard.py").run()


COLUMNS = ["Metric", "Organisation", "Latest period", "Latest value", "Target", "Variation",
           "Assurance", "Trend", "Data"]


def _html(at: AppTest) -> list[str]:
    """Each block of HTML the page draws (st.html: the summary, the icon key, icons)."""
    return [element.proto.body for element in at.get("html")]


def _rows(at: AppTest) -> list[Row]:
    return [row for body in _html(at) for row in read_rows(body)]


def _scorecard(at: AppTest) -> pd.DataFrame:
    """The Integrated Performance Report summary as a table of the words a reader sees."""
    return pd.DataFrame([row.cells for row in _rows(at)], columns=COLUMNS)


def test_headline_scorecard_shows_the_icons_with_their_names_for_every_headline_metric(
    app: AppTest, shipped_copy: Project,
) -> None:
    assert not app.exception
    headline = [v for v in metric_views(shipped_copy, dt.date(2024, 3, 31))
                if v.metric_id in set(db_rows_headline(shipped_copy))]
    rows = _rows(app)
    assert [r.measure for r in rows] == [v.name + " (example)" * v.is_example for v in headline]
    with_icons = 0
    for row, view in zip(rows, headline, strict=True):
        expected = ([(view.variation_icon, VARIATION_NAMES[view.variation_icon])]
                    if view.variation_icon else [])
        expected += ([(view.assurance_icon, ASSURANCE_NAMES[view.assurance_icon])]
                     if view.assurance_icon else [])
        assert row.icons == expected, row.measure
        with_icons += bool(expected)
    assert with_icons >= 5
    table = _scorecard(app).set_index("Metric")
    dementia = table.loc["Dementia diagnosis rate (65+) (example)"]
    assert dementia["Target"] == "66.7% set by NHS England (national ambition)"
    assert dementia["Latest value"].endswith(("✔ Target met", "▲ Within tolerance", "✖ Target missed"))
    assert "Talking therapies (IAPT) people entering treatment (example)" not in table.index
    assert any("Example data" in w.value for w in app.warning)
    key = " ".join(_html(app))
    assert 'caption>Icon key' in key and key.count('class="mdc-icon"') >= len(rows) + 10
    assert any(b.proto.label == "Download the scorecard (CSV)" for b in app.get("download_button"))


def db_rows_headline(project: Project) -> list[str]:
    return [r[0] for r in db_rows(project, "select metric_id from metrics where headline")]


def _expected_kinds(values: list[float], higher_is_better: bool, target: float | None,
                    tolerance: float | None) -> tuple[str, str, str | None]:
    """Against target in words, and the variation and assurance icons' kinds, worked out here from
    the Making Data Count rules (XmR limits: mean ± 2.66 × the mean moving range, ranges over
    3.267 × that mean left out; a special cause is a point beyond the limits, a run of 7 on one
    side of the mean, 7 rising or falling, or 2 of 3 beyond two sigma on one side) without the
    tracker's SPC code."""
    latest = values[-1]
    if target is None:
        against = "– No target"
    else:
        gap = (latest - target) if higher_is_better else (target - latest)
        against = ("✔ Target met" if gap >= 0 else
                   "▲ Within tolerance" if gap >= -(tolerance or 0) else "✖ Target missed")
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    average = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < 3.267 * average]
    sigma = sum(kept) / len(kept) / 1.128
    upl, lpl = mean + 3 * sigma, mean - 3 * sigma
    last7, last3 = values[-7:], values[-3:]
    up = (latest > upl or all(v > mean for v in last7)
          or all(b > a for a, b in itertools.pairwise(last7))
          or (latest > mean + 2 * sigma and sum(v > mean + 2 * sigma for v in last3) >= 2))
    down = (latest < lpl or all(v < mean for v in last7)
            or all(b < a for a, b in itertools.pairwise(last7))
            or (latest < mean - 2 * sigma and sum(v < mean - 2 * sigma for v in last3) >= 2))
    if up or down:
        variation = f"{'improvement' if up == higher_is_better else 'concern'}_{'high' if up else 'low'}"
    else:
        variation = "common_cause"
    if target is None:
        assurance = None
    elif not lpl <= target <= upl:
        assurance = "consistent_fail" if (target > upl) == higher_is_better else "consistent_pass"
    else:
        assurance = "inconsistent"
    return against, variation, assurance


def test_the_icons_agree_with_the_rules_worked_out_independently(app: AppTest,
                                                                 shipped_copy: Project) -> None:
    """Each charted headline metric's icons and target words, against the Making Data Count rules
    applied here to the values in the database (not the tracker's SPC code)."""
    metrics = {name: rest for name, *rest in db_rows(
        shipped_copy, "select name, metric_id, direction, target_value, tolerance from metrics")}
    checked = 0
    for row in _rows(app):
        kinds = [kind for kind, _ in row.icons]
        variation = next((k for k in kinds if k in VARIATION_NAMES), None)
        if variation is None:  # a run chart or no recent data: no SPC icons to check
            continue
        metric_id, direction, target, tolerance = metrics[row.measure.removesuffix(" (example)")]
        org, period = row.cells[1], row.cells[2]
        month = dt.datetime.strptime(period, "%b %Y").date()
        values = [v for (v,) in db_rows(shipped_copy, f"""
            select value from metric_values where metric_id = '{metric_id}' and org = '{org}'
              and period <= '{month}' order by period""")]
        against, expected_variation, expected_assurance = _expected_kinds(
            values, direction == "higher_is_better", target, tolerance)
        assurance = next((k for k in kinds if k in ASSURANCE_NAMES), None)
        assert (variation, assurance) == (expected_variation, expected_assurance), row.measure
        if target is None:  # the value alone, no judgement against a target
            assert not row.cells[3].endswith(("met", "tolerance", "missed")), row.cells[3]
        else:
            assert row.cells[3].endswith(against), (row.measure, row.cells[3])
        checked += 1
    assert checked == 7  # every headline metric with enough points for a chart, at each organisation


def test_all_metrics_and_the_quarter_change_what_is_shown(app: AppTest) -> None:
    app.toggle(key="headline_only").set_value(False).run()
    table = _scorecard(app).set_index("Metric")
    assert "A&E type 1 patients seen within 4 hours" in table.index
    latest_q4 = table.loc["Dementia diagnosis rate (65+) (example)", "Latest period"]
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    latest_q1 = _scorecard(app).set_index("Metric").loc["Dementia diagnosis rate (65+) (example)",
                                                         "Latest period"]
    assert latest_q1 == "Jun 2023" and latest_q4 == "Mar 2024"


def test_a_metric_chart_has_limits_target_and_special_causes(app: AppTest) -> None:
    app.selectbox(key="chart_metric").set_value("dementia-diagnosis-rate").run()
    assert not app.exception
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    names = {trace.get("name") for trace in spec["data"]}
    assert {"Mean", "Lower process limit", "Upper process limit"} <= names
    assert "Special cause: improving" in names
    text = " ".join(m.value for m in app.markdown)
    assert "Making Data Count SPC chart" in text
    assert "66\\.7%" in text


def test_overview_shows_headline_metrics(shipped_copy: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    at = dashboard(shipped_copy, monkeypatch).run()
    headline = static_table_with(at, "Assurance")  # the overview's tables are static
    assert "Cancer 28-day faster diagnosis standard (example)" in list(headline["Metric"])
    assert any("invented figures" in c.value for c in at.caption)


def test_objective_detail_shows_its_linked_metrics_with_charts(
    shipped_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = dashboard(shipped_copy, monkeypatch).run()
    at.switch_page("ui/pages/objectives.py").run()
    at.selectbox(key="detail").set_value("AW-DEM-01").run()
    assert not at.exception
    assert any(r"Dementia diagnosis rate \(65\+\) \(example data\)" in e.label  # as plain text
               for e in at.expander)
    assert any("Mean" in chart.proto.spec for chart in at.get("plotly_chart"))


def test_all_metrics_show_the_place_s_own_organisations_and_only_recent_data_as_current(
    app: AppTest,
) -> None:
    """2023-24 Q4, every metric: the A&E metrics were shown for R1F with March 2019 as the latest
    value; now for Sefton's trusts RVY and REM, as no recent data. No-criteria-to-reside shows
    both trusts."""
    app.toggle(key="headline_only").set_value(False).run()
    table = _scorecard(app)
    assert "R1F" not in set(table["Organisation"])
    ae = table[table["Metric"] == "A&E type 1 patients seen within 4 hours"]
    assert list(ae["Organisation"]) == ["RVY", "REM"]
    assert set(ae["Latest value"]) == {"No recent data"}
    assert set(ae["Data"]) == {"No recent data (latest Mar 2019)"}
    assert set(ae["Variation"]) == set(ae["Assurance"]) == {"Not judged: no recent data"}
    nctr = table[table["Metric"].str.startswith("Patients with no criteria to reside")]
    assert list(nctr["Organisation"]) == ["Southport and Ormskirk", "Liverpool University"]
    app.selectbox(key="chart_metric").set_value("no-criteria-to-reside@Liverpool University").run()
    assert not app.exception
    assert app.selectbox(key="org_no-criteria-to-reside@Liverpool University").value == "Liverpool University"
    app.selectbox(key="chart_metric").set_value("ae-type1-4hr-performance@RVY").run()
    assert not app.exception
    assert any("No recent data" in w.value and "March 2019" in w.value for w in app.warning)


def test_an_objective_s_linked_metrics_show_their_icons_by_name_and_the_key(
    shipped_copy: Project, monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = dashboard(shipped_copy, monkeypatch).run()
    at.switch_page("ui/pages/objectives.py").run()
    at.selectbox(key="detail").set_value("AW-DEM-01").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="quarter").value == "2023-24 Q4"
    [dementia] = metric_views(shipped_copy, dt.date(2024, 3, 31), ["dementia-diagnosis-rate"])
    expander = next(e for e in at.expander if e.label.startswith(r"Dementia diagnosis rate"))
    shown = " ".join(e.proto.body for e in expander.get("html"))  # the key (below) names every icon
    for name in (VARIATION_NAMES[dementia.variation_icon], ASSURANCE_NAMES[dementia.assurance_icon]):
        assert f'alt="{name}" title="{name}"' in shown
        assert f'role="img" aria-label="{name}"' in drawn_svgs(shown)  # and the picture says so
    assert any(e.label.startswith("Icon key") for e in at.expander)


def test_the_rebase_advice_is_for_analysts_apart_from_the_board_s_reading(app: AppTest) -> None:
    """A user trial read "consider \\`rebase: [...]\\` in data/metrics/examples.yaml" with literal
    backticks in the Board's explanation: the reading stops before the advice, which follows
    in a caption for analysts with its YAML as code."""
    app.selectbox(key="chart_metric").set_value("dementia-diagnosis-rate").run()
    assert not app.exception
    reading = " ".join(m.value for m in app.markdown)
    assert "Making Data Count SPC chart" in reading and "consider" not in reading
    [advice] = [c.value for c in app.caption if c.value.startswith("For analysts: ")]
    assert "consider `rebase: [{period: 2023-07, reason: ...}]` in data/metrics/examples\\.yaml" in advice
