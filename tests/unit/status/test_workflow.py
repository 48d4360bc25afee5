"""Who still owes an update and what changed in a quarter: what a lead and the Board read."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd
import pytest

from tracker.db.build import build
from tracker.plans.editing import add_update
from tracker.project import Project
from tracker.status.quarters import parse_quarter
from tracker.status.workflow import changes, reminder_mailto, reminders, stale_metrics

Q1, Q2 = parse_quarter("2023-24 Q1"), parse_quarter("2023-24 Q2")


@pytest.fixture
def minimal_project(minimal_project: Project) -> Project:
    """The minimal project, built: the functions that read never build."""
    build(minimal_project)
    return minimal_project


def test_reminders_list_every_objective_without_a_real_update(minimal_project: Project) -> None:
    """In Q2 no lead has written: two objectives show an example instead, one shows nothing."""
    rows = reminders(minimal_project, Q2)
    assert list(rows["objective_id"]) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]
    assert dict(zip(rows["objective_id"], rows["example_only"], strict=True)) == {
        "LW-CAN-01": True, "LW-CAN-02": False, "LW-DEM-01": True}
    assert rows.set_index("objective_id").loc["LW-CAN-01", "last_reported_quarter"] == "2023-24 Q1"


def test_a_real_update_takes_the_objective_off_the_reminders(minimal_project: Project) -> None:
    add_update(minimal_project, "LW-DEM-01", {"quarter": "2023-24 Q2", "rag": "amber",
                                               "commentary": "Behind plan."}, by="test-pmo")
    build(minimal_project)
    assert list(reminders(minimal_project, Q2)["objective_id"]) == ["LW-CAN-01", "LW-CAN-02"]
    assert list(reminders(minimal_project, Q2, plan_id="demo-plan")["objective_id"]) == [
        "LW-CAN-01", "LW-CAN-02"]


def test_changes_show_the_movement_and_whether_an_example_is_involved(minimal_project: Project) -> None:
    first = changes(minimal_project, Q1)
    assert [(r.objective_id, r.previous_rag, r.rag, r.movement) for r in first.itertuples()] == [
        ("LW-CAN-01", None, "green", "new")]
    assert not first["movement_involves_example"].any()
    second = changes(minimal_project, Q2).set_index("objective_id")
    assert (second.loc["LW-CAN-01", "previous_rag"], second.loc["LW-CAN-01", "rag"],
            second.loc["LW-CAN-01", "movement"]) == ("green", "amber", "deteriorated")
    assert second["movement_involves_example"].all()  # Q2's are examples: said, never hidden


def test_a_project_without_metrics_has_no_stale_metric(minimal_project: Project) -> None:
    assert stale_metrics(minimal_project, Q2).empty


def test_the_reminder_email_names_the_lead_the_quarter_and_each_objective() -> None:
    rows = pd.DataFrame({"objective_id": ["LW-CAN-02", "LW-DEM-01"],
                         "objective": ["Roll out lung   health checks.", "word " * 40]})
    link = reminder_mailto("a.lead@example.org", "A. Lead", Q2, rows)
    parts = urlsplit(link)
    assert parts.scheme == "mailto" and unquote(parts.path) == "a.lead@example.org"
    fields = parse_qs(parts.query)
    assert fields["subject"] == ["Sefton Plan: 2023-24 Q2 update needed for 2 objective(s)"]
    body = fields["body"][0].splitlines()
    assert body[0] == "Dear A. Lead,"
    assert "- LW-CAN-02: Roll out lung health checks." in body
    [long_line] = [line for line in body if line.startswith("- LW-DEM-01: ")]
    assert long_line.endswith("…") and len(long_line) == len("- LW-DEM-01: ") + 90


def test_a_lead_without_an_email_still_gets_a_link_to_fill_in() -> None:
    rows = pd.DataFrame({"objective_id": ["X-01"], "objective": ["Do it."]})
    assert reminder_mailto(None, "No lead named", Q1, rows).startswith("mailto:?subject=")
