"""Build the DuckDB database from the plans, atomically.

The build writes a new file beside the database and swaps it in with
`os.replace`, so a dashboard reading the old file never sees a half-built
one. Builds take a lock so that two at once queue rather than interleave;
if the lock cannot be had, the later build waits (last writer wins). From the
command line the plans are read in a child process while the extracts load.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import re
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from filelock import FileLock, Timeout

from tracker.access.people import Register
from tracker.db.forking import may_fork
from tracker.db.queries import query_text
from tracker.logs import log_exception
from tracker.metrics.definitions import PlacedMetric, load_metrics
from tracker.metrics.extracts import ExtractReport, load_extracts
from tracker.plans.catalogue import Catalogue, LoadedPlan, PlacedObjective, load_catalogue
from tracker.plans.models import Update
from tracker.plans.problems import Problem
from tracker.project import Project
from tracker.status.quarters import parse_quarter

FAILURE_SUFFIX = ".failure.json"  # beside the database: the last failed build, for the banner
DB_SUFFIXES = (".duckdb", ".duckdb.wal", ".lock", ".tmp", ".tmp.wal", FAILURE_SUFFIX)

logger = logging.getLogger(__name__)


@dataclass
class BuildResult:
    """What a build did, for the command line and the dashboard to report."""

    db_path: Path
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    extracts: ExtractReport = field(default_factory=ExtractReport)


def source_files(project: Project) -> list[Path]:
    """Every file the database is made from: plans, metric definitions, extracts, settings, and
    every SQL file under queries/ (the build's own SQL, the extracts' rules, and the queries
    the pages run over it), so an edit to any of them makes the database out of date."""
    roots = [project.objectives_dir, project.data_dir, project.queries_dir]
    files = [p for r in roots if r.is_dir() for p in r.rglob("*") if p.is_file()]
    # The audit trail and the write locks are written by every update: not sources.
    files = [p for p in files if not p.name.endswith(DB_SUFFIXES)
             and not {"snapshots", "audit", "locks"} & set(p.relative_to(project.root).parts)]
    if project.settings_path.is_file():
        files.append(project.settings_path)
    return sorted(files)


@functools.cache
def tracker_fingerprint() -> str:
    """The tracker's own version: its version number and a digest of its source files.

    A new release or an edited rule in the code makes every database out of date. Reading the
    package's files takes a few milliseconds, so it is done once per process.
    """
    import tracker

    digest = hashlib.sha256(f"version={tracker.__version__}\n".encode())
    package = Path(tracker.__file__).resolve().parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".j2")):
        digest.update(f"{path.relative_to(package).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def source_signature(project: Project) -> str:
    """A fingerprint of the source files and the tracker's version: it changes when a file is
    added, removed or edited, or the tracker is upgraded."""
    digest = hashlib.sha256(f"tracker={tracker_fingerprint()}\n".encode())
    for path in source_files(project):
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path.relative_to(project.root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    digest.update(f"example_data={project.example_data}".encode())
    return digest.hexdigest()


def _lock(project: Project, timeout: float = 300) -> FileLock:
    project.db_path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(project.db_path) + ".lock", timeout=timeout)


def build(project: Project) -> BuildResult:
    """Load every plan into a new database file and swap it in."""
    with _lock(project):
        return _build_recorded(project)


def built_signature(db_path: Path) -> str | None:
    """The source signature the database was built from; None if it is missing, cannot be
    opened, or any of its tables cannot be read in full (a file corrupt mid-way or cut short).

    Reading every table costs about 0.1 s on the shipped data, so each version of the file
    (its inode, time and size) is checked once per process and the answer remembered.
    """
    try:
        stat = db_path.stat()
    except OSError:
        return None
    key = (str(db_path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if key not in _CHECKED:
        if len(_CHECKED) >= 64:
            _CHECKED.clear()
        _CHECKED[key] = _read_and_check(db_path)
    return _CHECKED[key]


_CHECKED: dict[tuple[str, int, int, int], str | None] = {}


def _read_and_check(db_path: Path) -> str | None:
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except (duckdb.Error, OSError) as exc:
        logger.warning("the database %s cannot be opened, so it will be rebuilt: %s", db_path, exc)
        return None
    try:
        row = con.execute("select source_signature from build_info").fetchall()
        tables = con.execute(
            "select table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        for (table,) in tables:  # DuckDB checks each block's checksum as it reads it
            quoted = '"' + table.replace('"', '""') + '"'
            con.execute(f"select sum(hash(t)) from {quoted} as t").fetchall()  # noqa: S608 - its own tables
        return row[0][0] if row else None
    except (duckdb.Error, OSError) as exc:
        logger.warning("the database %s fails its check, so it will be rebuilt: %s", db_path, exc)
        return None
    finally:
        con.close()


def stale_reason(project: Project) -> str | None:
    """Why the database must be built before it is read, in a few words; None when it is
    current (built from the sources as they are now, by this version of the tracker)."""
    current = built_signature(project.db_path)
    if current == source_signature(project):
        return None
    if current is None:
        return "there is none yet" if not project.db_path.exists() else "the one there cannot be read"
    return "the plan, metric or query files (or the tracker) changed since the last build"


def is_stale(project: Project) -> bool:
    """True when the database is missing, unreadable, or built from other sources."""
    return stale_reason(project) is not None


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
    with _lock(project):
        why = stale_reason(project)
        if why is None:
            return None
        if announce is not None:
            announce(why)
        return _build_recorded(project)


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


@dataclass(frozen=True)
class BuildFailure:
    """The last build that failed, kept beside the database so every reader can say so."""

    message: str  # what failed, one line
    since: str  # when builds began failing (the first failure since the last good build)
    last_tried: str
    signature: str  # the sources it failed on: the same sources are not retried at once
    reference: str  # finds the log entry with the traceback
    changed: list[str] = field(default_factory=list)  # sources changed since the last good build


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
    lock = _lock(project, timeout=0 if available else 300)
    try:
        lock.acquire()
    except Timeout:
        return Serving(available=available, updating=True, failure=failure)
    except OSError as exc:  # a read-only folder: the lock file cannot be made
        reference = log_exception(logger, f"cannot take the build lock for {project.db_path}")
        return Serving(available=available, failure=_record_failure(project, exc, signature, reference))
    try:
        if built_signature(project.db_path) == signature:  # built by another process meanwhile
            return Serving(available=True)
        try:
            result = _build_recorded(project)
        except Exception:  # noqa: BLE001 - logged and recorded by _build_recorded; the old file stays
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


def _record_failure(project: Project, exc: BaseException, signature: str, reference: str) -> BuildFailure:
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


def _clear_failure(project: Project) -> None:
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


def _build_recorded(project: Project) -> BuildResult:
    """Build (under the lock); a failure is logged with its traceback and recorded beside
    the database for the dashboard's banner, a success clears the record."""
    signature = source_signature(project)
    try:
        result = _build_locked(project)
    except Exception as exc:
        reference = log_exception(logger, f"building {project.db_path} failed")
        _record_failure(project, exc, signature, reference)
        raise
    _clear_failure(project)
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
    with _plans_beside(project) as plans:
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


@dataclass
class PlanTables:
    """The plans' rows for the database, each table as Arrow (None when it has no rows), with
    the problems of every plan and metric file and the rows counted for the build's report."""

    tables: dict[str, pa.Table | None]
    problems: list[Problem]
    counts: dict[str, int]


def plan_tables(project: Project) -> PlanTables:
    """Read every plan and metric definition and make the plans' tables."""
    catalogue, _ = load_sources(project)
    tables = _tables(catalogue, project.example_data)
    return PlanTables(
        tables={name: pa.Table.from_pylist(rows) if rows else None for name, rows in tables.items()},
        problems=catalogue.problems, counts={name: len(rows) for name, rows in tables.items()})


@contextmanager
def _plans_beside(project: Project) -> Iterator[Callable[[], PlanTables]]:
    """The plans' tables, made while the extracts load: reading YAML is Python work on one
    core, loading extracts DuckDB's on the others, and in one process the two would take
    turns with Python's lock. So a forked child reads the plans and sends back the tables.

    Forking is safe only from a process running one thread (the command line; not the
    dashboard's server) and only where processes fork (not Windows): elsewhere the plans
    are read here, first, as before.
    """
    if not may_fork():
        made = plan_tables(project)
        yield lambda: made
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_plan_tables, args=(project, sender, receiver, os.getpid()),
                            daemon=True)
    child.start()
    sender.close()
    try:
        yield lambda: _received(receiver)
    finally:
        receiver.close()
        if child.is_alive():  # the build failed before it needed the plans
            child.kill()
        child.join()


def _send_plan_tables(project: Project, sender: Connection, receiver: Connection, parent: int) -> None:
    """In the child: the plans' tables, or what went wrong, to the parent.

    The child dies with its parent (a build killed with `kill -9` leaves no orphan): it
    asks Linux to kill it then, and it closes its copy of the pipe's reading end, so that
    a send to a dead parent fails instead of waiting for ever on a pipe it holds itself.
    """
    receiver.close()
    _die_with_parent(parent)
    try:
        made: PlanTables | BaseException = plan_tables(project)
    except BaseException as exc:  # noqa: BLE001 - the parent raises it (and logs it)
        made = exc
    try:
        sender.send(made)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:  # one that cannot be pickled
        sender.send(RuntimeError(f"reading the plans failed: {made or exc}"))
    except BrokenPipeError:  # the parent has gone: nobody to tell
        os._exit(1)
    sender.close()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """In a forked child: end when `parent` ends, however it ends."""
    asked = False
    if sys.platform.startswith("linux"):
        try:
            asked = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            asked = False
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)
    if not asked:  # elsewhere: look every second
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _received(receiver: Connection) -> PlanTables:
    try:
        made = receiver.recv()
    except EOFError:
        raise RuntimeError("reading the plans stopped without an answer (out of memory?)") from None
    if isinstance(made, BaseException):
        raise made
    return made


def load_sources(project: Project) -> tuple[Catalogue, list[PlacedMetric]]:
    """Every plan and metric definition, with all their problems in `catalogue.problems`."""
    catalogue = load_catalogue(project)
    metrics, metric_problems = load_metrics(project)
    catalogue.problems.extend(metric_problems)
    catalogue.problems.extend(_unknown_metric_links(catalogue, metrics))
    catalogue.problems.sort(key=lambda p: (p.path, p.line or 0, p.message))
    return catalogue, metrics


def _unknown_metric_links(catalogue: Catalogue, metrics: list[PlacedMetric]) -> list[Problem]:
    """Objectives naming metrics that do not exist, and metrics naming unknown objectives."""
    metric_ids = {m.metric.id for m in metrics}
    objective_ids = {o.objective.id for o in catalogue.objectives()}
    problems = [
        Problem(o.path, o.line, f"{o.objective.id}: metric '{m}' does not exist in data/metrics/")
        for o in catalogue.objectives() for m in o.objective.metrics if m not in metric_ids
    ]
    if all(plan.complete for plan in catalogue.plans):
        problems += [
            Problem(m.path, m.line, f"metric {m.metric.id}: objective '{o}' does not exist")
            for m in metrics for o in m.metric.objectives if o not in objective_ids
        ]
    return problems


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
        con.execute(query_text(project, "build/create_tables"))
        con.execute(query_text(project, "build/create_metric_tables"))
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


# The tables of an objective's rows, and of a plan's, that a file which cannot be read now
# takes from the last good build (`carry_forward`).
OBJECTIVE_TABLES = ("objectives", "impacts", "actions", "partners", "risks", "objective_metrics",
                    "milestones", "targets", "updates", "signoffs")
PLAN_TABLES = ("plans", "themes", "groups", "areas")


def carry_forward(con: duckdb.DuckDBPyConnection, project: Project) -> int:
    """Show the objectives of files that cannot be read now as the last good build had them.

    A typo must not make objectives vanish from the Board's counts: the previous
    database (if there is one and it can be read) is attached read-only, and the rows of
    the unreadable files' objectives are copied from it, each marked "shown as at <date>:
    the file now has a problem". Returns how many objectives were carried; where there was
    no good build, `unread_files` still says which files could not be read.
    """
    previous = project.db_path
    if not previous.is_file():
        return 0
    try:
        con.execute(f"attach '{_sql_text(previous)}' as previous (read_only)")
    except duckdb.Error:
        logger.warning("the last build %s could not be read to carry objectives forward",
                       previous, exc_info=True)
        return 0
    con.execute("begin transaction")  # all of it or none: never half an objective
    try:
        carried = _carry_from_previous(con, project)
        con.execute("commit")
        return carried
    except duckdb.Error:  # an older or damaged database: the files are still named as unread
        logger.warning("objectives could not be carried forward from %s", previous, exc_info=True)
        con.execute("rollback")
        return 0
    finally:
        con.execute("detach previous")


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _carry_from_previous(con: duckdb.DuckDBPyConnection, project: Project) -> int:
    columns = _columns(con, "previous", "objectives")
    shown = "" if "shown_as_at" in columns else ", null::timestamp as shown_as_at"
    con.execute(f"create temp view previous_objectives as select *{shown} from previous.objectives")  # noqa: S608
    con.execute("create temp view previous_build as select * from previous.build_info")
    con.execute("create temp table carried as " + query_text(project, "build/carried_objectives"))
    con.execute("create temp table carried_plans as select plan_id from unread_files "
                "where area_id is null and plan_id not in (select plan_id from plans)")
    for table in PLAN_TABLES:
        _copy(con, table, "plan_id in (select plan_id from carried_plans)")
    for table in OBJECTIVE_TABLES:
        examples = "" if project.example_data or table != "updates" else " and not is_example"
        _copy(con, table, f"objective_id in (select objective_id from carried){examples}")  # noqa: S608
    con.execute(query_text(project, "build/mark_carried"))
    carried = con.execute("select count(*) from carried").fetchall()[0][0]
    con.execute("drop view previous_objectives")
    con.execute("drop view previous_build")
    con.execute("drop table carried")
    con.execute("drop table carried_plans")
    return int(carried)


def _columns(con: duckdb.DuckDBPyConnection, database: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() where database_name = $db and table_name = $t "
        "order by column_index", {"db": database, "t": table}).fetchall()
    return [row[0] for row in rows]


def _copy(con: duckdb.DuckDBPyConnection, table: str, where: str) -> None:
    """Copy the rows of `table` matching `where` from the previous build (the columns both have)."""
    ours = _columns(con, _database_name(con), table)
    shared = ", ".join(f'"{c}"' for c in _columns(con, "previous", table) if c in ours)
    con.execute(f"insert into {table} ({shared}) select {shared} from previous.{table} where {where}")  # noqa: S608 - our own names


def _database_name(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchall()[0][0]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table | None) -> None:
    if rows is None:
        return
    con.register("incoming", rows)
    try:
        con.execute(f"insert into {table} by name select * from incoming")  # noqa: S608 - table names are ours
    finally:
        con.unregister("incoming")


def month_start(text: str | None) -> dt.date | None:
    """'2024-03' -> 1 March 2024; a year alone ('2028') -> 1 December of that year."""
    if text is None:
        return None
    if len(text) == 4:
        return dt.date(int(text), 12, 1)
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def _tables(catalogue: Catalogue, example_data: bool) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {
        name: [] for name in (
            "plans", "themes", "groups", "areas", "objectives", "impacts", "actions",
            "partners", "risks", "objective_metrics", "milestones", "targets", "updates",
            "signoffs", "problems", "unread_files",
        )
    }
    seen: set[str] = set()
    present: set[tuple[str, str]] = set()  # (objective, quarter) of the update rows so far
    for position, loaded in enumerate(catalogue.plans):
        _plan_rows(loaded, position, tables)
        first_update = len(tables["updates"])
        for placed in loaded.objectives:
            if placed.objective.id in seen:
                continue  # a duplicate id: reported as a problem, the first one is kept
            seen.add(placed.objective.id)
            _objective_rows(placed, tables, catalogue.people)
        present.update((row["objective_id"], row["quarter"])
                       for row in tables["updates"][first_update:])
        if example_data:
            _example_rows(loaded, seen, present, tables)
    tables["problems"] = [
        {"path": p.path, "line": p.line, "message": p.message} for p in catalogue.problems
    ]
    tables["unread_files"] = [
        {"plan_id": u.plan_id, "area_id": u.area_id, "path": u.path, "line": u.problem.line,
         "message": u.problem.message, "shown_as_at": None, "objectives": 0}
        for u in catalogue.unread
    ]
    return tables


def _plan_rows(loaded: LoadedPlan, position: int, tables: dict[str, list[dict[str, Any]]]) -> None:
    plan = loaded.plan
    tables["plans"].append({
        "plan_id": plan.id, "name": plan.name, "owner": plan.owner,
        "period_start": month_start(plan.period.start), "period_end": month_start(plan.period.end),
        "source": plan.source, "vision": plan.vision, "position": position,
    })
    tables["themes"] += [
        {"plan_id": plan.id, "theme_id": t.id, "name": t.name, "description": t.description,
         "position": i} for i, t in enumerate(plan.themes)
    ]
    area_position = 0
    for g, group in enumerate(plan.groups):
        tables["groups"].append(
            {"plan_id": plan.id, "group_id": group.id, "name": group.name, "position": g}
        )
        for area in group.areas:
            tables["areas"].append({
                "plan_id": plan.id, "group_id": group.id, "area_id": area.id,
                "name": area.name, "code": area.code, "position": area_position,
            })
            area_position += 1


def _listed(objective_id: str, column: str, values: Iterable[str]) -> list[dict[str, Any]]:
    return [{"objective_id": objective_id, "position": i, column: v} for i, v in enumerate(values)]


def _objective_rows(
    placed: PlacedObjective, tables: dict[str, list[dict[str, Any]]], people: Register
) -> None:
    o = placed.objective
    leads = [people.by_id(i) for i in o.lead]
    emails = [p.email for p in leads if p is not None]
    tables["objectives"].append({
        "objective_id": o.id, "plan_id": placed.plan_id, "group_id": placed.group_id,
        "area_id": placed.area_id, "position": placed.position, "objective": o.objective,
        "timeframe": o.timeframe, "target_month": month_start(o.target_date),
        "rationale": o.rationale, "lead": "; ".join(people.names(list(o.lead))) or None,
        "lead_email": "; ".join(emails) or o.lead_email, "lead_ids": list(o.lead),
        "lead_as_published": o.lead_as_published, "notes": o.notes,
        "source_path": placed.path, "source_line": placed.line,
        "problem": "; ".join(map(str, placed.problems)) or None, "shown_as_at": None,
    })
    tables["impacts"] += _listed(o.id, "impact", o.impacts)
    tables["actions"] += _listed(o.id, "action", o.actions)
    tables["partners"] += _listed(o.id, "partner", o.partners)
    tables["risks"] += _listed(o.id, "risk", o.risks)
    tables["objective_metrics"] += [{"objective_id": o.id, "metric_id": m} for m in o.metrics]
    tables["milestones"] += [
        {"objective_id": o.id, "position": i, "description": m.description, "due": m.due,
         "due_month": month_start(m.due), "completed_month": month_start(m.completed)}
        for i, m in enumerate(o.milestones)
    ]
    tables["targets"] += [
        {"objective_id": o.id, "position": i, "measure": t.measure, "value": t.value,
         "unit": t.unit, "baseline": t.baseline, "due": t.due, "due_month": month_start(t.due),
         "metric_id": t.metric}
        for i, t in enumerate(o.targets)
    ]
    quarters_done: set[str] = set()
    for update in o.updates:
        if update.quarter not in quarters_done:  # a second one for a quarter is a reported problem
            _update_rows(o.id, update, False, placed.path, placed.line, tables)
            quarters_done.add(update.quarter)


def _example_rows(
    loaded: LoadedPlan, known: set[str], present: set[tuple[str, str]],
    tables: dict[str, list[dict[str, Any]]],
) -> None:
    """Example updates fill only the quarters with no real update: real ones replace them.

    `known` holds the objective ids so far and `present` the (objective, quarter) pairs of
    the update rows so far (this adds to it).
    """
    for example in loaded.examples:
        update = example.update
        key = (update.objective, update.quarter)
        if update.objective in known and key not in present:
            _update_rows(update.objective, update, True, example.path, example.line, tables)
            present.add(key)


def _update_rows(
    objective_id: str, update: Update, is_example: bool, path: str, line: int | None,
    tables: dict[str, list[dict[str, Any]]],
) -> None:
    quarter = parse_quarter(update.quarter)
    tables["updates"].append({
        "objective_id": objective_id, "quarter": update.quarter,
        "quarter_start": quarter.start_month, "quarter_end": quarter.end_date,
        "rag": update.rag, "commentary": update.commentary, "mitigations": update.mitigations,
        "updated_by": update.updated_by, "updated_on": update.updated_on,
        "is_example": is_example, "source_path": path, "source_line": line,
    })
    tables["signoffs"] += [
        {"objective_id": objective_id, "quarter": update.quarter, "org": s.org,
         "signed_by": s.by, "signed_on": s.on}
        for s in update.signoffs
    ]
