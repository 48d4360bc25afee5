"""The sandbox: one extract's own in-memory DuckDB, and the limits it works within.

An extract is read into a database of its own with file access still on (to read it);
`lock_sandbox` then switches file access off and locks the configuration before any
analyst's expression runs there, so even an expression that got past
`tracker.metrics.sqlguard` could not read a file or touch the database being built. The
`Limits` (settings `extract_*`) and the `Deadline` keep one file from taking the build's
memory or time: over them that file fails, and the others load.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import duckdb

from tracker.db.queries import query_text
from tracker.project import DEFAULT_SETTINGS, Project


@dataclass(frozen=True)
class Limits:
    """What one extract may take (settings `extract_*`): a file over them is refused or fails,
    and the others load."""

    columns: int = DEFAULT_SETTINGS["extract_max_columns"]
    rows: int = DEFAULT_SETTINGS["extract_max_rows"]
    xlsx_rows: int = DEFAULT_SETTINGS["extract_max_xlsx_rows"]
    memory_mb: int = DEFAULT_SETTINGS["extract_memory_limit_mb"]
    seconds: float = DEFAULT_SETTINGS["extract_time_limit_seconds"]

    @classmethod
    def of(cls, project: Project) -> Limits:
        """The project's limits (settings.yaml, else the defaults)."""
        settings = project.settings

        def setting(name: str, least: int) -> int:  # within what DuckDB and Python can take
            return max(least, min(int(settings.get(name, DEFAULT_SETTINGS[name])), 2**31 - 1))

        return cls(setting("extract_max_columns", 1), setting("extract_max_rows", 1),
                   setting("extract_max_xlsx_rows", 1), setting("extract_memory_limit_mb", 64),
                   setting("extract_time_limit_seconds", 1))


class Deadline:
    """Interrupts the sandbox's queries once its time is up, and every one after (DuckDB's
    interrupt stops only the query running), so a file that takes too long fails quickly."""

    def __init__(self, con: duckdb.DuckDBPyConnection, seconds: float) -> None:
        self.expired = False
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(con, seconds), daemon=True)
        self._thread.start()

    def _watch(self, con: duckdb.DuckDBPyConnection, seconds: float) -> None:
        if self._stopped.wait(seconds):
            return
        self.expired = True
        while True:
            con.interrupt()
            if self._stopped.wait(0.05):
                return

    def stop(self) -> bool:
        """Stop watching (before the connection closes); whether the time ran out."""
        self._stopped.set()
        self._thread.join()
        return self.expired


def open_sandbox(threads: int = 1, memory_mb: int = Limits.memory_mb) -> duckdb.DuckDBPyConnection:
    """An in-memory database for one extract, with file access still on (to read it), and
    DuckDB's memory limit (else 80% of the machine's memory) set to `memory_mb`. Nothing spills
    to disk (else into a `.tmp` folder wherever the build runs): over the limit is an error."""
    con = duckdb.connect(":memory:", config={"threads": threads, "memory_limit": f"{memory_mb}MB",
                                             "temp_directory": ""})
    # `//` and `%` by zero give null (then 'no value'), as `/` gives infinity, never an error.
    con.execute("set error_on_division_by_zero = false")
    return con


def lock_sandbox(con: duckdb.DuckDBPyConnection, project: Project) -> None:
    """No files, no settings changes from here on: analysts' expressions run after this."""
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    for name in ("parse_period", "row_problem", "create_sandbox_tables"):
        con.execute(query_text(project, f"metrics/extracts/{name}"))
