"""The scorecard page on the shipped data: headline metrics, icons in words, charts on demand."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import dashboard, db_rows
from tracker.project import Project

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(shipped_copy: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = dashboard(shipped_copy, monkeypatch)
    at.run()
    return at.switch_page("ui/pages/scorecard.py").run()


def _scorecard(at: AppTest):
    return next(d.value for d in at.dataframe if "Assurance" in d.value.columns)


def _expected_words(values: list[float], higher_is_better: bool, target: float | None,
                    tolerance: float | None) -> tuple[str, str, str]:
    """Against target, variation and assurance in words, worked out here from the Making Data Count
    rules (XmR limits: mean ± 2.66 × the mean moving range, ranges over 3.267 × that mean left out;
    a special cause is a point beyond the limits, a run of 7 on one side of the mean, 7 rising or
    falling, or 2 of 3 beyond two sigma on one side) without the tracker's SPC code."""
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
        good = up == higher_is_better
        variation = (f"Special cause: {'improving' if good else 'concerning'} "
                     f"({'higher' if up else 'lower'})")
    else:
        variation = "Common cause: no significant change"
    if target is None:
        assurance = "—"
    elif (target > upl) == higher_is_better and not lpl <= target <= upl:
        assurance = "Will consistently miss the target without change"
    elif not lpl <= target <= upl:
        assurance = "Will consistently meet the target"
    else:
        assurance = "Hit and miss: may or may not meet the target"
    return against, variation, assurance


def test_headline_scorecard_with_words_for_every_icon(app: AppTest, shipped_copy: Project) -> None:
    table = _scorecard(app)
    metrics = {name: rest for name, *rest in db_rows(
        shipped_copy, "select name, metric_id, direction, target_value, tolerance from metrics")}
    checked = 0
    for _, row in table[table["Shown as"] == "SPC chart"].iterrows():
        metric_id, direction, target, tolerance = metrics[row["Metric"].removesuffix(" (example)")]
        month = dt.datetime.strptime(row["Latest"].rsplit("(", 1)[1].rstrip(")"), "%b %Y").date()
        values = [v for (v,) in db_rows(shipped_copy, f"""
            select value from metric_values where metric_id = '{metric_id}' and org = '{row["Organisation"]}'
              and period <= '{month}' order by period""")]
        against, variation, assurance = _expected_words(values, direction == "higher_is_better", target,
                                                        tolerance)
        shown = (row["Against target"], row["Variation"].split(" ", 1)[1], row["Assurance"].split(" ", 1)[-1])
        assert shown == (against, variation, assurance), row["Metric"]
        checked += 1
    assert checked == 7  # every headline metric with enough points for a chart, at each organisation
    dementia = table.set_index("Metric").loc["Dementia diagnosis rate (65+) (example)"]
    assert dementia["Target"] == "66.7%"
    assert dementia["Assurance"] == "F Will consistently miss the target without change"
    assert "Talking therapies (IAPT) people entering treatment (example)" not in set(table["Metric"])
    assert any("Example data" in w.value for w in app.warning)


def test_all_metrics_and_the_quarter_change_what_is_shown(app: AppTest) -> None:
    app.toggle(key="headline_only").set_value(False).run()
    table = _scorecard(app).set_index("Metric")
    assert "A&E type 1 patients seen within 4 hours" in table.index
    latest_q4 = table.loc["Dementia diagnosis rate (65+) (example)", "Latest"]
    app.sidebar.selectbox(key="quarter").set_value("2023-24 Q1").run()
    latest_q1 = _scorecard(app).set_index("Metric").loc["Dementia diagnosis rate (65+) (example)",
                                                         "Latest"]
    assert latest_q1.endswith("(Jun 2023)") and latest_q4.endswith("(Mar 2024)")


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
    headline = next(d.value for d in at.dataframe if "Assurance" in d.value.columns)
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
    assert set(ae["Latest"]) == {"No recent data (latest Mar 2019)"}
    assert set(ae["Against target"]) == {"– Not judged: no recent data"}
    nctr = table[table["Metric"].str.startswith("Patients with no criteria to reside")]
    assert list(nctr["Organisation"]) == ["Southport and Ormskirk", "Liverpool University"]
    app.selectbox(key="chart_metric").set_value("no-criteria-to-reside@Liverpool University").run()
    assert not app.exception
    assert app.selectbox(key="org_no-criteria-to-reside@Liverpool University").value == "Liverpool University"
    app.selectbox(key="chart_metric").set_value("ae-type1-4hr-performance@RVY").run()
    assert not app.exception
    assert any("No recent data" in w.value and "March 2019" in w.value for w in app.warning)
