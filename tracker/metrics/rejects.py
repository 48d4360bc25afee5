"""Rejected extract rows, read back from the built database, for people to fix the extracts.

Two uses: `build` names each metric that loaded nothing from an extract that has rows (a
failure, not a quiet empty chart), with its most common reasons; and `python -m tracker
rejects` lists the rejected rows with file, line, every reason and the row's text.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tracker.csvsafe import inert
from tracker.db.queries import connect_read_only, query_text
from tracker.project import Project

REJECT_FIELDS = ["source_file", "source_row", "metric_id", "reason", "raw"]


def nothing_loaded(project: Project, db_path: Path | None = None) -> list[str]:
    """One paragraph per metric that loaded no rows from an extract that has rows: what was
    read and its (up to three) most common reasons, with the first row failing each way."""
    con = connect_read_only(db_path or project.db_path)
    try:
        rows = con.execute(query_text(project, "metrics/nothing_loaded")).fetchall()
    finally:
        con.close()
    found: dict[tuple[str, str], list[str]] = {}
    for source_file, metric_id, read, rejected, filtered, suppressed, n_rows, first_row, example, _ in rows:
        key = (source_file, metric_id)
        if key not in found:
            kept_out = f"all {read} row(s) rejected" if rejected == read else (
                f"{rejected} row(s) rejected, {filtered} filtered out"
                + (f", {suppressed} suppressed" if suppressed else ""))
            found[key] = [f"metric {metric_id} loaded nothing from {source_file}: {kept_out}"
                          + (" (check its filter)" if filtered == read else "")]
        if n_rows:
            found[key].append(f"  {n_rows} row(s), the first at line {first_row}: {example}")
    return ["\n".join(lines) for lines in found.values()]


def rejected_rows(project: Project, metric: str | None = None, file: str | None = None,
                  db_path: Path | None = None) -> list[dict[str, Any]]:
    """The rejected rows of the last build, of one metric and/or one file (`data/...`)."""
    con = connect_read_only(db_path or project.db_path)
    try:
        cursor = con.execute(query_text(project, "metrics/rejected_rows"), {"metric": metric, "file": file})
        return [dict(zip(REJECT_FIELDS, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def format_rejects(rows: list[dict[str, Any]], form: str) -> str:
    """The rows as a table for people, CSV safe to open in a spreadsheet, or JSON."""
    if form == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if form == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=REJECT_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: inert(v) for k, v in row.items()} for row in rows)
        return out.getvalue()
    if not rows:
        return "No rejected rows.\n"
    lines = [f"{len(rows)} rejected row(s):"]
    for row in rows:
        lines.append(f"{row['source_file']}:{row['source_row']} ({row['metric_id']}): {row['reason']}")
        lines.append(f"    {row['raw']}")
    return "\n".join(lines) + "\n"
