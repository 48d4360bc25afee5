"""A build that redoes only what changed, in a copy of the last build's file.

The copy costs what copying the file costs (a tenth of a second for 10 million rows), where
copying its tables row by row into a new file costs seconds; then the rows of the changed
plans are made again (`plan_folders`, or every plan), the definitions if a metric file
changed, and the extracts whose bytes or whose metrics' definitions changed are judged
again, the others' rows kept as they were. The result is the database a cold build of the
same files would make (tests/unit/db/test_incremental.py compares every table).
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from tracker.db.carry import OBJECTIVE_TABLES, PLAN_TABLES, carry_forward
from tracker.db.changes import Changes, Inputs, definitions_changed, metric_fingerprints
from tracker.db.plan_folders import replace_plan_folders
from tracker.db.rows import insert_rows
from tracker.db.tables import plan_tables
from tracker.metrics.definitions import PlacedMetric, extract_path
from tracker.metrics.extracts import load_extract_files
from tracker.metrics.metric_tables import insert_definitions
from tracker.project import Project

logger = logging.getLogger(__name__)

DEFINITION_TABLES = ("metrics", "metric_objectives", "metric_trajectory", "metric_rebase", "metric_event")


def update_copy(con: duckdb.DuckDBPyConnection, project: Project, changes: Changes,
                before: Inputs, now: Inputs, loaded: list[PlacedMetric]) -> Inputs:
    """Bring the copy of the last build open on `con` up to date with the files; returns the
    inputs to record (`now` and the metric definitions'). `loaded`: the metric definitions as
    the files have them now (the caller reads them while the file is copied; their problems
    come with the plans')."""
    metrics: list[PlacedMetric] | None = None
    if changes.metric_files or changes.extracts:
        metrics = loaded
        definitions = metric_fingerprints(metrics)
    else:
        definitions = {key: value for key, value in before.items() if key[0] == "metric_definition"}
    metric_ids = {path for _, path in definitions}
    all_plans = changes.all_plans or (
        bool(changes.plan_folders)
        and not replace_plan_folders(con, project, changes.plan_folders, metric_ids))
    if all_plans:
        _replace_every_plan(con, project)
    if metrics is not None:
        shown = metrics if project.example_data else [m for m in metrics if not m.metric.example]
        _judge_again(con, project, shown, changes, definitions_changed(before, definitions))
        if changes.metric_files:
            for table in DEFINITION_TABLES:
                con.execute(f"delete from {table}")  # noqa: S608 - our names
            insert_definitions(con, shown)
    return {**now, **definitions}


def _replace_every_plan(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """Every plan's rows made again, as a cold build makes them (with the objectives of files
    that cannot be read carried from the last build)."""
    made = plan_tables(project)
    for table in (*PLAN_TABLES, *OBJECTIVE_TABLES, "problems", "unread_files"):
        con.execute(f"delete from {table}")  # noqa: S608 - our names
    for name, rows in made.tables.items():
        if rows is not None:
            con.register("incoming", rows)
            try:
                con.execute(f"insert into {name} by name select * from incoming")  # noqa: S608
            finally:
                con.unregister("incoming")
    if made.tables.get("unread_files") is not None:
        carry_forward(con, project)


def _judge_again(con: duckdb.DuckDBPyConnection, project: Project, metrics: list[PlacedMetric],
                 changes: Changes, redefined: set[str]) -> None:
    """Judge again the extracts whose bytes changed or whose metrics' definitions did; the
    rows of the others are kept."""
    changed = {(project.root / path).resolve() for path in changes.extracts}
    again = {m.metric.source.file for m in metrics
             if m.metric.id in redefined or extract_path(project, m.metric.source.file) in changed}
    old_files = {row[0] for row in con.execute(
        "select source_file from metrics where list_contains($ids, metric_id)",
        {"ids": sorted(redefined)}).fetchall()}
    shown = sorted({f"data/{file}" for file in again} | old_files)
    keep = [m.metric.id for m in metrics if m.metric.source.file not in again]
    logger.info("judging again %d extract(s): %s", len(again), ", ".join(sorted(again)))
    if not again and not old_files:
        return
    con.execute("set preserve_insertion_order = false")
    try:
        for table in ("metric_points", "metric_benchmarks"):
            con.execute(f"delete from {table} where not list_contains($keep, metric_id)",  # noqa: S608
                        {"keep": keep})
        for table in ("extract_rejects", "extract_files"):
            con.execute(f"delete from {table} where list_contains($shown, source_file)",  # noqa: S608
                        {"shown": shown})
    finally:
        con.execute("reset preserve_insertion_order")
    load_extract_files(con, project, metrics, only=frozenset(again))


def record(con: duckdb.DuckDBPyConnection, inputs: Inputs) -> None:
    """The build's inputs, for the next build to compare with."""
    con.execute("delete from build_inputs")
    insert_rows(con, "build_inputs", [{"kind": kind, "path": path, "fingerprint": fingerprint}
                                      for (kind, path), fingerprint in sorted(inputs.items())])


def copy_file(source: Path, target: Path) -> None:
    """The last build's file, copied beside it to be changed (never changed in place)."""
    import shutil

    shutil.copyfile(source, target)
