"""Build the DuckDB database from the plans, atomically.

The build writes a new file beside the database and swaps it in with
`os.replace`, so a dashboard reading the old file never sees a half-built
one. Builds take a lock so that two at once queue rather than interleave;
if the lock cannot be had, the later build waits (last writer wins). From the
command line the plans are read in a child process while the extracts load
(`forking`). Deciding whether to build is `serving`'s; this module only builds.

A build redoes only what changed (`changes` says what, `incremental` does it in a copy of
the last file); with nothing changed it writes nothing at all. `full=True` builds
everything from the files, as the first build does.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa
from filelock import FileLock

from tracker.db.carry import carry_forward
from tracker.db.changes import Inputs, compare, metric_fingerprints, recorded_inputs
from tracker.db.failures import clear_failure, record_failure
from tracker.db.forking import plans_beside
from tracker.db.incremental import copy_file, record, update_copy
from tracker.db.queries import query_text
from tracker.db.sources import built_signature, input_fingerprints, source_signature, vouch_for
from tracker.db.summary import BuildResult, built_result
from tracker.db.tables import PlanTables
from tracker.logs import log_exception
from tracker.metrics.definitions import PlacedMetric, load_metrics
from tracker.metrics.extracts import ExtractReport, load_extracts
from tracker.plans.problems import Problem
from tracker.project import Project

logger = logging.getLogger(__name__)


def build_lock(project: Project, timeout: float = 300) -> FileLock:
    """The lock every build of this database takes (a file beside it), waiting `timeout`
    seconds at most; `serve_current` asks with 0 so as not to wait while there is a database."""
    project.db_path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(project.db_path) + ".lock", timeout=timeout)


def build(project: Project, full: bool = False, inputs: Inputs | None = None) -> BuildResult:
    """Bring the database up to date with the files: redo what changed in a new file and
    swap it in, or nothing if nothing changed; `full`: build everything from the files.
    (`inputs`: the project's `input_fingerprints`, when the caller took them already, before
    any file was read.)"""
    with build_lock(project):
        return build_recorded(project, full, inputs)


def build_recorded(project: Project, full: bool = False, inputs: Inputs | None = None) -> BuildResult:
    """Build (under the lock); a failure is logged with its traceback and recorded beside
    the database for the dashboard's banner, a success clears the record."""
    inputs = input_fingerprints(project) if inputs is None else inputs
    signature = source_signature(project, inputs)
    try:
        result = _build_locked(project, full, inputs, signature)
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


def _build_locked(project: Project, full: bool, inputs: Inputs, signature: str) -> BuildResult:
    remove_leftovers(project, time.time())
    db_path = project.db_path
    if not full and built_signature(db_path) == signature:
        logger.info("the database %s is up to date: nothing to build", db_path)
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            return built_result(con, db_path, "up to date")
        finally:
            con.close()
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    loaded: list[PlacedMetric] | None = None  # the metric definitions, once read
    try:
        if not full and _may_copy(db_path):
            # The metric definitions, which most changes need, are read while the file is
            # copied (both about 0.06 s for 10 million points): the copy is the kernel's work.
            with ThreadPoolExecutor(max_workers=1) as copier:
                copying = copier.submit(copy_file, db_path, tmp)
                loaded, _ = load_metrics(project)
                copying.result()
            result = _update_database(tmp, project, inputs, signature, loaded)
            if result is not None:
                _swap_in(tmp, db_path, signature)
                return result
            for copied in (tmp, Path(str(tmp) + ".wal")):
                copied.unlink(missing_ok=True)
        with plans_beside(project) as plans:
            # (their problems come with the plans')
            placed = loaded if loaded is not None else load_metrics(project)[0]
            metrics = placed if project.example_data else [m for m in placed if not m.metric.example]
            recorded = {**inputs, **metric_fingerprints(placed)}
            counts, report, problems = _write_database(tmp, project, plans, metrics, signature, recorded)
            _swap_in(tmp, db_path, signature)
    finally:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
    return BuildResult(db_path=db_path, problems=problems, counts=counts, extracts=report)


def _may_copy(db_path: Path) -> bool:
    """Whether the last build's file may be the start of this one: there, whole, and with no
    write-ahead log of an interrupted writer beside it."""
    return not Path(str(db_path) + ".wal").exists() and built_signature(db_path) is not None


def _update_database(path: Path, project: Project, inputs: Inputs, signature: str,
                     loaded: list[PlacedMetric]) -> BuildResult | None:
    """Bring the copy of the last build at `path` up to date; what it then holds, read before
    it is swapped in (a reader in this process may still hold the old file open under the same
    name, so the inputs it was built from are read from the copy too). None, with the copy
    unchanged, when everything must be built: no inputs recorded, or a change to SQL,
    settings or the tracker."""
    con = duckdb.connect(str(path))
    try:
        before = recorded_inputs(con, "main")
        changes = None if before is None else compare(before, inputs)
        if before is None or changes is None or changes.cold is not None:
            logger.info("building everything: %s", "no inputs recorded" if changes is None else changes.cold)
            return None
        recorded = update_copy(con, project, changes, before, inputs, loaded)
        record(con, recorded)
        con.execute("delete from build_info")
        con.execute(
            "insert into build_info select current_timestamp, $examples, $signature, count(*) "
            "from problems", {"examples": project.example_data, "signature": signature})
        con.execute("checkpoint")
        return built_result(con, project.db_path, "incremental")
    finally:
        con.close()


def _swap_in(tmp: Path, db_path: Path, signature: str) -> None:
    # A write-ahead log left by an interrupted writer belongs to the old file and
    # would make the new one fail to open.
    Path(str(db_path) + ".wal").unlink(missing_ok=True)
    os.replace(tmp, db_path)
    vouch_for(db_path, signature)


def _write_database(
    path: Path, project: Project, plans: Callable[[], PlanTables], metrics: list[PlacedMetric],
    signature: str, inputs: Inputs,
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
        record(con, inputs)
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
