"""Reminder e-mails: one per person who owes updates, delivered to a local SMTP server."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.message import Message

import pytest

from tests.conftest import give_leads
from tests.e2e.conftest import _free_port
from tests.unit.test_cli import run_cli
from tracker.db.build import build
from tracker.project import Project


class _Collect:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Collect]]:
    from aiosmtpd.controller import Controller

    handler = _Collect()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


@pytest.fixture
def led(minimal_project: Project) -> Project:
    """LW-CAN-01 led by cancer-lead, LW-DEM-01 by dementia-lead, both with real-looking
    addresses; LW-CAN-02 has no lead."""
    people = minimal_project.objectives_dir / "people.yaml"
    people.write_text(people.read_text().replace("cancer.lead@example.invalid", "cancer.lead@example.org")
                      .replace("dementia.lead@example.invalid", "dementia.lead@example.org"))
    return give_leads(minimal_project)


def test_send_delivers_one_message_per_person_with_objectives_owed(
    led: Project, smtp: tuple[int, _Collect]
) -> None:
    port, inbox = smtp
    led.settings_path.write_text(f"smtp_host: 127.0.0.1\nsmtp_port: {port}\nsmtp_tls: false\n"
                                 "smtp_sender: pmo@example.org\n"
                                 "dashboard_url: https://tracker.example.org\n")
    result = run_cli(led, "reminders", "--quarter", "2023-24 Q2", "--send")
    assert result.returncode == 0, result.stderr
    assert "Sent 2 reminder(s) for 2023-24 Q2." in result.stdout
    by_address = {m["To"]: m for m in inbox.messages}
    assert sorted(by_address) == ["cancer.lead@example.org", "dementia.lead@example.org"]
    cancer = by_address["cancer.lead@example.org"]
    assert cancer["From"] == "pmo@example.org"
    # as a mail client shows it (unfolded)
    assert " ".join(cancer["Subject"].split()) == (
        "Demo Plan 2023-25: 2023-24 Q2 update due 30 October 2023 for 1 objective(s)")
    body = cancer.get_payload(decode=True).decode()
    assert body.startswith("Dear Cancer Lead,")
    assert "- LW-CAN-01 (Demo Plan 2023-25): Implement the FIT pathway." in body
    assert "https://tracker.example.org/update?objective=LW-CAN-01&quarter=2023-24%20Q2" in body
    assert "python" not in body.lower()


def test_the_default_is_a_dry_run_and_placeholders_are_never_sent(
    minimal_project: Project, smtp: tuple[int, _Collect]
) -> None:
    port, inbox = smtp
    cancer = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    cancer.write_text(cancer.read_text().replace(
        "    timeframe: June 2023\n", "    timeframe: June 2023\n    lead: cancer-lead\n"))
    dry = run_cli(minimal_project, "reminders", "--quarter", "2023-24 Q2", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "To: Cancer Lead <cancer.lead@example.invalid>  (placeholder address: would not be " \
           "sent)" in dry.stdout
    assert dry.stdout.strip().endswith("Dry run: 1 reminder(s), nothing sent.")
    minimal_project.settings_path.write_text(f"smtp_host: 127.0.0.1\nsmtp_port: {port}\n"
                                             "smtp_tls: false\nsmtp_sender: pmo@example.org\n")
    sent = run_cli(minimal_project, "reminders", "--quarter", "2023-24 Q2", "--send")
    assert "Sent 0 reminder(s)" in sent.stdout
    assert "cancer.lead@example.invalid is a placeholder address" in sent.stderr
    assert inbox.messages == []


def test_send_without_a_server_says_what_to_set(led: Project) -> None:
    build(led)  # so that stderr holds only what `reminders` says (not "Building the database")
    result = run_cli(led, "reminders", "--quarter", "2023-24 Q2", "--send")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Not sent: set smtp_host and smtp_sender in settings.yaml to send reminders.")
