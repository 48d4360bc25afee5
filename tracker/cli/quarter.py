"""The quarter's workflow: who still owes an update (`reminders`, listed or e-mailed) and
how each status moved (`changes`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from tracker.cli.shared import health_of, known_plan, quarter_type, warn_of_problems
from tracker.project import Project


def cmd_reminders(args: argparse.Namespace, project: Project) -> int:
    """List, by lead, the objectives still waiting for an update for the quarter."""
    from tracker.csvsafe import inert_frame
    from tracker.status.workflow import reminders, stale_metrics

    known_plan(project, args.plan)
    rows = reminders(project, args.quarter, args.plan)
    if getattr(args, "send", False) or getattr(args, "dry_run", False):
        return _reminder_emails(args, project, rows)
    health = health_of(project, args.plan)
    exit_code = warn_of_problems(health, None, say=args.format == "csv")
    if args.format == "csv":
        inert_frame(rows).to_csv(sys.stdout, index=False)
        return exit_code
    for sentence in health.sentences():
        print(f"PROBLEM: {sentence}")
    if rows.empty:
        print(f"Every objective has a real update for {args.quarter}.")
    else:
        objectives = rows.drop_duplicates("objective_id")  # one row per lead of each
        example_only = int(objectives["example_only"].sum())
        print(f"{len(objectives)} objective(s) have no real update for {args.quarter} "
              f"({example_only} show only an example update, {len(objectives) - example_only} "
              "none):")
        for (lead, email), group in rows.groupby(["lead", "lead_email"], dropna=False, sort=False):
            contact = f" <{email}>" if isinstance(email, str) else ""
            print(f"\n{lead}{contact}: {len(group)}")
            for row in group.itertuples():
                example = "  (example update only)" if row.example_only else ""
                problem = "  (has a problem: see above)" \
                    if row.objective_id in health.objective_problems else ""
                print(f"  {row.objective_id}  {row.area_name}{example}{problem}")
    stale = stale_metrics(project, args.quarter)
    if not stale.empty:
        print(f"\n{len(stale)} metric(s) have out-of-date data as at {args.quarter.end_date:%d %B %Y}:")
        for owner, group in stale.groupby("owner", sort=False):
            print(f"\n{owner}: {len(group)}")
            for row in group.itertuples():
                latest = f"{row.latest_period:%b %Y}" if isinstance(row.latest_period, dt.date) \
                    else "no data"
                print(f"  {row.metric_id}  latest {latest}")
    return exit_code


def _reminder_emails(args: argparse.Namespace, project: Project, rows: object) -> int:
    """Print (dry run) or send one e-mail per person who owes updates."""
    import logging
    import smtplib

    from tracker.access.mail import reminder_messages, send

    messages = reminder_messages(project, rows, args.quarter)  # type: ignore[arg-type]
    if args.dry_run or not args.send:
        for message in messages:
            note = "  (placeholder address: would not be sent)" if message.placeholder else ""
            print(f"To: {message.name} <{message.to}>{note}\nSubject: {message.subject}\n\n"
                  f"{message.body}\n\n---\n")
        print(f"Dry run: {len(messages)} reminder(s), nothing sent.")
        return 0
    try:
        sent = send(project, messages)
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        logging.getLogger(__name__).warning("reminders were not sent", exc_info=True)
        print(f"Not sent: {exc}.", file=sys.stderr)
        return 1
    skipped = [m for m in messages if m.placeholder]
    print(f"Sent {len(sent)} reminder(s) for {args.quarter}.")
    for message in skipped:
        print(f"Not sent to {message.name}: {message.to} is a placeholder address "
              "(objectives/people.yaml).", file=sys.stderr)
    return 0


def cmd_changes(args: argparse.Namespace, project: Project) -> int:
    """List the updates for the quarter and how each status moved since the quarter before."""
    from tracker.csvsafe import inert_frame
    from tracker.status.workflow import changes

    known_plan(project, args.plan)
    rows = changes(project, args.quarter, args.plan)
    if args.format == "csv":
        inert_frame(rows).to_csv(sys.stdout, index=False)
        return 0
    if rows.empty:
        print(f"No updates for {args.quarter}.")
        return 0
    print(f"{len(rows)} update(s) for {args.quarter}, against {args.quarter.previous()}:")
    for row in rows.to_dict(orient="records"):
        before = row["previous_rag"] if isinstance(row["previous_rag"], str) else "none"
        before += " (example)" if row["previous_is_example"] else ""
        now = row["rag"] + (" (example)" if row["is_example"] else "")
        movement = row["movement"] + (" (involves an example)" if row["movement_involves_example"] else "")
        print(f"  {row['objective_id']:<11} {before:>16} -> {now:<16} {movement}")
    return 0


def reminders_arguments(command: argparse.ArgumentParser) -> None:
    listing_arguments(command)
    command.add_argument("--send", action="store_true",
                         help="e-mail each person their reminder (settings' smtp_host ...)")
    command.add_argument("--dry-run", action="store_true",
                         help="print the e-mails as they would be sent; send nothing")


def listing_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quarter", required=True, type=quarter_type, help='e.g. "2023-24 Q3"')
    command.add_argument("--plan", help="one plan's id (default: every plan)")
    command.add_argument("--format", choices=("text", "csv"), default="text")
