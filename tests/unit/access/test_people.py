"""The people register: validated like the plans, and what `validate` refuses."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_cli import run_cli
from tracker.plans.catalogue import load_catalogue
from tracker.project import Project


def _people(project: Project) -> Path:
    return project.objectives_dir / "people.yaml"


def _cancer(project: Project) -> Path:
    return project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"


def _set_lead(project: Project, lead: str) -> None:
    path = _cancer(project)
    path.write_text(path.read_text().replace(
        "    timeframe: June 2023\n", f"    timeframe: June 2023\n    lead: {lead}\n"))


def _messages(project: Project) -> list[str]:
    return [str(p) for p in load_catalogue(project).problems]


def test_a_lead_id_names_a_person_and_the_build_shows_their_name(minimal_project: Project) -> None:
    from tests.conftest import db_rows
    from tracker.db.build import build

    _set_lead(minimal_project, "cancer-lead")
    assert _messages(minimal_project) == []
    build(minimal_project)
    assert db_rows(minimal_project, "select lead, lead_email from objectives "
                                    "where objective_id = 'LW-CAN-01'") == [
        ("Cancer Lead", "cancer.lead@example.invalid")]


def test_validate_refuses_a_lead_not_in_the_register(minimal_project: Project) -> None:
    _set_lead(minimal_project, "cancer-leed")
    result = run_cli(minimal_project, "validate")
    assert result.returncode == 1
    assert ("objectives/demo-plan/live-well-cancer.yaml:8: LW-CAN-01: lead 'cancer-leed' is not "
            "in objectives/people.yaml: add them there, or name a person id from it; did you "
            "mean 'cancer-lead'?") in result.stderr.splitlines()


def test_validate_refuses_duplicate_emails_and_foreign_signatories(minimal_project: Project) -> None:
    path = _people(minimal_project)
    text = path.read_text().replace("email: place@example.invalid", "email: Director@example.invalid")
    text = text.replace("signs_for: NHS Cheshire and Merseyside", "signs_for: Acme Ltd")
    path.write_text(text)
    messages = _messages(minimal_project)
    assert any(m.startswith("objectives/people.yaml:39: e-mail 'director@example.invalid' is "
                            "already council-signatory's (line 32)") for m in messages), messages
    assert ("objectives/people.yaml:41: signs_for 'Acme Ltd' is not an organisation that signs "
            "off: use one of Sefton Council, NHS Cheshire and Merseyside (settings' signoff_orgs)"
            ) in messages


def test_validate_refuses_a_signoff_for_an_organisation_not_in_signoff_orgs(
    minimal_project: Project,
) -> None:
    path = _cancer(minimal_project)
    path.write_text(path.read_text().replace(
        "        updated_on: 2023-07-05\n",
        "        updated_on: 2023-07-05\n        signoffs:\n          - org: Acme Ltd\n"
        "            by: Someone\n            'on': 2023-07-20\n"))
    result = run_cli(minimal_project, "validate")
    assert result.returncode == 1
    assert ("objectives/demo-plan/live-well-cancer.yaml:21: LW-CAN-01 2023-24 Q1: sign-off by "
            "'Acme Ltd', which is not an organisation that signs off: use one of Sefton "
            "Council, NHS Cheshire and Merseyside (settings' signoff_orgs)"
            ) in result.stderr.splitlines()


def test_an_unknown_key_and_an_unknown_delegate_are_reported_with_their_lines(
    minimal_project: Project,
) -> None:
    path = _people(minimal_project)
    path.write_text(path.read_text().replace("    delegates: [cancer-deputy]\n",
                                             "    delegates: [cancer-depty]\n    phone: 123\n"))
    messages = _messages(minimal_project)
    assert "objectives/people.yaml:10: unknown key 'phone'; allowed here: id, name, job_title, " \
           "organisation, email, roles, signs_for, delegates, published_as" in messages
    # the person with a bad key is left out, so their delegate is not checked; fix and recheck
    path.write_text(path.read_text().replace("    phone: 123\n", ""))
    assert ("objectives/people.yaml:9: delegate 'cancer-depty' is not in people.yaml: add "
            "them, or use one of the ids listed there") in _messages(minimal_project)


def test_reminders_reach_one_person_once_however_the_plan_spelt_them(shipped_copy: Project) -> None:
    """The SEND plan spells the Assistant Director of Education Excellence three ways: the
    reminders list them once, with all their objectives."""
    result = run_cli(shipped_copy, "reminders", "--quarter", "2023-24 Q3",
                     "--plan", "send-jcp-2023-26")
    heads = [line for line in result.stdout.splitlines() if "Education Excellence" in line]
    assert heads == ["Assistant Director of Education Excellence "
                     "<ad-education-excellence@example.invalid>: 4"]
    assert result.stdout.startswith("14 objective(s) have no real update")
