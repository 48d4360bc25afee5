"""Write into the database being built: the metric definitions, then what each sandbox made
(values, benchmarks, pooled periods' labels, rejected rows) and the `extract_files` rows.

Values wait in memory for a few large inserts, which cost far less than many small ones;
metrics travel as their number in the load (`metric_no`) and become their ids here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from tracker.db.rows import insert_rows
from tracker.metrics.definitions import PlacedMetric
from tracker.metrics.extract_report import FileRow


@dataclass
class FileResult:
    """One extract's outcome, made in its sandbox: an `extract_files` row per metric, and the
    loaded values, benchmarks and rejected rows as Arrow tables (metric_no numbers the
    load's metrics). Points made of several rows (`assembled`, with how many in
    `source_rows`) come apart from the values of one row each, which are the bulk."""

    files: list[FileRow]
    values: pa.Table | None = None
    benchmarks: pa.Table | None = None
    rejects: pa.Table | None = None
    assembled: pa.Table | None = None
    labels: pa.Table | None = None  # pooled periods' words as published (metric_no, period, label)


class Writer:
    """Writes what the sandboxes made into the database being built. Values wait in memory
    for a few large inserts, which cost far less than many small ones."""

    FLUSH_ROWS = 2_000_000

    def __init__(self, con: duckdb.DuckDBPyConnection, metrics: list[PlacedMetric]) -> None:
        self.con = con
        self.ids = [p.metric.id for p in metrics]
        self.files = [f"data/{p.metric.source.file}" for p in metrics]
        self.waiting: list[pa.Table] = []
        self.rows = 0

    def add(self, result: FileResult) -> None:
        """One extract's rejected rows, points of several rows, benchmarks and period labels now; its values
        with the others waiting."""
        if result.rejects is not None and result.rejects.num_rows:
            self._insert("extract_rejects", result.rejects, """
                select ($ids)[metric_no + 1] as metric_id, ($files)[metric_no + 1] as source_file,
                       source_row, reason, raw
                from incoming""", files=True)
        if result.assembled is not None and result.assembled.num_rows:
            self._insert("metric_points", result.assembled, """
                select ($ids)[metric_no + 1] as metric_id, * exclude (metric_no) from incoming""")
        if result.benchmarks is not None and result.benchmarks.num_rows:
            self._insert("metric_benchmarks", result.benchmarks, """
                select ($ids)[metric_no + 1] as metric_id, * exclude (metric_no) from incoming""")
        if result.labels is not None and result.labels.num_rows:
            self._insert("metric_period_labels", result.labels, """
                select ($ids)[metric_no + 1] as metric_id, * exclude (metric_no) from incoming""")
        if result.values is not None:
            self.waiting.append(result.values)
            self.rows += result.values.num_rows
        if self.rows >= self.FLUSH_ROWS:
            self.flush()

    def forget_period_labels(self, keep: list[str]) -> None:
        """Remove the pooled periods' labels of every metric but those in `keep`: a build that
        judges some extracts again (`tracker.db.incremental`) removes their points, and
        their labels, which live apart from the points, must go with them."""
        self.con.execute("delete from metric_period_labels where not list_contains($keep, metric_id)",
                         {"keep": keep})

    def flush(self) -> None:
        """Insert the waiting values. Their order in the table means nothing (readers sort),
        and not keeping it lets DuckDB write them with every core."""
        if self.waiting:
            self.con.execute("set preserve_insertion_order = false")
            try:
                self._insert("metric_points", pa.concat_tables(self.waiting), """
                    select ($ids)[metric_no + 1] as metric_id, * exclude (metric_no) from incoming""")
            finally:
                self.con.execute("reset preserve_insertion_order")
        self.waiting, self.rows = [], 0

    def _insert(self, table: str, rows: pa.Table, select: str, files: bool = False) -> None:
        self.con.register("incoming", rows)
        try:
            params = {"ids": self.ids, "files": self.files} if files else {"ids": self.ids}
            self.con.execute(f"insert into {table} by name {select}", params)
        finally:
            self.con.unregister("incoming")


def insert_file_rows(con: duckdb.DuckDBPyConnection, files: list[FileRow]) -> None:
    """The `extract_files` rows: how each metric fared with its extract."""
    insert_rows(con, "extract_files", files)


def insert_definitions(con: duckdb.DuckDBPyConnection, metrics: list[PlacedMetric]) -> None:
    """The metric definitions, their objectives, trajectories, SPC rebase months and events."""
    tables: dict[str, list[dict[str, Any]]] = {
        "metrics": [], "metric_objectives": [], "metric_trajectory": [], "metric_rebase": [],
        "metric_event": []}
    for placed in metrics:
        m, target = placed.metric, placed.metric.target
        tables["metrics"].append({
            "metric_id": m.id, "name": m.name, "description": m.description, "unit": m.unit,
            "direction": m.direction, "frequency": m.frequency,
            "target_value": target.value if target else None,
            "target_due": _month(target.due) if target and target.due else None,
            "target_set_by": target.set_by if target else None,
            "tolerance": m.tolerance, "fix_after_n_points": m.fix_after_n_points,
            "headline": m.headline, "owner": m.owner, "owner_email": m.owner_email,
            "is_example": m.example, "orgs": m.orgs, "freshness_months": m.freshness_months,
            "benchmark_name": m.benchmark.name if m.benchmark else None,
            "source_file": f"data/{m.source.file}",
            "definition_path": placed.path, "definition_line": placed.line,
        })
        tables["metric_objectives"] += [{"metric_id": m.id, "objective_id": o} for o in m.objectives]
        tables["metric_trajectory"] += [{"metric_id": m.id, "period": _month(p.period), "value": p.value}
                                        for p in (target.trajectory if target else [])]
        tables["metric_rebase"] += [{"metric_id": m.id, "period": _month(r.period), "reason": r.reason}
                                    for r in m.rebase]
        tables["metric_event"] += [{"metric_id": m.id, "period": _month(e.period), "text": e.text,
                                    "position": i} for i, e in enumerate(m.events)]
    for table, rows in tables.items():
        insert_rows(con, table, rows)


def _month(text: str) -> dt.date:
    """'2024-03' -> 1 March 2024."""
    return dt.date(int(text[:4]), int(text[5:7]), 1)
