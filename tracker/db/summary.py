"""What a build reports, and, read back from the database, what the last one did.

Kept light (DuckDB, no pandas, pyarrow or models), so that `python -m tracker build` with
nothing changed answers "up to date" in about the time Python takes to start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import duckdb

from tracker.db.sources import built_signature, source_signature
from tracker.metrics.extract_report import ExtractReport, FileRow
from tracker.plans.problems import Problem
from tracker.project import Project

COUNTED = ("plans", "objectives", "updates", "metrics")


@dataclass
class BuildResult:
    """What a build did, for the command line and the dashboard to report."""

    db_path: Path
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    extracts: ExtractReport = field(default_factory=ExtractReport)
    how: str = "cold"  # cold, incremental, or up to date (nothing was written)


def built_result(con: duckdb.DuckDBPyConnection, db_path: Path, how: str) -> BuildResult:
    """What the database open on `con` holds, as a build reports it: for a build that did not
    make every table itself (an incremental one, or none at all)."""
    problems = [Problem(path, line, message) for path, line, message in con.execute(
        "select path, line, message from problems order by path, coalesce(line, 0), message"
    ).fetchall()]
    columns = ", ".join(FileRow.__annotations__)
    files = [cast(FileRow, dict(zip(FileRow.__annotations__, row, strict=True)))
             for row in con.execute(f"select {columns} from extract_files "  # noqa: S608 - our names
                                    "order by source_file, metric_id").fetchall()]
    counts = {table: con.execute(f"select count(*) from {table}").fetchall()[0][0]  # noqa: S608
              for table in COUNTED}
    counts["objectives_carried"] = con.execute(
        "select count(*) from objectives where shown_as_at is not null").fetchall()[0][0]
    counts["metric_values"] = con.execute("select count(*) from metric_points").fetchall()[0][0]
    return BuildResult(db_path=db_path, problems=problems, counts=counts,
                       extracts=ExtractReport(files), how=how)


def up_to_date(project: Project, inputs: dict[tuple[str, str], str] | None = None) -> BuildResult | None:
    """The last build's report, when the database is built from the files as they are now;
    None when a build has something to do. (`inputs`: the project's `input_fingerprints`,
    when the caller has them already.)"""
    if built_signature(project.db_path) != source_signature(project, inputs):
        return None
    try:
        con = duckdb.connect(str(project.db_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return built_result(con, project.db_path, "up to date")
    finally:
        con.close()
