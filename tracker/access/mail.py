"""Reminder e-mails: one to each person who still owes updates, sent by SMTP.

Each message names the person's objectives with their plan, the date the update
is due (`update_due_days` after the quarter's end), and a link to the dashboard's
form for each one, never a Python command. `reminders --send` sends them; with
`--dry-run` they are printed and nothing is sent. A placeholder address (ending in
`.invalid`, as the shipped register's are) is never sent to.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import quote

import pandas as pd

from tracker.project import Project
from tracker.status.quarters import FinancialQuarter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    person_id: str
    name: str
    to: str
    subject: str
    body: str

    @property
    def placeholder(self) -> bool:
        return self.to.lower().endswith(".invalid")


def due_date(project: Project, quarter: FinancialQuarter) -> dt.date:
    return quarter.end_date + dt.timedelta(days=int(project.settings["update_due_days"]))


def form_link(project: Project, objective_id: str, quarter: FinancialQuarter) -> str:
    base = str(project.settings["dashboard_url"]).rstrip("/")
    return f"{base}/update?objective={quote(objective_id)}&quarter={quote(str(quarter))}"


def reminder_messages(project: Project, rows: pd.DataFrame, quarter: FinancialQuarter) -> list[Reminder]:
    """One message per person in the register with objectives still owed (the rows of
    `workflow.reminders`); objectives with no named lead have no one to write to."""
    due = due_date(project, quarter)
    messages = []
    named = rows[rows["person_id"].notna()] if "person_id" in rows else rows.iloc[0:0]
    for person_id, group in named.groupby("person_id", sort=False):
        first = group.iloc[0]
        plans = sorted(set(group["plan_name"]))
        lines = [f"Dear {first['lead']},", "",
                 f"The {quarter} progress report for {' and '.join(plans)} is being prepared. "
                 f"Please record your update by {due:%-d %B %Y} for:", ""]
        for row in group.itertuples():
            objective_id = str(row.objective_id)  # a plan's id and text: strings, never missing
            lines += [f"- {objective_id} ({row.plan_name}): {_short(str(row.objective))}",
                      f"  {form_link(project, objective_id, quarter)}"]
        lines += ["", "Each link opens the tracker's update form for that objective; sign in "
                      "with your organisation's account.", "", "Thank you,",
                  "The programme office"]
        subject = (f"{' and '.join(plans)}: {quarter} update due {due:%-d %B %Y} for "
                   f"{len(group)} objective(s)")
        messages.append(Reminder(str(person_id), str(first["lead"]), str(first["lead_email"]),
                                 subject, "\n".join(lines)))
    return messages


def send(project: Project, messages: list[Reminder]) -> list[Reminder]:
    """Send each message (placeholders skipped) through the settings' SMTP server; the ones
    sent. The user name and password, when the server needs them, come from the
    environment (TRACKER_SMTP_USER, TRACKER_SMTP_PASSWORD), never from a file."""
    settings = project.settings
    if not settings["smtp_host"] or not settings["smtp_sender"]:
        raise ValueError("set smtp_host and smtp_sender in settings.yaml to send reminders")
    real = [m for m in messages if not m.placeholder]
    if not real:
        return []
    with smtplib.SMTP(settings["smtp_host"], int(settings["smtp_port"]), timeout=60) as server:
        if settings["smtp_tls"]:
            server.starttls()
        user = os.environ.get("TRACKER_SMTP_USER")
        if user:
            server.login(user, os.environ.get("TRACKER_SMTP_PASSWORD", ""))
        for message in real:
            email = EmailMessage()
            email["From"] = settings["smtp_sender"]
            email["To"] = message.to
            email["Subject"] = message.subject
            email.set_content(message.body)
            server.send_message(email)
            logger.info("sent a reminder to %s", message.to)
    return real


def _short(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
