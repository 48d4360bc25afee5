"""The commands on the source files themselves: check them (`validate`), build the database
from them (`build`), and rewrite the JSON Schemas editors check them with (`schema`)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tracker.cli.shared import print_problems
from tracker.plans.problems import display_path
from tracker.project import Project

if TYPE_CHECKING:
    from tracker.db.summary import BuildResult


def cmd_validate(args: argparse.Namespace, project: Project) -> int:
    """Check every YAML file, and each metric's expressions and columns as `build` would
    (`tracker.metrics.checking`); print every problem; exit 1 if there are any. What could
    not be checked (an extract that is not there) is said as a NOTE, on stdout."""
    from tracker.db.tables import load_sources
    from tracker.metrics.checking import check_definitions
    from tracker.metrics.definitions import metric_files

    catalogue, metrics = load_sources(project)
    checked = check_definitions(project, metrics)
    for note in checked.notes:
        print(f"NOTE: {note}")
    problems = sorted(catalogue.problems + checked.problems, key=lambda p: (p.path, p.line or 0, p.message))
    if problems:
        print_problems(problems)
        files = len({p.path for p in problems})
        print(f"{len(problems)} problem(s) in {files} file(s).", file=sys.stderr)
        return 1
    objectives = len(catalogue.objectives())
    files = len(catalogue.files) + len(metric_files(project))
    print(f"OK: {len(catalogue.plans)} plans, {objectives} objectives, {len(metrics)} metrics, "
          f"{files} files checked, no problems.")
    return 0


def build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full", action="store_true",
                        help="build everything from the files, not only what changed")


def cmd_build(args: argparse.Namespace, project: Project) -> int:
    """Build the database (only what changed since the last build, unless `--full`); the
    valid files are built even when others have problems."""
    from tracker.db.sources import input_fingerprints
    from tracker.db.summary import up_to_date

    full = getattr(args, "full", False)
    inputs = input_fingerprints(project)  # once, before any file is read: both steps need them
    current = None if full else up_to_date(project, inputs)
    if current is not None:  # answered without loading the builder (imports cost more than this)
        return _report_build(current, project, ["metric(s) that loaded nothing"] * _loaded_nothing(current))
    from tracker.db.build import build

    result = build(project, full=full, inputs=inputs)
    empty: list[str] = []
    if _loaded_nothing(result):  # only then: reading the reasons loads pandas (0.3 s)
        from tracker.metrics.rejects import nothing_loaded

        empty = nothing_loaded(project, result.db_path)
    return _report_build(result, project, empty)


def _loaded_nothing(result: BuildResult) -> int:
    """How many metrics loaded no rows from an extract that has rows (`nothing_loaded`'s test)."""
    return sum(1 for f in result.extracts.files
               if f["status"] == "loaded" and f["rows_loaded"] == 0 and f["rows_read"] > 0)


def _report_build(result: BuildResult, project: Project, empty: list[str]) -> int:
    """Print what the build did (or, up to date, what the last one did); 1 if it found problems."""
    print_problems(result.problems)
    for line in result.extracts.lines():
        print(line)
    counts = result.counts
    examples = " (example data included)" if project.example_data else ""
    done = {"up to date": f"{result.db_path} is up to date: nothing changed since the last build",
            "incremental": f"Built {result.db_path} (only what changed)"}.get(
                result.how, f"Built {result.db_path}")
    print(f"{done}: {counts.get('plans', 0)} plans, "
          f"{counts.get('objectives', 0)} objectives, {counts.get('updates', 0)} updates"
          f"{examples}.")
    if result.how == "up to date" and empty:
        print(f"{len(empty)} metric(s) loaded nothing at the last build: `python -m tracker build "
              "--full` says why, `python -m tracker rejects` lists the rejected rows.", file=sys.stderr)
    elif result.how != "up to date":
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


def cmd_schema(args: argparse.Namespace, project: Project) -> int:
    """Rewrite the editors' JSON Schemas from the models."""
    from tracker.plans.schema import write_schemas

    for path in write_schemas(project.root):
        print(f"wrote {display_path(path, project.root)}")
    return 0
