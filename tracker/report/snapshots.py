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
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from tracker.files import write_atomically
from tracker.plans.problems import display_path
from tracker.project import Project
from tracker.status.quarters import FinancialQuarter
from tracker.status.rag import DERIVED_LABELS, STATUS_STYLES

SNAPSHOT_VERSION = 2  # 2: reasons, mitigations and each metric's organisation are frozen too

logger = logging.getLogger(__name__)


class SnapshotExists(Exception):
    """A quarter already frozen: the Board saw that one, so it is not overwritten."""


class SnapshotUnreadable(Exception):
    """A snapshot file that exists but cannot be read: what the Board saw is unknown, which is
    never the same as "nothing has changed"."""

    def __init__(self, shown: str, why: str) -> None:
        super().__init__(f"{shown}: {why}")
        self.shown = shown
        self.why = why

    def message(self, quarter: FinancialQuarter) -> str:
        """The sentence the pack, the dashboard and the command line show."""
        return (f"The record of what the Board saw for {quarter}, {self.shown}, cannot be read "
                f"({self.why}), so revisions since then cannot be checked. Restore the file from "
                f"version control (git checkout -- {self.shown}) or, if it is lost, delete it and "
                "freeze the quarter again.")


@dataclass(frozen=True)
class Revision:
    """One thing that differs from what the Board saw."""

    kind: str        # "update" or "metric"
    subject: str     # objective id or metric name (and organisation)
    what: str        # which part changed
    was: str
    now: str
    verb: str = "was"

    def sentence(self) -> str:
        return f"{self.subject}: {self.what} {self.verb} {self.was} when reported; now {self.now}."


def snapshot_path(project: Project, plan_id: str, quarter: FinancialQuarter) -> Path:
    return project.data_dir / "snapshots" / plan_id / f"{str(quarter).replace(' ', '-')}.json"


def metric_key(metric: dict[str, Any]) -> str:
    """A scorecard row's identity: a metric shown for several organisations has one row each."""
    return metric["metric_id"] if metric.get("org") is None else f"{metric['metric_id']}@{metric['org']}"


def snapshot_content(objectives: list[dict[str, Any]], metrics: list[dict[str, Any]],
                     plan_id: str, quarter: FinancialQuarter) -> dict[str, Any]:
    """What is frozen: each objective's reported and derived status, reasons, commentary and
    mitigations, and each headline metric's values (per organisation) as charted."""
    return {
        "version": SNAPSHOT_VERSION, "plan": plan_id, "quarter": str(quarter),
        "frozen_on": dt.date.today().isoformat(),
        "objectives": {o["id"]: {"reported": o["reported"], "derived": o["derived"],
                                 "reasons": list(o["reasons"]), "commentary": o["commentary"],
                                 "mitigations": o["mitigations"], "example": o["example"]}
                       for o in objectives},
        "metrics": {metric_key(m): {"metric_id": m["metric_id"], "org": m.get("org"),
                                    "name": m["name"], "unit": m["unit"], "values": m["values"]}
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
    """The frozen record, or None if the quarter was never frozen.

    Raises SnapshotUnreadable when the file exists but cannot be read or is not a snapshot
    (logged as a warning with the cause: it is a problem in the data, told to the user).
    """
    path = snapshot_path(project, plan_id, quarter)
    if not path.exists():
        return None
    shown = display_path(path, project.root)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        logger.warning("snapshot %s cannot be read", path, exc_info=True)
        raise SnapshotUnreadable(shown, f"the file cannot be opened: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        logger.warning("snapshot %s is not UTF-8 text", path, exc_info=True)
        raise SnapshotUnreadable(shown, "the file is not text") from exc
    except ValueError as exc:
        logger.warning("snapshot %s is not valid JSON", path, exc_info=True)
        raise SnapshotUnreadable(shown, f"it is not valid JSON: {exc}") from exc
    why = _not_a_snapshot(content)
    if why:
        logger.warning("snapshot %s is not a snapshot: %s", path, why)
        raise SnapshotUnreadable(shown, why)
    return cast("dict[str, Any]", content)  # _not_a_snapshot found a JSON object, every key a string


def _not_a_snapshot(content: object) -> str | None:
    """Why `content` is not a snapshot this version can compare, or None."""
    if not isinstance(content, dict):
        return "it does not hold a snapshot (expected a JSON object)"
    missing = [k for k in ("frozen_on", "objectives", "metrics") if k not in content]
    if missing:
        return f"it has no {', '.join(repr(k) for k in missing)}"
    if not isinstance(content["frozen_on"], str):
        return "its 'frozen_on' is not a date"
    version = content.get("version")
    if not isinstance(version, int) or version > SNAPSHOT_VERSION:
        return (f"it is snapshot version {version!r}, which this version of the tracker "
                f"(reading up to {SNAPSHOT_VERSION}) does not know")
    for section in ("objectives", "metrics"):
        entries = content[section]
        if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
            return f"its '{section}' is not a set of named entries"
    for objective_id, seen in content["objectives"].items():
        if not {"reported", "derived", "commentary"} <= seen.keys():
            return f"its entry for {objective_id} lacks the reported or derived status or commentary"
    for key, seen in content["metrics"].items():
        if not isinstance(seen.get("values"), dict) or not {"name", "unit"} <= seen.keys():
            return f"its entry for metric {key} lacks its name, unit or values"
    return None


def revisions(snapshot: dict[str, Any], objectives: list[dict[str, Any]],
              metrics: list[dict[str, Any]]) -> list[Revision]:
    """Everything that differs from the snapshot, in plan order then metric order: each
    frozen field of each objective and each headline metric's values, and anything the Board
    saw that is no longer there."""
    found: list[Revision] = []
    current = {o["id"]: o for o in objectives}
    for objective in objectives:
        seen = snapshot["objectives"].get(objective["id"])
        if seen is not None:
            found.extend(_objective_revisions(objective["id"], seen, objective))
    found.extend(Revision("update", objective_id, "the objective", "in the pack",
                          "no longer in the plan")
                 for objective_id in snapshot["objectives"] if objective_id not in current)
    by_key = {metric_key(m): m for m in metrics}
    first_of: dict[str, dict[str, Any]] = {}
    for m in metrics:
        first_of.setdefault(m["metric_id"], m)
    for key, seen in snapshot["metrics"].items():
        # A version 1 snapshot kept one row per metric, with no organisation.
        metric = by_key.get(key) if "org" in seen else first_of.get(key)
        if metric is None:
            found.append(Revision("metric", _metric_subject(seen), "the metric", "on the scorecard",
                                  "no longer on it"))
            continue
        found.extend(_metric_revisions(seen, metric))
    return found


def _objective_revisions(objective_id: str, seen: dict[str, Any], now: dict[str, Any]) -> list[Revision]:
    found = []
    if seen["reported"] != now["reported"] or bool(seen.get("example")) != now["example"]:
        found.append(Revision("update", objective_id, "the reported status",
                              _status(seen["reported"], bool(seen.get("example"))),
                              _status(now["reported"], now["example"])))
    if seen["derived"] != now["derived"]:
        found.append(Revision("update", objective_id, "the status from the evidence",
                              _derived(seen["derived"]), _derived(now["derived"])))
    if "reasons" in seen and list(seen["reasons"] or []) != list(now["reasons"]):
        before, after = list(seen["reasons"] or []), list(now["reasons"])
        found.append(Revision("update", objective_id, "the reasons",
                              _reasons([r for r in before if r not in after]),
                              _reasons([r for r in after if r not in before]), verb="included"))
    for field, what, verb in (("commentary", "the commentary", "was"),
                              ("mitigations", "the mitigations", "were")):
        if field in seen and (seen[field] or "") != (now[field] or ""):
            found.append(Revision("update", objective_id, what, f"“{seen[field] or 'none'}”",
                                  f"“{now[field] or 'none'}”", verb=verb))
    return found


def _metric_revisions(seen: dict[str, Any], metric: dict[str, Any]) -> list[Revision]:
    found = []
    subject = _metric_subject(metric)
    for period, value in seen["values"].items():
        current = metric["values"].get(period)
        if current is None or abs(current - value) > 1e-9 * max(1.0, abs(value)):
            found.append(Revision("metric", subject, f"the value for {_month(period)}",
                                  _number(value, metric["unit"]),
                                  _number(current, metric["unit"]) if current is not None
                                  else "no longer in the extract"))
    for period, value in metric["values"].items():
        if period not in seen["values"]:
            found.append(Revision("metric", subject, f"the value for {_month(period)}",
                                  "not yet in the extract", _number(value, metric["unit"])))
    return found


def _metric_subject(metric: dict[str, Any]) -> str:
    org = metric.get("org")
    name: str = metric["name"]
    return name + (f" for {org}" if org else "")


def _month(period: str) -> str:
    return dt.date.fromisoformat(period).strftime("%B %Y")


def _derived(status: str) -> str:
    return DERIVED_LABELS.get(status, status)


def _reasons(reasons: list[str] | None) -> str:
    return "; ".join(f"“{r}”" for r in reasons) if reasons else "none"


def _status(rag: str, example: bool) -> str:
    style = STATUS_STYLES.get(rag)
    return (style.word if style else rag) + (" (example)" if example else "")


def _number(value: float, unit: str) -> str:
    from tracker.metrics.scorecard_words import format_value

    return format_value(value, unit)
