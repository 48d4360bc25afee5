"""The command line: validate, build, and the commands that read the database.

Known failures become one plain sentence on stderr and exit code 1, never a
traceback: programme leads run these commands.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tracker.build import build
from tracker.catalogue import load_catalogue
from tracker.problems import Problem
from tracker.project import Project, load_project

Command = Callable[[argparse.Namespace, Project], int]


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def cmd_validate(args: argparse.Namespace, project: Project) -> int:
    """Check every YAML file; print every problem; exit 1 if there are any."""
    catalogue = load_catalogue(project)
    if catalogue.problems:
        _print_problems(catalogue.problems)
        files = len({p.path for p in catalogue.problems})
        print(f"{len(catalogue.problems)} problem(s) in {files} file(s).", file=sys.stderr)
        return 1
    objectives = len(catalogue.objectives())
    print(f"OK: {len(catalogue.plans)} plans, {objectives} objectives, "
          f"{len(catalogue.files)} files checked, no problems.")
    return 0


def cmd_build(args: argparse.Namespace, project: Project) -> int:
    """Build the database; the valid files are built even when others have problems."""
    result = build(project)
    _print_problems(result.problems)
    counts = result.counts
    examples = " (example data included)" if project.example_data else ""
    print(f"Built {result.db_path}: {counts.get('plans', 0)} plans, "
          f"{counts.get('objectives', 0)} objectives, {counts.get('updates', 0)} updates"
          f"{examples}.")
    if result.problems:
        print(f"{len(result.problems)} problem(s) found: the files with problems were left out "
              "where they could not be read. Fix them and build again.", file=sys.stderr)
        return 1
    return 0


COMMANDS: dict[str, tuple[Command, str]] = {
    "validate": (cmd_validate, "check every plan file and report each problem with file and line"),
    "build": (cmd_build, "build the database from the plan files"),
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m tracker", description="Sefton Partnership plan tracker."
    )
    top.add_argument("--root", type=Path, help="the project folder (default: found automatically)")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.add_argument("--db", type=Path, help="the database file (default data/tracker.duckdb)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    project = load_project(args.root, getattr(args, "db", None))
    handler, _ = COMMANDS[args.command]
    try:
        return handler(args, project)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a sentence, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
