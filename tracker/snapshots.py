"""As the Board saw it: a frozen record of a quarter's pack, and what has changed since.

`report --freeze` stores the statuses and figures exactly as presented in a
small JSON file under `data/snapshots/<plan>/<quarter>.json`, meant to be
committed. Later packs and the dashboard compare the current position with
it and mark anything revised since the Board saw it (a late or changed
update, a revised extract value), saying what it was and what it is now.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.editing import write_atomically
from tracker.project import Project
from tracker.quarters import FinancialQuarter
from tracker.rag import STATUS_STYLES

SNAPSHOT_VERSION = 1


class SnapshotExists(Exception):
    """A quarter already frozen: the Board saw that one, so it is not overwritten."""


@dataclass(frozen=True)
class Revision:
    """One thing that differs from what the Board saw."""

    kind: str        # "update" or "metric"
    subject: str     # objective id or metric name
    what: str        # which part changed
    was: str
    now: str

    def sentence(self) -> str:
        return f"{self.subject}: {self.what} was {self.was} when reported; now {self.now}."


def snapshot_path(project: Project, plan_id: str, quarter: FinancialQuarter) -> Path:
    return project.data_dir / "snapshots" / plan_id / f"{str(quarter).replace(' ', '-')}.json"


def snapshot_content(objectives: list[dict[str, Any]], metrics: list[dict[str, Any]],
                     plan_id: str, quarter: FinancialQuarter) -> dict[str, Any]:
    """What is frozen: each objective's reported and derived status and commentary, and each
    headline metric's values as charted."""
    return {
        "version": SNAPSHOT_VERSION, "plan": plan_id, "quarter": str(quarter),
        "frozen_on": dt.date.today().isoformat(),
        "objectives": {o["id"]: {"reported": o["reported"], "derived": o["derived"],
                                 "commentary": o["commentary"], "example": o["example"]}
                       for o in objectives},
        "metrics": {m["metric_id"]: {"name": m["name"], "unit": m["unit"], "values": m["values"]}
                    for m in metrics},
    }


def freeze(project: Project, plan_id: str, quarter: FinancialQuarter,
           objectives: list[dict[str, Any]], metrics: list[dict[str, Any]]) -> Path:
    path = snapshot_path(project, plan_id, quarter)
    if path.exists():
        raise SnapshotExists(f"{path.relative_to(project.root)} already records what the Board saw "
                             f"for {quarter}: it is not overwritten (delete it to freeze again)")
    path.parent.mkdir(parents=True, exist_ok=True)
    content = snapshot_content(objectives, metrics, plan_id, quarter)
    write_atomically(path, json.dumps(content, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    return path


def load_snapshot(project: Project, plan_id: str, quarter: FinancialQuarter) -> dict[str, Any] | None:
    path = snapshot_path(project, plan_id, quarter)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def revisions(snapshot: dict[str, Any], objectives: list[dict[str, Any]],
              metrics: list[dict[str, Any]]) -> list[Revision]:
    """Everything that differs from the snapshot, in plan order then metric order."""
    found: list[Revision] = []
    for objective in objectives:
        seen = snapshot["objectives"].get(objective["id"])
        if seen is None:
            continue
        if seen["reported"] != objective["reported"]:
            found.append(Revision("update", objective["id"], "the reported status",
                                  _status(seen["reported"], seen["example"]),
                                  _status(objective["reported"], objective["example"])))
        elif (seen["commentary"] or "") != (objective["commentary"] or ""):
            found.append(Revision("update", objective["id"], "the commentary",
                                  f"“{seen['commentary'] or 'none'}”",
                                  f"“{objective['commentary'] or 'none'}”"))
    for metric in metrics:
        seen = snapshot["metrics"].get(metric["metric_id"])
        if seen is None:
            continue
        for period, value in seen["values"].items():
            current = metric["values"].get(period)
            if current is None or abs(current - value) > 1e-9 * max(1.0, abs(value)):
                month = dt.date.fromisoformat(period).strftime("%B %Y")
                found.append(Revision("metric", metric["name"], f"the value for {month}",
                                      _number(value, metric["unit"]),
                                      _number(current, metric["unit"]) if current is not None
                                      else "no longer in the extract"))
    return found


def _status(rag: str, example: bool) -> str:
    style = STATUS_STYLES.get(rag)
    return (style.word if style else rag) + (" (example)" if example else "")


def _number(value: float, unit: str) -> str:
    from tracker.scorecard import format_value

    return format_value(value, unit)
