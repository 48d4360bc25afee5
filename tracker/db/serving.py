"""Whether to build, and what a reader gets meanwhile.

Functions that read take the database as it is (`require_database`): they never build,
never wait on the build lock, never write. Only two places decide to build: the command
line's entry point, through `ensure_built` (it waits for the current figures and fails
loudly), and the dashboard's start, through `serve_current` (it never takes the last good
database away, and says why the one shown is not the newest).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from filelock import Timeout

from tracker.db.build import build_lock, build_recorded
from tracker.db.failures import BuildFailure, last_failure, record_failure
from tracker.db.sources import built_signature, is_stale, source_signature, stale_reason
from tracker.db.summary import BuildResult
from tracker.logs import log_exception
from tracker.project import Project

logger = logging.getLogger(__name__)


class DatabaseMissing(RuntimeError):
    """A function that reads was called before the database was ever built."""


def require_database(project: Project) -> Path:
    """The database as it is, for a function that reads. Reading never builds: a build can
    wait minutes on another's lock and writes a file, so the command line and the
    dashboard decide to build before they read (`ensure_built`, `serve_current`)."""
    if not project.db_path.is_file():
        raise DatabaseMissing(f"there is no database at {project.db_path} yet: run "
                              "`python -m tracker build` to make it")
    return project.db_path


def ensure_built(
    project: Project, announce: Callable[[str], None] | None = None
) -> BuildResult | None:
    """Build only if the database is stale; None when it was already current. Waits for a
    build another process is running: the command line wants the current figures.

    Only the command line's entry point calls this (the dashboard's start calls
    `serve_current`); functions that read never build (`require_database`). `announce` is
    told why, just before a build this call starts. The check is repeated under the lock,
    so several processes that notice the same change at once build it once.
    """
    if not is_stale(project):
        return None
    with build_lock(project):
        why = stale_reason(project)
        if why is None:
            return None
        if announce is not None:
            announce(why)
        return build_recorded(project)


@dataclass
class Serving:
    """What a reader may show now, and why it may not be the newest."""

    available: bool  # a readable database is there to show
    built: BuildResult | None = None  # this call built it
    updating: bool = False  # another process is building a newer one
    failure: BuildFailure | None = None  # the current sources failed to build


RETRY_FAILED_AFTER = 300  # seconds: the same failing sources are tried again this often


def serve_current(project: Project) -> Serving:
    """Bring the database up to date if that can be done now, for a reader (the dashboard).

    Never takes the last good database away and never waits on another process's build
    while there is one to show: a build that fails leaves it (with the failure recorded),
    and a build running elsewhere leaves it until that build swaps in the new one. Only
    when there is nothing to show yet does this wait for the build. Sources that failed
    are not rebuilt on every page view, only when they change or every few minutes.
    """
    signature = source_signature(project)
    current = built_signature(project.db_path)
    if current == signature:
        return Serving(available=True)
    available = current is not None
    failure = last_failure(project)
    if failure is not None and failure.signature == signature and not _due_for_retry(failure):
        return Serving(available=available, failure=failure)
    lock = build_lock(project, timeout=0 if available else 300)
    try:
        lock.acquire()
    except Timeout:
        return Serving(available=available, updating=True, failure=failure)
    except OSError as exc:  # a read-only folder: the lock file cannot be made
        reference = log_exception(logger, f"cannot take the build lock for {project.db_path}")
        return Serving(available=available, failure=record_failure(project, exc, signature, reference))
    try:
        if built_signature(project.db_path) == signature:  # built by another process meanwhile
            return Serving(available=True)
        try:
            result = build_recorded(project)
        except Exception:  # noqa: BLE001 - logged and recorded by build_recorded; the old file stays
            return Serving(available=built_signature(project.db_path) is not None,
                           failure=last_failure(project))
        return Serving(available=True, built=result)
    finally:
        lock.release()


def _due_for_retry(failure: BuildFailure) -> bool:
    try:
        tried = dt.datetime.fromisoformat(failure.last_tried)
    except ValueError:
        return True
    return (dt.datetime.now(dt.UTC) - tried).total_seconds() >= RETRY_FAILED_AFTER
