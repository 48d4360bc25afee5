"""The commands that change the plan files: a quarterly update, a sign-off, a new objective.
Each prints the diff it made and what the audit trail recorded."""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import sys
from typing import TYPE_CHECKING

from tracker.cli.shared import BY_HELP, date_type
from tracker.plans.problems import display_path
from tracker.project import Project
from tracker.status.quarters import parse_quarter

if TYPE_CHECKING:
    from tracker.plans.editing import Edit


def _show_edit(edit: Edit, project: Project) -> None:
    shown = display_path(edit.path, project.root)
    diff = difflib.unified_diff(
        edit.before.splitlines(keepends=True), edit.after.splitlines(keepends=True),
        fromfile=f"a/{shown}", tofile=f"b/{shown}",
    )
    sys.stdout.writelines(diff)


def cmd_update(args: argparse.Namespace, project: Project) -> int:
    """Add (or replace) one quarter's update in the objective's own file."""
    from tracker.plans.editing import add_update
    from tracker.plans.refusals import EditRefused, UpdateExists

    update = {
        "quarter": args.quarter, "rag": args.rag, "commentary": args.commentary,
        "mitigations": args.mitigations, "updated_on": args.on or dt.date.today(),
    }
    try:
        edit = add_update(project, args.objective_id, update, replace=args.replace, by=args.by)
    except UpdateExists as exc:
        print(f"Not changed: {exc}: add --replace to replace it (its sign-offs are then "
              "withdrawn).", file=sys.stderr)
        return 1
    except EditRefused as exc:
        print(f"Not changed: {exc}.", file=sys.stderr)
        return 1
    _show_edit(edit, project)
    print(f"Recorded {args.objective_id} {parse_quarter(args.quarter)} in "
          f"{display_path(edit.path, project.root)}.")
    _say_recorded(edit)
    return 0


def _say_recorded(edit: Edit) -> None:
    withdrawn = edit.record.get("withdrawn_signoffs") or []
    if withdrawn:
        orgs = ", ".join(s.get("org", "?") for s in withdrawn)
        print(f"Withdrawn sign-off(s) of the replaced update: {orgs} (recorded in the audit "
              "trail; they must sign off again).")
    if edit.commit:
        print(f"Committed as {edit.commit[:12]}.")


def cmd_signoff(args: argparse.Namespace, project: Project) -> int:
    """Record a signatory's sign-off of one quarter's update, for their organisation."""
    from tracker.plans.editing import add_signoff
    from tracker.plans.refusals import EditRefused

    try:
        edit = add_signoff(project, args.objective_id, args.quarter, args.org, args.by,
                           args.on or dt.date.today())
    except EditRefused as exc:
        print(f"Not changed: {exc}.", file=sys.stderr)
        return 1
    _show_edit(edit, project)
    print(f"Recorded sign-off of {args.objective_id} {parse_quarter(args.quarter)} by "
          f"{edit.record.get('org')}.")
    _say_recorded(edit)
    return 0


def cmd_new_objective(args: argparse.Namespace, project: Project) -> int:
    """Append a new objective, with a fresh id, to an area's file."""
    from tracker.plans.editing import add_objective
    from tracker.plans.refusals import EditRefused

    fields = {"objective": args.objective, "timeframe": args.timeframe,
              "target_date": args.target_date, "lead": args.lead}
    try:
        edit = add_objective(project, args.plan, args.area, fields, by=args.by)
    except EditRefused as exc:
        print(f"Not changed: {exc}.", file=sys.stderr)
        return 1
    _show_edit(edit, project)
    print(f"Added {edit.objective_id} to {display_path(edit.path, project.root)}: fill in its "
          "impacts and targets.")
    for warning in edit.warnings:
        print(f"Warning: {warning}.", file=sys.stderr)
    _say_recorded(edit)
    return 0


def new_objective_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--plan", required=True, help="the plan id, e.g. sefton-plan-2023-25")
    command.add_argument("--area", required=True, help="the area id, e.g. live-well-cancer")
    command.add_argument("--objective", required=True, help="the objective text")
    command.add_argument("--timeframe", help="the timeframe as published (default: To be confirmed)")
    command.add_argument("--target-date", help="the target month, YYYY-MM")
    command.add_argument("--lead", help="the lead's person id in objectives/people.yaml")
    command.add_argument("--by", required=True, help=BY_HELP)


def update_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("objective_id", metavar="OBJECTIVE_ID")
    command.add_argument("--quarter", required=True, help='e.g. "2023-24 Q3" or "Q3 23/24"')
    command.add_argument("--rag", required=True, help="red, amber, green or blue (complete)")
    command.add_argument("--commentary", required=True)
    command.add_argument("--mitigations")
    command.add_argument("--by", required=True, help=BY_HELP)
    command.add_argument("--on", type=date_type, help="date of the update (default today)")
    command.add_argument("--replace", action="store_true", help="replace that quarter's update")


def signoff_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("objective_id", metavar="OBJECTIVE_ID")
    command.add_argument("--quarter", required=True)
    command.add_argument("--org", help="the organisation signing off (default: the one the "
                                       "signatory signs for; no other is accepted)")
    command.add_argument("--by", required=True, help=BY_HELP)
    command.add_argument("--on", type=date_type, help="date of sign-off (default today)")
