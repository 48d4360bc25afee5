"""The record of a failed build, kept beside the database (`<db>.failure.json`) so that
every reader, in any process, can say the figures are from the last good build, why, and
since when; a successful build clears it."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tracker.db.sources import FAILURE_SUFFIX, source_files
from tracker.project import Project

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildFailure:
    """The last build that failed, kept beside the database so every reader can say so."""

    message: str  # what failed, one line
    since: str  # when builds began failing (the first failure since the last good build)
    last_tried: str
    signature: str  # the sources it failed on: the same sources are not retried at once
    reference: str  # finds the log entry with the traceback
    changed: list[str] = field(default_factory=list)  # sources changed since the last good build


def _failure_path(project: Project) -> Path:
    return Path(str(project.db_path) + FAILURE_SUFFIX)


_FAILURES: dict[str, BuildFailure] = {}  # where the failure file cannot be written


def last_failure(project: Project) -> BuildFailure | None:
    """The last failed build since the last good one, or None."""
    path = _failure_path(project)
    try:
        return BuildFailure(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return _FAILURES.get(str(project.db_path))
    except (OSError, ValueError, TypeError):
        logger.warning("the build failure record %s cannot be read", path, exc_info=True)
        return _FAILURES.get(str(project.db_path))


def record_failure(project: Project, exc: BaseException, signature: str, reference: str) -> BuildFailure:
    previous = last_failure(project)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    first_line = (str(exc).strip().splitlines() or [""])[0][:300]
    failure = BuildFailure(
        message=f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__,
        since=previous.since if previous else now, last_tried=now, signature=signature,
        reference=reference, changed=_changed_since_built(project),
    )
    _FAILURES[str(project.db_path)] = failure
    path = _failure_path(project)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(asdict(failure)), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as error:  # a read-only or full folder: kept in this process only
        logger.warning("cannot record the build failure in %s: %s", path, error)
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
    return failure


def clear_failure(project: Project) -> None:
    _FAILURES.pop(str(project.db_path), None)
    try:
        _failure_path(project).unlink(missing_ok=True)
    except OSError as error:
        logger.warning("cannot remove the build failure record: %s", error)


def _changed_since_built(project: Project, shown: int = 5) -> list[str]:
    """The source files newer than the database: where to look first when a build fails."""
    try:
        built_at = project.db_path.stat().st_mtime_ns
    except OSError:
        return []
    changed = []
    for path in source_files(project):
        try:
            if path.stat().st_mtime_ns > built_at:
                changed.append(path.relative_to(project.root).as_posix())
        except (OSError, ValueError):
            continue
    return changed[:shown] + ([f"and {len(changed) - shown} more"] if len(changed) > shown else [])
