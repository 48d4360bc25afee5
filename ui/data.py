"""Cached access to the project and its database for the pages.

The database is rebuilt when its source files change; query results are
cached per database version, so a rebuild shows at once and nothing else
re-runs a query.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import tracker.status.objectives as status_engine
from tracker.db.queries import connect_read_only, query_text
from tracker.db.serving import Serving, serve_current
from tracker.metrics.scorecard import metric_views
from tracker.metrics.scorecard_view import MetricView
from tracker.project import Project, load_project
from tracker.report.pack import build_report_data
from tracker.report.snapshots import Revision, snapshot_path
from tracker.status.quarters import FinancialQuarter, parse_quarter


def get_project() -> Project:
    """The project, with its settings read afresh (cheap) so an edit shows at once."""
    return load_project()


def ensure_database() -> Serving:
    """Build the database if it is missing or older than its sources and that can be done
    now; otherwise say why the database shown is not the newest (see `serve_current`)."""
    return serve_current(get_project())


def db_version(path: Path) -> tuple[int, int]:
    """Changes whenever a build swaps in a new file."""
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


# Frames are cached as objects (cache_resource) and each caller gets its own shallow copy:
# cache_data unpickled a fresh copy of every frame on every rerun (0.012 s of the overview's
# script), and with pandas' copy-on-write a shallow copy is as safe to change.
@st.cache_resource(show_spinner=False, max_entries=256)
def _cached_query(
    db_path: str, sql: str, version: tuple[int, int], params: tuple[tuple[str, Any], ...]
) -> pd.DataFrame:
    con = connect_read_only(Path(db_path))
    try:
        return con.execute(sql, dict(params) or None).df()
    finally:
        con.close()


def query(name: str, **params: Any) -> pd.DataFrame:
    """Run a named query (cached until the database or the query's SQL changes)."""
    project = get_project()
    sql = query_text(project, name)
    version = db_version(project.db_path)
    return _cached_query(str(project.db_path), sql, version, tuple(sorted(params.items()))).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=64)  # as `_cached_query`'s (`_own` copies)
def _cached_views(
    root: str, version: tuple[int, int], as_at: dt.date, metric_ids: tuple[str, ...] | None,
    org: str | None,
) -> list[MetricView]:
    return metric_views(load_project(Path(root)), as_at, list(metric_ids) if metric_ids else None, org)


def views(as_at: dt.date, metric_ids: list[str] | None = None, org: str | None = None) -> list[MetricView]:
    """Metrics judged as at a date (cached until the database changes)."""
    project = get_project()
    ids = tuple(metric_ids) if metric_ids is not None else None
    return [_own(view) for view in _cached_views(str(project.root), db_version(project.db_path),
                                                 as_at, ids, org)]


def _own(view: MetricView) -> MetricView:
    """A caller's own copy of a cached view: its table and lists are new objects (the table a
    shallow, copy-on-write copy), so nothing a page does to it reaches the cache."""
    return dataclasses.replace(view, points=view.points.copy(deep=False), flagged=list(view.flagged),
                               rebases=list(view.rebases), events=list(view.events))


@st.cache_resource(show_spinner=False, max_entries=64)  # as `_cached_query`'s
def _cached_objective_status(
    root: str, version: tuple[int, int], quarter: str, plan_id: str | None
) -> pd.DataFrame:
    # The engine is looked up when called, not imported by name, so a test can stand in for it.
    return status_engine.objective_status(load_project(Path(root)), parse_quarter(quarter), plan_id)


def objective_status(quarter: FinancialQuarter, plan_id: str | None = None) -> pd.DataFrame:
    """Each objective's status as at the end of `quarter` (the status engine's, as the pack and
    the command line have it), cached until the database changes.

    Working it out judges every linked metric; the overview, the objectives and the data
    quality pages all show it, so it is worked out once per database, not on every rerun.
    """
    project = get_project()
    return _cached_objective_status(str(project.root), db_version(project.db_path), str(quarter),
                                    plan_id).copy(deep=False)


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_revisions(
    root: str, version: tuple[int, int], plan_id: str, quarter: str, snapshot: tuple[int, int]
) -> tuple[list[Revision], str | None, str | None]:
    data = build_report_data(load_project(Path(root)), plan_id, parse_quarter(quarter))
    return data.revisions, data.frozen_on, data.snapshot_problem


def revised_since_reported(
    plan_id: str, quarter: FinancialQuarter
) -> tuple[list[Revision], str | None, str | None] | None:
    """What differs from the pack the Board saw for this quarter, when it was frozen, and why
    the frozen record cannot be read (None when it can); None if the quarter was never frozen.

    The comparison gathers the whole pack's data (about half a second), so it is cached
    until the database is rebuilt or the snapshot file changes, not redone on every rerun.
    """
    project = get_project()
    try:
        stat = snapshot_path(project, plan_id, quarter).stat()
    except FileNotFoundError:
        return None
    return _cached_revisions(str(project.root), db_version(project.db_path), plan_id, str(quarter),
                             (stat.st_mtime_ns, stat.st_size))
