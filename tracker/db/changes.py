"""What changed since the last build, input by input, and so what a build must redo.

Each build records its inputs' fingerprints in the table `build_inputs` (kind, path,
fingerprint: `tracker.db.sources.input_fingerprints`, and one row per metric definition).
Comparing them with the inputs now says which plan folders to read again and which
extracts to judge again; a change to SQL, settings or the tracker itself is answered with a
whole (cold) build, which is simple and safe.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tracker.metrics.definitions import PlacedMetric

logger = logging.getLogger(__name__)

Inputs = dict[tuple[str, str], str]

# A change to any of these can change any table: the build starts from nothing.
COLD_KINDS = ("tracker", "settings", "sql")


@dataclass
class Changes:
    """What differs between the inputs the last build recorded and the inputs now."""

    cold: str | None = None  # why everything must be built again; None: only what is below
    plan_folders: set[str] = field(default_factory=set)  # plan folders with a changed file
    all_plans: bool = False  # people.yaml, a metric file, or a plan folder came or went
    metric_files: bool = False  # a metric definition file changed
    extracts: set[str] = field(default_factory=set)  # changed data files (project-relative)

    @property
    def nothing(self) -> bool:
        return (self.cold is None and not self.plan_folders and not self.all_plans
                and not self.metric_files and not self.extracts)


def metric_fingerprints(metrics: list[PlacedMetric]) -> Inputs:
    """One input per metric definition: a digest of the definition itself (not its file's
    line numbers), so an extract is judged again only when one of its own metrics changed."""
    return {("metric_definition", placed.metric.id):
            hashlib.sha256(placed.metric.model_dump_json().encode()).hexdigest()
            for placed in metrics}


def recorded_inputs(con: duckdb.DuckDBPyConnection, database: str) -> Inputs | None:
    """The inputs the build of `database` (an attached name) recorded; None if it has none."""
    try:
        rows = con.execute(f"select kind, path, fingerprint from {database}.build_inputs").fetchall()  # noqa: S608 - our own name
    except duckdb.Error:
        logger.info("the last build recorded no inputs: building everything", exc_info=True)
        return None
    return {(kind, path): fingerprint for kind, path, fingerprint in rows}


def compare(before: Inputs, now: Inputs) -> Changes:
    """What a build must redo to make, from the database of `before`, that of `now`."""
    changed = {key for key in before.keys() | now.keys()
               if key[0] != "metric_definition" and before.get(key) != now.get(key)}
    cold = sorted({kind for kind, _ in changed if kind in COLD_KINDS})
    if cold:
        return Changes(cold=f"the {', '.join(cold)} changed")
    changes = Changes()
    for kind, path in changed:
        if kind == "plan":
            changes.plan_folders.add(Path(path).parts[1])
        elif kind == "plans_shared":
            changes.all_plans = True
        elif kind == "metric":
            changes.metric_files = changes.all_plans = True
        elif kind == "extract":
            changes.extracts.add(path)
        else:  # pragma: no cover - every kind is named above
            return Changes(cold=f"an input of an unknown kind ({kind}) changed")
    if _folders(before) != _folders(now):
        changes.all_plans = True
    return changes


def _folders(inputs: Inputs) -> set[str]:
    return {Path(path).parts[1] for kind, path in inputs if kind == "plan"}


def definitions_changed(before: Inputs, now: Inputs) -> set[str]:
    """The ids of the metrics whose definitions were added, removed or changed."""
    keys = {key for key in before.keys() | now.keys() if key[0] == "metric_definition"}
    return {key[1] for key in keys if before.get(key) != now.get(key)}
