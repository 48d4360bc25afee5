"""Build the DuckDB database from the plans, atomically.

The build writes a new file beside the database and swaps it in with
`os.replace`, so a dashboard reading the old file never sees a half-built
one. Builds take a lock so that two at once queue rather than interleave;
if the lock cannot be had, the later build waits (last writer wins). From the
command line the plans are read in a child process while the extracts load
(`forking`). Deciding whether to build is `serving`'s; this module only builds.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
from filelock import FileLock

from tracker.db.carry import carry_forward
from tracker.db.failures import clear_failure, record_failure
from tracker.db.forking import plans_beside
from tracker.db.queries import query_text
from tracker.db.sources import source_signature
from tracker.db.tables import PlanTables
from tracker.logs import log_exception
from tracker.metrics.definitions import PlacedMetric, load_metrics
from tracker.metrics.extracts import ExtractReport, load_extracts
from tracker.plans.problems import Problem
from tracker.project import Project

logger = logging.getLogger(__name__)


@dataclass
class BuildResult:
    """What a build did, for the command line and the dashboard to report."""

    db_path: Path
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    extracts: ExtractReport = field(default_factory=ExtractReport)


def build_lock(project: Project, timeout: float = 300) -> FileLock:
    """The lock every build of this database takes (a file beside it), waiting `timeout`
    seconds at most; `serve_current` asks with 0 so as not to wait while there is a database."""
    project.db_path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(project.db_path) + ".lock", timeout=timeout)


def build(project: Project) -> BuildResult:
    """Load every plan into a new database file and swap it in."""
    with build_lock(project):
        return build_recorded(project)


def build_recorded(project: Project) -> BuildResult:
    """Build (under the lock); a failure is logged with its traceback and recorded beside
    the database for the dashboard's banner, a success clears the record."""
    signature = source_signature(project)
    try:
        result = _build_locked(project)
    except Exception as exc:
        reference = log_exception(logger, f"building {project.db_path} failed")
        record_failure(project, exc, signature, reference)
        raise
    clear_failure(project)
    return result


_LEFTOVER = re.compile(r"^\.(?P<db>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp(\.wal)?$")


def remove_leftovers(project: Project, locked_at: float) -> list[Path]:
    """Remove the temporary files of builds that died (`kill -9`, a power cut) before they
    could; called under the build lock. A file goes if the build process that named it is
    gone or the file is older than this lock, so a live build's file is never touched."""
    removed = []
    for path in project.db_path.parent.iterdir():
        match = _LEFTOVER.match(path.name)
        if match is None or match["db"] != project.db_path.name:
            continue
        try:
            older = path.stat().st_mtime < locked_at
        except FileNotFoundError:
            continue
        if older or not _alive(int(match["pid"])):
            path.unlink(missing_ok=True)
            removed.append(path)
    if removed:
        logger.info("removed %d file(s) left by a build that died: %s", len(removed),
                    ", ".join(p.name for p in removed))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _build_locked(project: Project) -> BuildResult:
    remove_leftovers(project, time.time())
    db_path = project.db_path
    signature = source_signature(project)
    with plans_beside(project) as plans:
        metrics, _ = load_metrics(project)  # their problems come with the plans'
        if not project.example_data:
            metrics = [m for m in metrics if not m.metric.example]
        tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            counts, report, problems = _write_database(tmp, project, plans, metrics, signature)
            _swap_in(tmp, db_path)
        finally:
            for leftover in (tmp, Path(str(tmp) + ".wal")):
                leftover.unlink(missing_ok=True)
    return BuildResult(db_path=db_path, problems=problems, counts=counts, extracts=report)


def _swap_in(tmp: Path, db_path: Path) -> None:
    # A write-ahead log left by an interrupted writer belongs to the old file and
    # would make the new one fail to open.
    Path(str(db_path) + ".wal").unlink(missing_ok=True)
    os.replace(tmp, db_path)


def _write_database(
    path: Path, project: Project, plans: Callable[[], PlanTables], metrics: list[PlacedMetric],
    signature: str,
) -> tuple[dict[str, int], ExtractReport, list[Problem]]:
    """Fill a new database file: the extracts first, then the plans' tables (`plans` gives
    them, made meanwhile), the build's own record last."""
    con = duckdb.connect(str(path))
    try:
        con.execute(query_text(project, "db/create_tables"))
        con.execute(query_text(project, "db/create_metric_tables"))
        report = load_extracts(con, project, metrics)
        made = plans()
        for name, rows in made.tables.items():
            _insert(con, name, rows)
        carried = carry_forward(con, project) if made.tables.get("unread_files") is not None else 0
        con.execute(
            "insert into build_info values (current_timestamp, $examples, $signature, $problems)",
            {"examples": project.example_data, "signature": signature,
             "problems": len(made.problems)},
        )
        con.execute("checkpoint")
        counts = dict(made.counts)
        counts["objectives_carried"] = carried
        if carried:  # the carried rows count too
            for table in ("plans", "objectives", "updates"):
                counts[table] = con.execute(f"select count(*) from {table}").fetchall()[0][0]  # noqa: S608
        counts["metrics"] = len(metrics)
        counts["metric_values"] = con.execute("select count(*) from metric_values").fetchall()[0][0]
    finally:
        con.close()
    return counts, report, made.problems


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table | None) -> None:
    if rows is None:
        return
    con.register("incoming", rows)
    try:
        con.execute(f"insert into {table} by name select * from incoming")  # noqa: S608 - table names are ours
    finally:
        con.unregister("incoming")
