"""The command line: the parser, the entry point, and the table of commands.

The commands live by what they do: `files` (validate, build, schema), `reading` (status,
report, spc, rejects), `quarter` (reminders, changes) and `writing` (update, signoff,
new-objective). Known failures become one plain sentence on stderr and exit code 1, never
a traceback: programme leads run these commands. Before a command that reads, the entry
point brings the database up to date (and says so); the functions that read never build.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tracker.cli.files import build_arguments, cmd_build, cmd_schema, cmd_validate
from tracker.cli.quarter import cmd_changes, cmd_reminders, listing_arguments, reminders_arguments
from tracker.cli.reading import (
    board_report_arguments,
    cmd_rejects,
    cmd_report,
    cmd_spc,
    cmd_status,
    rejects_arguments,
    spc_arguments,
    status_arguments,
)
from tracker.cli.shared import UsageMistake
from tracker.cli.writing import (
    cmd_new_objective,
    cmd_signoff,
    cmd_update,
    new_objective_arguments,
    signoff_arguments,
    update_arguments,
)
from tracker.project import Project, load_project
from tracker.terminal import visible_output

# Each command imports what it uses, so that none pays for the others' imports: `validate`
# starts without pandas, and only `report` loads WeasyPrint.
Command = Callable[[argparse.Namespace, Project], int]


COMMANDS: dict[str, tuple[Command, str, Callable[[argparse.ArgumentParser], None] | None]] = {
    "validate": (cmd_validate, "check every plan and metric file (and the settings) and report "
                 "each problem with file and line", None),
    "build": (cmd_build, "build the database from the plan, metric and extract files (only what "
              "changed)", build_arguments),
    "new-objective": (cmd_new_objective, "add a new objective to an area, with a fresh id",
                      new_objective_arguments),
    "status": (cmd_status, "print each objective's reported and derived status as at a quarter",
               status_arguments),
    "report": (cmd_report, "write the quarterly Board report (PDF or HTML)", board_report_arguments),
    "spc": (cmd_spc, "print a metric's SPC chart table and icons (JSON)", spc_arguments),
    "reminders": (cmd_reminders, "list, by lead, the objectives still waiting for an update",
                  reminders_arguments),
    "changes": (cmd_changes, "list the quarter's updates and how each status moved",
                listing_arguments),
    "rejects": (cmd_rejects, "list the extract rows the last build rejected, with every reason",
                rejects_arguments),
    "schema": (cmd_schema, "rewrite the JSON Schemas editors use for completion", None),
    "update": (cmd_update, "record a quarterly update for an objective", update_arguments),
    "signoff": (cmd_signoff, "record an organisation's sign-off of a quarterly update",
                signoff_arguments),
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
    except UsageMistake as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
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
