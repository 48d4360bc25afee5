"""Problems found in the source files, reported as `path:line: message`.

Every check in the tracker reports through `Problem` so that the command line,
the build and the dashboard's data-quality page all speak the same words.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, at one line where we know it."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class SourceError(Exception):
    """A file that cannot be used at all (unreadable, not YAML, hostile)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def no_such_plan(plan_id: str, known: Iterable[str]) -> str:
    """What every command and page says of a plan id that does not exist: with the ids that do."""
    return f"there is no plan '{plan_id}': plans are {', '.join(known) or 'none yet'}"


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as a lead would type it: relative to the project where possible."""
    base = root or Path.cwd()
    try:
        return str(path.resolve().relative_to(_resolved(base) if base.is_absolute() else base.resolve()))
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=64)
def _resolved(base: Path) -> Path:
    """The project folder with its links followed, once: a national build names 1,200 files."""
    return base.resolve()
