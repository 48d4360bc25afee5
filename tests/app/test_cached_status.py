"""The pages read objective status through the cache in ui/data.py: worked out once per
database version (it judges every linked metric), and afresh as soon as a build swaps in a
new database."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import tracker.status.objectives
from tests.conftest import dashboard
from tracker.project import Project
from tracker.status.quarters import FinancialQuarter

# LW-CAN-02 has no update in the minimal plan; this one reports it red for 2023-24 Q2.
RED_UPDATE = """\
    updates:
      - quarter: 2023-24 Q2
        rag: red
        commentary: Screening has not started.
        updated_by: A. Lead
        updated_on: 2023-10-05
"""


@pytest.fixture
def status_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, str, str | None]]:
    """Each time the status engine works out objective status: (root, quarter, plan)."""
    reads: list[tuple[Path, str, str | None]] = []
    engine = tracker.status.objectives.objective_status

    def counted(project: Project, quarter: FinancialQuarter, plan_id: str | None = None) -> pd.DataFrame:
        reads.append((project.root, str(quarter), plan_id))
        return engine(project, quarter, plan_id)

    monkeypatch.setattr(tracker.status.objectives, "objective_status", counted)
    return reads


def _counts(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_overview_reads_status_once_per_database_version(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch,
    status_reads: list[tuple[Path, str, str | None]],
) -> None:
    at = dashboard(minimal_project, monkeypatch)
    at.run()
    assert not at.exception
    assert status_reads == [(minimal_project.root, "2023-24 Q2", None)]
    assert _counts(at)["? Not reported"] == "1"
    at.run()  # a rerun (any click) on the same database
    assert not at.exception
    assert len(status_reads) == 1, "the overview read objective status again for the same database"

    with (minimal_project.root / "objectives/demo-plan/live-well-cancer.yaml").open("a") as area:
        area.write(RED_UPDATE)
    at.run()  # the dashboard rebuilds the database from the edited file
    assert not at.exception
    assert len(status_reads) == 2, "a new database must be read afresh"
    assert (_counts(at)["✖ Red"], _counts(at)["? Not reported"]) == ("1", "0")
    at.run()
    assert len(status_reads) == 2


def test_the_objectives_and_data_quality_pages_share_the_overviews_read(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch,
    status_reads: list[tuple[Path, str, str | None]],
) -> None:
    at = dashboard(minimal_project, monkeypatch)
    at.run()
    for page in ("ui/pages/objectives.py", "ui/pages/data_quality.py"):
        at.switch_page(page).run()
        assert not at.exception, page
    assert status_reads == [(minimal_project.root, "2023-24 Q2", None)]


def test_what_a_page_changes_in_a_cached_table_never_reaches_the_next_page(
    shipped_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache hands each caller its own copy: a page that adds a column to the status
    frame, overwrites a query's cell or appends to a metric view's flags changes nothing that
    the next page (or another session) reads."""
    from tracker.db.build import build
    from ui import data

    build(shipped_copy)
    monkeypatch.setenv("TRACKER_ROOT", str(shipped_copy.root))
    quarter = FinancialQuarter(2025, 2)
    status = data.objective_status(quarter)
    status["scribbled"] = 1
    status.loc[status.index[0], "reported_rag"] = "scribbled"
    definitions = data.query("metrics/metric_definitions")
    definitions.loc[definitions.index[0], "name"] = "scribbled"
    [view, *_] = data.views(quarter.end_date)
    view.flagged.append("scribbled")
    view.points.loc[view.points.index[0], "value"] = -1.0

    again = data.objective_status(quarter)
    assert "scribbled" not in again.columns
    assert "scribbled" not in set(again["reported_rag"])
    assert "scribbled" not in set(data.query("metrics/metric_definitions")["name"])
    [view_again, *_] = data.views(quarter.end_date)
    assert "scribbled" not in view_again.flagged
    assert -1.0 not in set(view_again.points["value"])
