"""The Integrated Performance Report summary: one row per measure, as a Board reads it."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from tests.ipr_html import summary_rows as read_rows
from tracker.metrics.scorecard import evaluate
from tracker.report.ipr import CSS, SECONDARY, summary_rows, summary_table_html

DEFINITION = {
    "metric_id": "waits", "name": 'Waits <img src=x onerror="alert(1)"> & more', "unit": "percent",
    "direction": "higher_is_better", "frequency": "monthly", "is_example": False,
    "target_value": 40.0, "target_due": None, "tolerance": None, "fix_after_n_points": None,
    "target_set_by": "NHS England <planning guidance>",
}
NO_TRAJECTORY = pd.DataFrame(columns=["period", "value"])


def _series(values: list[float], start: str = "2022-04-01") -> pd.DataFrame:
    return pd.DataFrame({"period": pd.date_range(start, periods=len(values), freq="MS"),
                         "value": values})


def _rising() -> pd.DataFrame:
    """24 months, the last 8 well above the rest: special cause improving, high."""
    return _series([50, 52, 49, 51, 50, 53, 48, 50, 52, 49, 51, 50, 52, 49, 51, 50,
                    70, 71, 72, 70, 73, 71, 72, 74])


def test_a_row_has_every_column_with_its_icons_and_who_set_the_target() -> None:
    view = evaluate(DEFINITION, _rising(), NO_TRAJECTORY, [], "Sefton")
    [row] = read_rows(summary_table_html(summary_rows([view]), "Headline metrics"))
    measure, org, period, value, target, _variation, _assurance, trend, data = row.cells
    assert measure.startswith('Waits <img src=x onerror="alert(1)"> & more')  # shown as text
    assert (org, period, value) == ("Sefton", "Mar 2024", "74.0% ✔ Target met")
    assert target == "40.0% set by NHS England <planning guidance>"
    assert row.icons == [("improvement_high", "Special cause improving variation, high"),
                         ("consistent_pass", "The system is expected to consistently pass the target")]
    assert data == "Current data"
    assert trend == ""  # a picture: its words are its text alternative, not visible text


def test_text_from_files_is_escaped() -> None:
    view = evaluate(DEFINITION, _rising(), NO_TRAJECTORY, [], 'Org <script>x</script>')
    html = summary_table_html(summary_rows([view]), "Caption <b>")
    assert "<img" not in html and "<script" not in html and "<planning" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "Caption &lt;b&gt;" in html


def test_a_stale_measure_says_no_recent_data_and_shows_no_icons() -> None:
    view = evaluate(DEFINITION, _rising(), NO_TRAJECTORY, [], "Sefton",
                    fresh_from=dt.date(2024, 9, 1))
    [row] = read_rows(summary_table_html(summary_rows([view]), "x"))
    assert row.icons == []
    assert row.cells[3] == "No recent data"
    assert row.cells[5] == row.cells[6] == "Not judged: no recent data"
    assert row.cells[8] == "No recent data (latest Mar 2024)"


def test_a_short_series_says_why_it_has_no_icons() -> None:
    for values, why in (([50, 52, 49, 51, 50, 53, 48], "Run chart: no SPC icons"),
                        ([50, 52, 49], "Too few points for SPC")):
        view = evaluate(DEFINITION, _series(values), NO_TRAJECTORY, [], "Sefton")
        [row] = read_rows(summary_table_html(summary_rows([view]), "x"))
        assert row.icons == [] and row.cells[5] == row.cells[6] == why


def test_on_a_phone_only_name_value_and_icons_stay() -> None:
    """Under 640 px the secondary columns are hidden; name, value and icons are not."""
    view = evaluate(DEFINITION, _rising(), NO_TRAJECTORY, [], "Sefton")
    html = summary_table_html(summary_rows([view]), "x")
    heads = re.findall(r'<th scope="col"( class="([^"]*)")?>([^<]*)</th>', html)
    hidden = {label for _, cls, label in heads if SECONDARY in cls}
    assert hidden == {"Organisation", "Latest period", "Target (set by)", "Trend", "Data"}
    assert re.search(r"@media screen and \(max-width: 640px\) \{\s*table\.ipr \." + SECONDARY
                     + r" \{ display: none; \}", CSS)
    cells = re.findall(r'<t[dh] (?:scope="row"|class="([^"]*)")', html.split("<tbody>")[1])
    assert [SECONDARY in c for c in cells] == [False, True, True, False, True, False, False,
                                                True, True]


def test_a_blank_line_in_a_name_cannot_end_the_html_where_markdown_would_read_the_rest() -> None:
    """The dashboard draws the table with st.markdown: a blank line would end the HTML block
    and let `[link](...)` after it become a link."""
    hostile = dict(DEFINITION, name="Waits\n\n[link](https://example.org) ![img](https://example.org/x.png)")
    view = evaluate(hostile, _rising(), NO_TRAJECTORY, [], "Sefton\r\n\r\nnext")
    html = summary_table_html(summary_rows([view]), "x")
    assert "\n" not in html and "\r" not in html
    [row] = read_rows(html)
    assert row.measure == "Waits [link](https://example.org) ![img](https://example.org/x.png)"
