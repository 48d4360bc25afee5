"""What happened to each extract: one `extract_files` row per metric and extract, and the
report `build` prints and the dashboard's data-quality page shows.

Every part of the loading (reading a file, judging its metrics, the sandbox's limits) ends
in these rows, so they are made in one place with every count there, zero unless given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict


class FileRow(TypedDict):
    """One row of `extract_files`: how one metric fared with one extract.

    `status` is loaded, refused (unsafe, or over a limit), unreadable or failed; for a
    loaded one, rows read = loaded + rejected + filtered + suppressed.
    """

    source_file: str
    metric_id: str | None
    status: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_filtered: int
    rows_suppressed: int
    message: str | None


def file_row(source_file: str, metric_id: str | None, status: str, *, rows_read: int = 0,
             rows_loaded: int = 0, rows_rejected: int = 0, rows_filtered: int = 0,
             rows_suppressed: int = 0, message: str | None = None) -> FileRow:
    """An `extract_files` row; the counts not given are zero."""
    return {"source_file": source_file, "metric_id": metric_id, "status": status,
            "rows_read": rows_read, "rows_loaded": rows_loaded, "rows_rejected": rows_rejected,
            "rows_filtered": rows_filtered, "rows_suppressed": rows_suppressed, "message": message}


def first_line(exc: BaseException) -> str:
    """An error's first line, for a message a person reads (its name if it says nothing)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@dataclass
class ExtractReport:
    """What happened to each extract, for `build` to print and the dashboard to show."""

    files: list[FileRow] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Per metric and extract: `file (metric): read N = loaded L + rejected R (+ filtered F)`."""
        out = []
        for f in self.files:
            name = f"{f['source_file']} ({f['metric_id']})" if f["metric_id"] else f["source_file"]
            if f["status"] != "loaded":
                out.append(f"{name}: {f['status']}: {f['message']}")
                continue
            filtered = f" + filtered {f['rows_filtered']}" if f["rows_filtered"] else ""
            if f.get("rows_suppressed"):
                filtered += f" + suppressed {f['rows_suppressed']}"
            out.append(f"{name}: read {f['rows_read']} = loaded {f['rows_loaded']} + rejected "
                       f"{f['rows_rejected']}{filtered}")
        return out

    @property
    def problems(self) -> list[str]:
        """The lines of extracts that could not be loaded at all."""
        return [line for f, line in zip(self.files, self.lines(), strict=True)
                if f["status"] != "loaded"]
