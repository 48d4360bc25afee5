"""Who may change what, enforced by the write itself: the CLI and the dashboard share it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.unit.test_cli import run_cli
from tracker.plans.editing import add_objective, add_signoff, add_update
from tracker.plans.refusals import EditRefused
from tracker.project import Project

UPDATE = {"quarter": "2023-24 Q3", "rag": "amber", "commentary": "Slipped."}


def _cancer(project: Project) -> Path:
    return project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"


@pytest.fixture
def led(minimal_project: Project) -> Project:
    """LW-CAN-01 led by cancer-lead (whose delegate is cancer-deputy); LW-DEM-01 by dementia-lead."""
    path = _cancer(minimal_project)
    path.write_text(path.read_text().replace(
        "    timeframe: June 2023\n", "    timeframe: June 2023\n    lead: cancer-lead\n"))
    dementia = minimal_project.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
    text = dementia.read_text()
    dementia.write_text(text.replace("    timeframe:", "    lead: dementia-lead\n    timeframe:", 1))
    return minimal_project


def test_a_lead_updates_their_own_objective_and_is_named_as_its_author(led: Project) -> None:
    edit = add_update(led, "LW-CAN-01", UPDATE, by="cancer.lead@example.invalid")
    assert "        updated_by: Cancer Lead\n" in edit.after


def test_a_lead_cannot_update_another_leads_objective(led: Project) -> None:
    dementia = led.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
    before = dementia.read_bytes()
    with pytest.raises(EditRefused, match="Cancer Lead may not update LW-DEM-01: only its lead "
                                          r"\(Dementia Lead\), their delegates or the programme "
                                          "office may"):
        add_update(led, "LW-DEM-01", UPDATE, by="cancer-lead")
    assert dementia.read_bytes() == before


def test_a_delegate_and_the_programme_office_may_update(led: Project) -> None:
    add_update(led, "LW-CAN-01", UPDATE, by="cancer-deputy")
    with pytest.raises(EditRefused, match="Cancer Deputy may not update LW-DEM-01"):
        add_update(led, "LW-DEM-01", UPDATE, by="cancer-deputy")
    add_update(led, "LW-DEM-01", UPDATE, by="test-pmo")


def test_a_board_member_reads_only(led: Project) -> None:
    with pytest.raises(EditRefused, match="Board Member may not update LW-CAN-01"):
        add_update(led, "LW-CAN-01", UPDATE, by="board-member")
    with pytest.raises(EditRefused, match="does not sign off updates: only a signatory may"):
        add_signoff(led, "LW-CAN-01", "2023-24 Q1", None, "board-member", dt.date(2023, 7, 20))
    with pytest.raises(EditRefused, match="only the programme office"):
        add_objective(led, "demo-plan", "live-well-cancer", {"objective": "X"}, by="board-member")


def test_a_signatory_signs_off_only_for_their_organisation(led: Project) -> None:
    path = _cancer(led)
    before = path.read_bytes()
    with pytest.raises(EditRefused, match=r"A\. Director signs off for Sefton Council, not for NHS "
                                          "Cheshire and Merseyside"):
        add_signoff(led, "LW-CAN-01", "2023-24 Q1", "NHS Cheshire and Merseyside",
                    "council-signatory", dt.date(2023, 7, 20))
    assert path.read_bytes() == before
    edit = add_signoff(led, "LW-CAN-01", "2023-24 Q1", None, "council-signatory",
                       dt.date(2023, 7, 20))
    assert "          - org: Sefton Council\n            by: A. Director\n" in edit.after


def test_someone_not_in_the_register_cannot_write(led: Project) -> None:
    with pytest.raises(EditRefused, match=r"'mallory@example\.org' is not in objectives/people.yaml"):
        add_update(led, "LW-CAN-01", UPDATE, by="mallory@example.org")
    with pytest.raises(EditRefused, match="say who is making the change"):
        add_update(led, "LW-CAN-01", UPDATE, by=None)


def test_the_cli_requires_by_and_says_plainly_when_it_is_not_a_registered_person(led: Project) -> None:
    args = ["update", "LW-CAN-01", "--quarter", "2023-24 Q3", "--rag", "red", "--commentary", "x"]
    missing = run_cli(led, *args)
    assert missing.returncode == 2
    assert "the following arguments are required: --by" in missing.stderr
    unknown = run_cli(led, *args, "--by", "Jo Bloggs")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        "Not changed: 'Jo Bloggs' is not in objectives/people.yaml: use your person id or the "
        "e-mail you are registered with, or ask the programme office to add you.")
    assert run_cli(led, *args, "--by", "cancer-lead").returncode == 0
