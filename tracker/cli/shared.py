"""What the commands share: problems printed as `path:line: message`, the warning that the
figures leave something out, and the argument types for quarters and dates."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tracker.plans.problems import Problem, no_such_plan
from tracker.project import Project
from tracker.status.quarters import FinancialQuarter, parse_quarter

if TYPE_CHECKING:
    from tracker.status.health import SourceHealth


class UsageMistake(Exception):
    """A name given on the command line that does not exist (a plan, a metric): said plainly,
    with what there is, and exit 2 like any usage error; not logged as a fault."""


def known_plan(project: Project, plan_id: str | None) -> None:
    """Refuse a `--plan` that is not one of the built plans (None: every plan)."""
    if plan_id is None:
        return
    known = _ids(project, "select plan_id from plans order by plan_id")
    if plan_id not in known:
        raise UsageMistake(no_such_plan(plan_id, known))


def known_metric(project: Project, metric_id: str | None) -> None:
    """Refuse a `--metric` that is not one of the built metrics (None: every metric)."""
    if metric_id is None:
        return
    known = _ids(project, "select metric_id from metrics order by metric_id")
    if metric_id not in known:
        raise UsageMistake(f"there is no metric '{metric_id}': metrics are "
                           f"{', '.join(known) or 'none yet'}")


def _ids(project: Project, sql: str) -> list[str]:
    from tracker.db.queries import connect_read_only

    con = connect_read_only(project.db_path)
    try:
        return [str(row[0]) for row in con.execute(sql).fetchall()]
    finally:
        con.close()


def print_problems(problems: Sequence[Problem]) -> None:
    """Each problem on its own line of stderr, `path:line: message`, as editors link them."""
    for problem in problems:
        print(problem, file=sys.stderr)


def health_of(project: Project, plan_id: str | None) -> SourceHealth:
    """What the built database leaves out or shows from an old build, for one plan or all."""
    from tracker.db.queries import connect_read_only
    from tracker.status.health import source_health

    con = connect_read_only(project.db_path)
    try:
        return source_health(con, project, plan_id)
    finally:
        con.close()


def warn_of_problems(health: SourceHealth, shown: int | None, say: bool = True) -> int:
    """Say first, on stderr, what the figures leave out or show from an old build (unless
    the output itself says it: `say`), with every `path:line:` problem, as `build` does.
    Returns the exit code: 1 if a source file has a problem."""
    if health.ok:
        return 0
    for sentence in health.sentences(shown) if say else []:
        print(f"PROBLEM: {sentence}", file=sys.stderr)
    print_problems(health.problems)
    print(f"{len(health.problems)} problem(s) in the source files: the output is made without "
          "the bad values. Fix them (python -m tracker validate) and run again.", file=sys.stderr)
    return 1


def quarter_type(text: str) -> FinancialQuarter:
    """`--quarter` as argparse reads it: a bad quarter is a usage error (exit 2), not a traceback."""
    try:
        return parse_quarter(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def date_type(text: str) -> dt.date:
    """`--on` as argparse reads it: YYYY-MM-DD or a usage error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write YYYY-MM-DD") from None


BY_HELP = ("who makes the change: your person id or e-mail in objectives/people.yaml "
           "(required; your roles there decide what you may change)")
