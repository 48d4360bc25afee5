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
