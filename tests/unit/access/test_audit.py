"""The audit trail: every write recorded, a replace keeps the old text and withdraws its
sign-offs with the reason, and in a git repository each write is a commit by the person."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

from tracker.access import audit
from tracker.db.sources import source_signature
from tracker.plans.editing import add_signoff, add_update
from tracker.plans.splicing import existing_update
from tracker.project import Project

UPDATE = {"quarter": "2023-24 Q1", "rag": "red", "commentary": "Worse than we said."}


def _git(project: Project, *args: str) -> str:
    return subprocess.run(["git", "-C", str(project.root), *args], check=True,
                          capture_output=True, text=True).stdout


def test_every_write_is_recorded_with_who_when_and_what(minimal_project: Project) -> None:
    add_signoff(minimal_project, "LW-CAN-01", "2023-24 Q1", None, "council-signatory",
                dt.date(2023, 7, 20))
    add_update(minimal_project, "LW-CAN-02", {**UPDATE, "quarter": "2023-24 Q2"}, by="test-pmo")
    lines = audit.audit_path(minimal_project).read_text().splitlines()
    first, second = (json.loads(line) for line in lines)
    assert (first["action"], first["by"], first["objective"], first["quarter"], first["org"]) == (
        "signoff", "council-signatory", "LW-CAN-01", "2023-24 Q1", "Sefton Council")
    assert (second["action"], second["name"], second["email"]) == (
        "update", "Programme Office", "pmo@example.invalid")
    assert "+        commentary: Worse than we said.\n" in second["diff"]
    assert dt.datetime.fromisoformat(second["at"]).tzinfo is not None


def test_a_replace_keeps_the_old_update_and_withdraws_its_signoffs_with_the_reason(
    minimal_project: Project,
) -> None:
    add_signoff(minimal_project, "LW-CAN-01", "2023-24 Q1", None, "council-signatory",
                dt.date(2023, 7, 20))
    edit = add_update(minimal_project, "LW-CAN-01", UPDATE, replace=True, by="test-pmo")
    assert "signoffs" not in edit.after.split("Worse than we said.")[1].split("LW-CAN-02")[0]
    [*_, replaced] = audit.history(minimal_project, "LW-CAN-01")
    assert replaced["action"] == "replace"
    assert "commentary: On track." in replaced["old"]
    assert replaced["withdrawn_signoffs"] == [
        {"org": "Sefton Council", "by": "A. Director", "on": "2023-07-20"}]
    assert replaced["reason"] == ("the 2023-24 Q1 update was replaced by Programme Office: its "
                                  "sign-offs were withdrawn and are needed again")


def test_the_update_about_to_be_replaced_is_shown_as_it_stands(minimal_project: Project) -> None:
    text = (minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml").read_text()
    shown = existing_update(text, "LW-CAN-01", "2023-24 Q1")
    assert shown is not None
    assert (shown["rag"], shown["commentary"], shown["updated_by"]) == ("green", "On track.", "A. Lead")
    assert existing_update(text, "LW-CAN-01", "2023-24 Q3") is None


def test_in_a_git_repository_each_write_is_a_commit_authored_by_the_person(
    minimal_project: Project,
) -> None:
    _git(minimal_project, "init", "-q")
    _git(minimal_project, "-c", "user.name=Setup", "-c", "user.email=setup@example.invalid",
         "add", "-A")
    _git(minimal_project, "-c", "user.name=Setup", "-c", "user.email=setup@example.invalid",
         "commit", "-qm", "Start")
    edit = add_update(minimal_project, "LW-CAN-01", UPDATE, replace=True, by="test-pmo")
    assert edit.commit
    log = _git(minimal_project, "log", "-1", "--format=%an <%ae>|%s")
    assert log.strip() == "Programme Office <pmo@example.invalid>|Replace LW-CAN-01 2023-24 Q1"
    changed = _git(minimal_project, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == ["data/audit/audit.jsonl", "objectives/demo-plan/live-well-cancer.yaml"]
    # the replaced version stays in the plan's history
    assert "commentary: On track." in _git(minimal_project, "show",
                                           "HEAD~1:objectives/demo-plan/live-well-cancer.yaml")


def test_an_audit_line_does_not_make_the_database_out_of_date(minimal_project: Project) -> None:
    from tracker.plans.catalogue import load_people

    before = source_signature(minimal_project)
    pmo = load_people(minimal_project).by_id("test-pmo")
    assert pmo is not None
    audit.record(minimal_project, pmo, {"action": "update", "objective": "LW-CAN-01"})
    with audit.held(minimal_project, "journal"):
        pass
    assert source_signature(minimal_project) == before
