"""The command line: validate, build, and the commands that read the database.

Known failures become one plain sentence on stderr and exit code 1, never a
traceback: programme leads run these commands.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import difflib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.plans.problems import Problem, display_path
from tracker.project import Project, load_project
from tracker.status.quarters import FinancialQuarter, parse_quarter
from tracker.terminal import visible_output

if TYPE_CHECKING:
    from tracker.plans.editing import Edit
    from tracker.status.health import SourceHealth

# Each command imports what it uses, so that none pays for the others' imports: `validate`
# starts without pandas, and only `report` loads WeasyPrint.

Command = Callable[[argparse.Namespace, Project], int]


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _health(project: Project, plan_id: str | None) -> SourceHealth:
    from tracker.db.queries import connect_read_only
    from tracker.status.health import source_health

    con = connect_read_only(project.db_path)
    try:
        return source_health(con, project, plan_id)
    finally:
        con.close()


def _warn_of_problems(health: SourceHealth, shown: int | None, say: bool = True) -> int:
    """Say first, on stderr, what the figures leave out or show from an old build (unless
    the output itself says it: `say`), with every `path:line:` problem, as `build` does.
    Returns the exit code: 1 if a source file has a problem."""
    if health.ok:
        return 0
    for sentence in health.sentences(shown) if say else []:
        print(f"PROBLEM: {sentence}", file=sys.stderr)
    _print_problems(health.problems)
    print(f"{len(health.problems)} problem(s) in the source files: the output is made without "
          "the bad values. Fix them (python -m tracker validate) and run again.", file=sys.stderr)
    return 1


def cmd_validate(args: argparse.Namespace, project: Project) -> int:
    """Check every YAML file; print every problem; exit 1 if there are any."""
    from tracker.db.tables import load_sources
    from tracker.metrics.definitions import metric_files

    catalogue, metrics = load_sources(project)
    if catalogue.problems:
        _print_problems(catalogue.problems)
        files = len({p.path for p in catalogue.problems})
        print(f"{len(catalogue.problems)} problem(s) in {files} file(s).", file=sys.stderr)
        return 1
    objectives = len(catalogue.objectives())
    files = len(catalogue.files) + len(metric_files(project))
    print(f"OK: {len(catalogue.plans)} plans, {objectives} objectives, {len(metrics)} metrics, "
          f"{files} files checked, no problems.")
    return 0


def cmd_build(args: argparse.Namespace, project: Project) -> int:
    """Build the database; the valid files are built even when others have problems."""
    from tracker.db.build import build
    from tracker.metrics.rejects import nothing_loaded

    result = build(project)
    _print_problems(result.problems)
    for line in result.extracts.lines():
        print(line)
    counts = result.counts
    examples = " (example data included)" if project.example_data else ""
    print(f"Built {result.db_path}: {counts.get('plans', 0)} plans, "
          f"{counts.get('objectives', 0)} objectives, {counts.get('updates', 0)} updates"
          f"{examples}.")
    empty = nothing_loaded(project, result.db_path)
    for paragraph in empty:
        print(paragraph, file=sys.stderr)
    found = [(len(result.problems), "in the plan and metric files"),
             (len(result.extracts.problems), "extract(s) that could not be loaded"),
             (len(empty), "metric(s) that loaded nothing")]
    if any(n for n, _ in found):
        carried = counts.get("objectives_carried", 0)
        print(f"{sum(n for n, _ in found)} problem(s) found: "
              + ", ".join(f"{n} {what}" for n, what in found if n)
              + ". The files with problems were left out where they could not be read (the "
              f"objectives of plan files that cannot be read are shown as at the last good build: "
              f"{carried} objective(s)), and objectives with a bad value were built without it. Fix "
              "them and build again (`python -m tracker rejects` lists the rejected rows).",
              file=sys.stderr)
        return 1
    return 0


def cmd_rejects(args: argparse.Namespace, project: Project) -> int:
    """List the rejected extract rows of the last build: file, line, every reason, the row."""
    from tracker.metrics.rejects import format_rejects, rejected_rows

    file = args.file
    if file and not file.startswith("data/"):  # as the analyst sees it, or as the table keeps it
        file = f"data/{file}"
    rows = rejected_rows(project, args.metric, file)
    sys.stdout.write(format_rejects(rows, args.format))
    return 0


def _rejects_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--metric", help="one metric's id (default: every metric)")
    command.add_argument("--file", help="one extract, e.g. data/extracts/ae.csv (default: every file)")
    command.add_argument("--format", choices=("table", "csv", "json"), default="table")


def _show_edit(edit: Edit, project: Project) -> None:
    shown = display_path(edit.path, project.root)
    diff = difflib.unified_diff(
        edit.before.splitlines(keepends=True), edit.after.splitlines(keepends=True),
        fromfile=f"a/{shown}", tofile=f"b/{shown}",
    )
    sys.stdout.writelines(diff)


def cmd_update(args: argparse.Namespace, project: Project) -> int:
    """Add (or replace) one quarter's update in the objective's own file."""
    from tracker.plans.editing import EditRefused, UpdateExists, add_update

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
    from tracker.plans.editing import EditRefused, add_signoff

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
    from tracker.plans.editing import EditRefused, add_objective

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


def _new_objective_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--plan", required=True, help="the plan id, e.g. sefton-plan-2023-25")
    command.add_argument("--area", required=True, help="the area id, e.g. live-well-cancer")
    command.add_argument("--objective", required=True, help="the objective text")
    command.add_argument("--timeframe", help="the timeframe as published (default: To be confirmed)")
    command.add_argument("--target-date", help="the target month, YYYY-MM")
    command.add_argument("--lead", help="the lead's person id in objectives/people.yaml")
    command.add_argument("--by", required=True, help=BY_HELP)


def _quarter(text: str) -> FinancialQuarter:
    try:
        return parse_quarter(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_reminders(args: argparse.Namespace, project: Project) -> int:
    """List, by lead, the objectives still waiting for an update for the quarter."""
    from tracker.csvsafe import inert_frame
    from tracker.status.workflow import reminders, stale_metrics

    rows = reminders(project, args.quarter, args.plan)
    if getattr(args, "send", False) or getattr(args, "dry_run", False):
        return _reminder_emails(args, project, rows)
    health = _health(project, args.plan)
    exit_code = _warn_of_problems(health, None, say=args.format == "csv")
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

    rows = changes(project, args.quarter, args.plan)
    if args.format == "csv":
        inert_frame(rows).to_csv(sys.stdout, index=False)
        return 0
    if rows.empty:
        print(f"No updates for {args.quarter}.")
        return 0
    print(f"{len(rows)} update(s) for {args.quarter}, against {args.quarter.previous()}:")
    for row in rows.itertuples():
        before = row.previous_rag if isinstance(row.previous_rag, str) else "none"
        before += " (example)" if row.previous_is_example else ""
        now = row.rag + (" (example)" if row.is_example else "")
        movement = row.movement + (" (involves an example)" if row.movement_involves_example else "")
        print(f"  {row.objective_id:<11} {before:>16} -> {now:<16} {movement}")
    return 0


# New fields go at the end, so existing readers of the CSV keep their columns.
STATUS_FIELDS = ["id", "plan", "group", "area", "target_date", "reported_rag", "derived_status",
                 "reasons", "rosier_than_evidence", "movement", "overdue",
                 "reported_is_example", "reported_quarter", "has_real_update",
                 "movement_involves_example"]
STATUS_FLAGS = ["reported_is_example", "has_real_update", "rosier_than_evidence",
                "movement_involves_example", "overdue"]


def cmd_status(args: argparse.Namespace, project: Project) -> int:
    """Print one record per objective: reported and derived status, reasons, movement."""
    from tracker.csvsafe import inert
    from tracker.status.objectives import objective_status

    fields = [*STATUS_FIELDS, "problem"]
    frame = objective_status(project, args.quarter, args.plan)
    health = _health(project, args.plan)
    exit_code = _warn_of_problems(health, len(frame))
    frame = frame.assign(problem=frame["id"].map(health.objective_problems))[fields]
    records = [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]
    for record in records:
        record["reasons"] = list(record["reasons"])
        record.update({flag: bool(record[flag]) for flag in STATUS_FLAGS})
    if args.format == "json":
        json.dump(records, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: inert(v) for k, v in {**r, "reasons": "; ".join(r["reasons"])}.items()}
                         for r in records)
    return exit_code


def _status_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quarter", required=True, type=_quarter, help='e.g. "2023-24 Q3"')
    command.add_argument("--plan", help="one plan's id (default: every plan)")
    command.add_argument("--format", choices=("json", "csv"), default="json")


def cmd_report(args: argparse.Namespace, project: Project) -> int:
    """Write the quarterly Board report as PDF or HTML."""
    from tracker.report.pack import build_report_data, freeze_report, render_html, render_pdf
    from tracker.report.snapshots import SnapshotExists

    data = build_report_data(project, args.plan, args.quarter, args.meeting_date)
    exit_code = _warn_of_problems(data.health, len(data.appendix))
    out = args.out or Path(f"{args.plan}-{str(args.quarter).replace(' ', '-')}.{args.format}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.format == "html":
        out.write_text(render_html(data), encoding="utf-8")
    else:
        out.write_bytes(render_pdf(data))
    print(f"Wrote {out}" + (" (contains EXAMPLE data)" if data.uses_examples else "") + ".")
    if data.revisions:
        print(f"{len(data.revisions)} item(s) revised since the Board saw {args.quarter}:")
        for revision in data.revisions:
            print(f"  {revision.sentence()}")
    if data.snapshot_problem:
        print(data.snapshot_problem, file=sys.stderr)
        return 1
    if args.freeze:
        try:
            path = freeze_report(project, data)
        except SnapshotExists as exc:
            print(f"Not frozen: {exc}.", file=sys.stderr)
            return 1
        print(f"Froze {args.quarter} as the Board saw it: {display_path(path, project.root)} "
              "(commit it).")
    return exit_code


def _board_report_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--plan", required=True, help="the plan's id, e.g. sefton-plan-2023-25")
    command.add_argument("--quarter", required=True, type=_quarter, help='e.g. "2023-24 Q3"')
    command.add_argument("--format", choices=("pdf", "html"), default="pdf")
    command.add_argument("--out", type=Path, help="the file to write")
    command.add_argument("--meeting-date",
                         help="the Board meeting's date for the cover, e.g. 2024-05-15 (default: "
                              "the first of the board_meeting_dates setting after the quarter)")
    command.add_argument("--freeze", action="store_true",
                         help="record this pack as the Board saw it (data/snapshots/)")


def cmd_spc(args: argparse.Namespace, project: Project) -> int:
    """Print one metric's SPC table and icons as JSON."""
    import pandas as pd

    from tracker.metrics.scorecard import metric_views

    as_at = args.quarter.end_date if args.quarter else dt.date.max
    found = metric_views(project, as_at, [args.metric], args.org)
    if not found:
        print(f"Not found: there is no metric '{args.metric}'.", file=sys.stderr)
        return 1
    if len(found) > 1:  # several of the place's organisations: never pick one silently
        print(f"Metric {args.metric} has data for {len(found)} of the place's organisations: "
              f"{', '.join(str(v.org) for v in found)}. Choose one with --org, e.g. "
              f"--org \"{found[0].org}\".", file=sys.stderr)
        return 1
    [view] = found
    if view.latest_value is None:
        print(f"Not found: metric {args.metric} has no data for organisation '{args.org}'."
              if args.org else f"Not found: metric {args.metric}: {view.explanation} Or choose an "
              "organisation with --org.", file=sys.stderr)
        return 1
    table = view.points.reindex(columns=["period", "value", "rebase_group", "mean", "lpl", "upl",
                                         "point_type"])
    points = []
    for row in table.to_dict(orient="records"):
        row["period"] = pd.Timestamp(row["period"]).date().isoformat()
        points.append({k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()})
    record = {
        "metric": view.metric_id, "org": view.org,
        "latest_period": view.latest_period.isoformat() if view.latest_period else None,
        "stale": view.is_stale, "variation_icon": view.variation_icon,
        "assurance_icon": view.assurance_icon, "method": view.method,
        "explanation": view.explanation, "special_causes": view.flagged,
        "rebases": [{"period": f"{n.period:%Y-%m}", "reason": n.text} for n in view.rebases],
        "rebase_suggestion": view.rebase_suggestion,
        "events": [{"period": f"{n.period:%Y-%m}", "text": n.text} for n in view.events],
        "points": points,
    }
    json.dump(record, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


def _spc_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--metric", required=True, help="the metric's id")
    command.add_argument("--org", help="the organisation code (default: the place's organisation "
                                       "with data, from place_orgs or the metric's orgs:)")
    command.add_argument("--quarter", type=_quarter, help="as at the end of this quarter (default: all data)")
    command.add_argument("--format", choices=("json",), default="json")


def _reminders_arguments(command: argparse.ArgumentParser) -> None:
    _report_arguments(command)
    command.add_argument("--send", action="store_true",
                         help="e-mail each person their reminder (settings' smtp_host ...)")
    command.add_argument("--dry-run", action="store_true",
                         help="print the e-mails as they would be sent; send nothing")


def _report_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quarter", required=True, type=_quarter, help='e.g. "2023-24 Q3"')
    command.add_argument("--plan", help="one plan's id (default: every plan)")
    command.add_argument("--format", choices=("text", "csv"), default="text")


def cmd_schema(args: argparse.Namespace, project: Project) -> int:
    """Rewrite the editors' JSON Schemas from the models."""
    from tracker.plans.schema import write_schemas

    for path in write_schemas(project.root):
        print(f"wrote {display_path(path, project.root)}")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write YYYY-MM-DD") from None


BY_HELP = ("who makes the change: your person id or e-mail in objectives/people.yaml "
           "(required; your roles there decide what you may change)")


def _update_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("objective_id", metavar="OBJECTIVE_ID")
    command.add_argument("--quarter", required=True, help='e.g. "2023-24 Q3" or "Q3 23/24"')
    command.add_argument("--rag", required=True, help="red, amber, green or blue (complete)")
    command.add_argument("--commentary", required=True)
    command.add_argument("--mitigations")
    command.add_argument("--by", required=True, help=BY_HELP)
    command.add_argument("--on", type=_date, help="date of the update (default today)")
    command.add_argument("--replace", action="store_true", help="replace that quarter's update")


def _signoff_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("objective_id", metavar="OBJECTIVE_ID")
    command.add_argument("--quarter", required=True)
    command.add_argument("--org", help="the organisation signing off (default: the one the "
                                       "signatory signs for; no other is accepted)")
    command.add_argument("--by", required=True, help=BY_HELP)
    command.add_argument("--on", type=_date, help="date of sign-off (default today)")


COMMANDS: dict[str, tuple[Command, str, Callable[[argparse.ArgumentParser], None] | None]] = {
    "validate": (cmd_validate, "check every plan file and report each problem with file and line",
                 None),
    "build": (cmd_build, "build the database from the plan files", None),
    "new-objective": (cmd_new_objective, "add a new objective to an area, with a fresh id",
                      _new_objective_arguments),
    "status": (cmd_status, "print each objective's reported and derived status as at a quarter",
               _status_arguments),
    "report": (cmd_report, "write the quarterly Board report (PDF or HTML)", _board_report_arguments),
    "spc": (cmd_spc, "print a metric's SPC chart table and icons (JSON)", _spc_arguments),
    "reminders": (cmd_reminders, "list, by lead, the objectives still waiting for an update",
                  _reminders_arguments),
    "changes": (cmd_changes, "list the quarter's updates and how each status moved",
                _report_arguments),
    "rejects": (cmd_rejects, "list the extract rows the last build rejected, with every reason",
                _rejects_arguments),
    "schema": (cmd_schema, "rewrite the JSON Schemas editors use for completion", None),
    "update": (cmd_update, "record a quarterly update for an objective", _update_arguments),
    "signoff": (cmd_signoff, "record an organisation's sign-off of a quarterly update",
                _signoff_arguments),
}


# The commands that read the database: the entry point brings it up to date before they run.
READS_THE_DATABASE = frozenset({"status", "report", "spc", "reminders", "changes", "rejects"})


def bring_database_up_to_date(project: Project) -> None:
    """Build the database if its sources changed since it was built, saying so on stderr; the
    one place the command line decides to build (the functions that read never do)."""
    from tracker.db.serving import ensure_built

    ensure_built(project, announce=lambda why: print(f"Building the database: {why}.", file=sys.stderr))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m tracker", description="Sefton Partnership plan tracker."
    )
    top.add_argument("--root", type=Path, help="the project folder (default: found automatically)")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text, arguments) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.add_argument("--db", type=Path, help="the database file (default data/tracker.duckdb)")
        if arguments:
            arguments(command)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    with visible_output():  # text from files never reaches the terminal as control characters
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    import logging

    from tracker.logs import log_exception
    from tracker.logs import setup as setup_logging

    handler, _, _ = COMMANDS[args.command]
    log_file: Path | None = None
    try:
        project = load_project(args.root, getattr(args, "db", None))
        log_file = setup_logging(project.root, stderr_level=logging.CRITICAL)  # tracebacks: file only
        if args.command in READS_THE_DATABASE:
            bring_database_up_to_date(project)
        return handler(args, project)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    except Exception as exc:  # the last line of defence: a sentence, not a traceback
        if os.environ.get("TRACKER_DEBUG"):
            raise
        reference = log_exception(logging.getLogger(__name__), f"the command '{args.command}' failed")
        where = f" in {log_file}" if log_file else ""
        print(f"error: {exc} (reference {reference}{where}; set TRACKER_DEBUG=1 to see the details)",
              file=sys.stderr)
        return 1
