"""Data quality on the shipped data, and with broken sources: everything is explained."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import dashboard
from tracker.project import Project
from ui.widgets import safe_csv

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(shipped_copy: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return dashboard(shipped_copy, monkeypatch)


def _open(at: AppTest) -> AppTest:
    at.run()
    return at.switch_page("ui/pages/data_quality.py").run()


def _table_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_shipped_data_has_no_problems_and_lists_every_extract(app: AppTest) -> None:
    _open(app)
    assert not app.exception
    assert any("No problems found" in s.value for s in app.success)
    files = _table_with(app, "Rows read")
    assert set(files["Status"]) == {"loaded"}
    assert (files["Rows read"] == files["Rows loaded"] + files["Rows rejected"]
            + files["Rows filtered"] + files["Rows suppressed"]).all()


def test_rejected_rows_and_missing_updates_follow_the_sources(
    app: AppTest, shipped_copy: Project
) -> None:
    shutil.copy(REPO / "tests/testdata/extracts/bad_rows.csv",
                shipped_copy.data_dir / "extracts" / "bad_rows.csv")
    (shipped_copy.data_dir / "metrics" / "extra.yaml").write_text(
        "metrics:\n  - id: seen\n    name: Seen\n    unit: percent\n    direction: higher_is_better\n"
        "    frequency: monthly\n    source: {file: extracts/bad_rows.csv, period: period, org: org,"
        " numerator: seen, denominator: total}\n")
    _open(app)
    rejects = _table_with(app, "Reason")
    assert list(rejects["Source row"]) == [4, 5, 8, 9, 10, 11, 12, 13]
    assert "**8** rejected row(s)" in " ".join(m.value for m in app.markdown)
    missing = _table_with(app, "Lead")
    assert len(missing) > 0


def test_stale_metrics_follow_the_quarter(app: AppTest) -> None:
    _open(app)
    app.sidebar.selectbox(key="quarter").set_value("2024-25 Q4").run()
    stale = _table_with(app, "Latest data").set_index("Metric")
    assert "A&E type 1 patients seen within 4 hours" in stale.index  # its data end in March 2019
    assert stale.loc["A&E type 1 patients seen within 4 hours", "Latest data"] == "Mar 2019"


def test_csv_downloads_cannot_run_formulas_in_excel() -> None:
    import pandas as pd

    text = safe_csv(pd.DataFrame({"a": ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "ok"],
                                  "b": [1, -2, 3, 4]}))
    assert text.splitlines() == ["a,b", "\"'=HYPERLINK(\"\"http://x\"\")\",1", "'+1,-2",
                                 "'@SUM(A1),3", "ok,4"]


def test_a_metric_that_loaded_nothing_is_shown_as_nothing_loaded(
    app: AppTest, shipped_copy: Project
) -> None:
    (shipped_copy.data_dir / "extracts" / "ledger.csv").write_text(
        "period,org,spend\nP01 2023/24,SEFTON,100\nP02 2023/24,SEFTON,110\n")
    (shipped_copy.data_dir / "metrics" / "extra.yaml").write_text(
        "metrics:\n  - id: spend-by-period\n    name: Spend\n    unit: count\n    direction: neutral\n"
        "    frequency: monthly\n    source: {file: extracts/ledger.csv, period: period, org: org,"
        " value: spend}\n")
    _open(app)
    assert not app.exception
    files = _table_with(app, "Rows read").set_index("Metric id")
    assert files.loc["spend-by-period", "Status"] == "nothing loaded"
    assert (files.drop(index="spend-by-period")["Status"] == "loaded").all()
    assert any("1 metric(s) loaded nothing" in e.value and "spend-by-period" in e.value for e in app.error)
    assert not any("could not be loaded" in e.value for e in app.error)
