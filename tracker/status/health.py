"""What the figures leave out or show from an old build, said once for every place with counts.

Counts must never shrink silently. The build keeps every objective it can: one with a bad
field is shown with that field left out, and one whose file cannot be read is shown as at
the last good build. `SourceHealth` gathers that from the database, and gives the
sentences the dashboard, the Board pack and the command line put at the top of their
figures, so all of them say the same.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from dataclasses import dataclass, field
from typing import TypedDict

import duckdb
import pandas as pd

from tracker.db.queries import run_query
from tracker.plans.problems import Problem
from tracker.project import Project


class UnreadFileRow(TypedDict):
    """A plan or area file the last build could not read: a row of the named query unread_files."""

    path: str
    line: int | float | None  # None or NaN: the problem has no line
    message: str
    shown_as_at: dt.datetime | None  # the last good build its objectives are shown from
    objectives: int  # how many objectives are shown from that build (0: none)


@dataclass(frozen=True)
class SourceHealth:
    """The problems behind the figures of one plan (or of every plan)."""

    # objective id -> what is wrong, as `path:line: message` (or "shown as at ...: ...")
    objective_problems: dict[str, str] = field(default_factory=dict)
    # the ids among them shown as at an earlier build, because their file cannot be read
    carried: frozenset[str] = frozenset()
    # one per file that could not be read
    unread: list[UnreadFileRow] = field(default_factory=list)
    # every problem of every source file at the last build
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def sentences(self, shown: int | None = None) -> list[str]:
        """What the reader must know before trusting the counts, in plain words.

        `shown` is how many objectives the figures count; with it, the first sentence
        says so ("99 objectives shown; 1 plan file could not be read").
        """
        out: list[str] = []
        lost = [u for u in self.unread if not u["objectives"]]
        if shown is not None and (lost or self.objective_problems):
            counted = f"{_n(shown, 'objective')} shown"
            if self.objective_problems:
                counted += f", {len(self.objective_problems)} of them with a problem"
            if lost:
                counted += (f"; {_n(len(lost), 'plan file')} could not be read and the "
                            "objectives in it are not counted")
            out.append(counted + ".")
        bad = [i for i in self.objective_problems if i not in self.carried]
        if bad:
            out.append(f"{_n(len(bad), 'objective')} {'has' if len(bad) == 1 else 'have'} a "
                       "problem in its plan file and "
                       f"{'is' if len(bad) == 1 else 'are'} shown without the bad value: "
                       + "; ".join(f"{i} ({self.objective_problems[i]})" for i in bad) + ".")
        for unread in self.unread:
            where = _where(unread)
            if unread["objectives"]:
                out.append(f"{_n(unread['objectives'], 'objective')} of {unread['path']} "
                           f"{'is' if unread['objectives'] == 1 else 'are'} shown as at "
                           f"{_day(unread['shown_as_at'])}: the file now has "
                           f"a problem ({where}).")
            else:
                out.append(f"{unread['path']} could not be read, and there is no earlier build "
                           f"to show its objectives from ({where}).")
        if self.problems and not out:
            out.append(f"{_n(len(self.problems), 'problem')} in the source files: see the "
                       "Data quality page or run `python -m tracker validate`.")
        return out


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _where(unread: UnreadFileRow) -> str:
    line = _line_number(unread.get("line"))
    where = unread["path"] if line is None else f"{unread['path']}:{line}"
    return f"{where}: {unread['message']}"


def _line_number(value: object) -> int | None:
    """A line number read from the database; None for none (a NULL arrives as None or NaN)."""
    number = float(value) if isinstance(value, numbers.Real) else math.nan
    return None if math.isnan(number) else int(number)


def _day(moment: dt.datetime | None) -> str:
    """'3 July 2024'; a carried file always has the date of its last good build."""
    shown = pd.NaT if moment is None else pd.Timestamp(moment)
    return f"{shown:%-d %B %Y}"


def _unread_rows(unread: pd.DataFrame) -> list[UnreadFileRow]:
    return [UnreadFileRow(path=str(row["path"]), line=_line_number(row["line"]),
                          message=str(row["message"]), shown_as_at=row["shown_as_at"],
                          objectives=int(row["objectives"]))
            for row in unread.to_dict(orient="records")]


def health_from_frames(
    objective_problems: pd.DataFrame, unread: pd.DataFrame, problems: pd.DataFrame
) -> SourceHealth:
    """`SourceHealth` from the rows of the named queries objective_problems, unread_files
    and problems (the dashboard runs them through its cache)."""
    return SourceHealth(
        objective_problems=dict(zip(objective_problems["objective_id"],
                                    objective_problems["problem"], strict=True)),
        carried=frozenset(objective_problems.loc[objective_problems["shown_as_at"].notna(),
                                                 "objective_id"]),
        unread=_unread_rows(unread),
        problems=[Problem(str(r.path), _line_number(r.line), str(r.message))
                  for r in problems.itertuples()],
    )


def source_health(
    con: duckdb.DuckDBPyConnection, project: Project, plan_id: str | None = None
) -> SourceHealth:
    """The problems behind the figures of `plan_id` (None: every plan), on an open connection."""
    return health_from_frames(
        run_query(con, project, "plans/objective_problems", plan_id=plan_id),
        run_query(con, project, "status/unread_files", plan_id=plan_id),
        run_query(con, project, "plans/problems"),
    )
