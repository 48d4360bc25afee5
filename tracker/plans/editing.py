"""Write a lead's quarterly update (a sign-off, a new objective) into the right YAML file.

This is the editor's front door, used by the CLI and the update form: it finds
the objective and its file, checks that the person may make the change and
that it is well formed, then, holding the file's lock, refuses a save over a
newer version, splices the change in (`splicing`), writes it only if the build
would accept it (`checked_write`), and records it in the audit trail and (in a
git repository) a commit. The refusals it raises are in `refusals`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tracker.access import audit
from tracker.access.people import Person
from tracker.access.permissions import (
    NotPermitted,
    check_new_objective,
    check_signoff,
    check_update,
    person_for,
)
from tracker.files import read_text
from tracker.plans.catalogue import (
    Catalogue,
    PlacedObjective,
    UnreadFile,
    load_catalogue,
)
from tracker.plans.checked_write import write_checked
from tracker.plans.models import RAG_VALUES, Plan, Update
from tracker.plans.problems import no_such_plan
from tracker.plans.refusals import EditRefused, Stale
from tracker.plans.splicing import (
    existing_update,
    splice_objective,
    splice_signoff,
    splice_update,
    text_of,
    version_of,
)
from tracker.plans.validation import error_sentence
from tracker.plans.yamlio import MAX_FILE_BYTES
from tracker.project import Project
from tracker.status.quarters import parse_quarter


@dataclass(frozen=True)
class Edit:
    """A change made to one file: where, its text before and after, and its record."""

    path: Path
    before: str
    after: str
    record: dict[str, Any] = field(default_factory=dict)
    commit: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def objective_id(self) -> str:
        return str(self.record.get("objective", ""))


def find_objective(project: Project, objective_id: str) -> tuple[PlacedObjective, Plan]:
    """The objective with this id and its plan, or EditRefused if there is none."""
    _, placed, plan = _locate(project, objective_id)
    return placed, plan


def _locate(project: Project, objective_id: str) -> tuple[Catalogue, PlacedObjective, Plan]:
    catalogue = load_catalogue(project)
    for loaded in catalogue.plans:
        for placed in loaded.objectives:
            if placed.objective.id != objective_id:
                continue
            # an objective with a bad value still shows (without it), but its file cannot be
            # written until the value is fixed; a problem that left nothing out (an id with
            # another area's code) does not stop a write: only what a change adds refuses it
            found = [p for o in loaded.objectives if o.path == placed.path and o.values_left_out
                     for p in o.problems]
            if found:
                raise EditRefused(f"{placed.path}, where {objective_id} is, has a problem to fix "
                                  "first: " + "; ".join(map(str, found)))
            return catalogue, placed, loaded.plan
    for unread in catalogue.unread:
        if _may_hold(project, unread, objective_id):
            raise EditRefused(f"{objective_id} is in {unread.path}, which cannot be read: "
                              f"{unread.problem}: fix the file first")
    raise EditRefused(f"there is no objective '{objective_id}' in {project.objectives_dir}")


def _may_hold(project: Project, unread: UnreadFile, objective_id: str) -> bool:
    """Whether a file that cannot be read is where the objective is (its area's code, or its
    text names the id)."""
    if unread.code and objective_id.rsplit("-", 1)[0] == unread.code:
        return True
    try:
        with (project.root / unread.path).open("rb") as handle:
            return objective_id.encode() in handle.read(MAX_FILE_BYTES)
    except OSError:
        return False


def _person(catalogue: Catalogue, by: str | None) -> Person:
    try:
        return person_for(catalogue.people, by)
    except NotPermitted as exc:
        raise EditRefused(str(exc)) from exc


def objective_version(project: Project, objective_id: str) -> str:
    """A fingerprint of the objective's own lines: the form remembers it, and a save over a
    newer version is refused. Other objectives of the same file do not change it."""
    placed, _ = find_objective(project, objective_id)
    return version_of(read_text(project.root / placed.path), objective_id)


def _check_version(project: Project, text: str, objective_id: str, expected: str | None) -> None:
    if expected is None or version_of(text, objective_id) == expected:
        return
    last = next((e for e in reversed(audit.history(project, objective_id))), None)
    if last is not None:
        at = dt.datetime.fromisoformat(last["at"]).astimezone(dt.UTC)
        raise Stale(f"{last.get('name', last.get('by'))} updated this objective at "
                    f"{at:%H:%M} (UTC): reload to see it")
    raise Stale("this objective was changed after you opened it: reload to see it")


def _write(
    project: Project, path: Path, shown: str, plan: Plan, area_code: str, catalogue: Catalogue,
    make: Callable[[str], tuple[str, dict[str, Any]]], person: Person, message: str,
    objective_id: str | None = None, expected_version: str | None = None,
) -> Edit:
    """Read, change, check and write the file while holding its lock; then record the
    change in the audit trail and (in a git repository) commit it, authored by the person."""
    try:
        with audit.held(project, _lock_name(shown)):
            before = read_text(path)
            if objective_id is not None:
                _check_version(project, before, objective_id, expected_version)
            after, entry = make(before)
            write_checked(path, before, after, shown, plan, area_code, catalogue)
            diff = "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                                after.splitlines(keepends=True),
                                                fromfile=f"a/{shown}", tofile=f"b/{shown}"))
            with audit.held(project, "journal"):  # one trail line and one commit at a time
                record = audit.record(project, person, {**entry, "file": shown, "diff": diff})
                commit = audit.commit(project, person, [path, audit.audit_path(project)],
                                      message)
    except TimeoutError as exc:
        raise EditRefused(str(exc)) from exc
    return Edit(path, before, after, record, commit)


def _lock_name(shown: str) -> str:
    return shown.replace("/", "__").replace("\\", "__")


def add_update(
    project: Project, objective_id: str, update: dict[str, Any], replace: bool = False,
    *, by: str | None = None, expected_version: str | None = None,
) -> Edit:
    """Add (or with `replace`, replace) one quarter's update for an objective, as `by` (a
    person id or e-mail of the register), if their roles allow it.

    Replacing keeps the replaced update in the audit trail and withdraws its sign-offs,
    with the reason recorded. `expected_version` (from `objective_version`) refuses a save
    over a change the person has not seen.
    """
    update = _checked_update(update)
    catalogue, placed, plan = _locate(project, objective_id)
    person = _person(catalogue, by)
    try:
        check_update(catalogue.people, person, placed.objective)
    except NotPermitted as exc:
        raise EditRefused(str(exc)) from exc
    _check_quarter_in_period(plan, update["quarter"])
    update = {**update, "updated_by": person.name}

    def make(before: str) -> tuple[str, dict[str, Any]]:
        old = existing_update(before, objective_id, update["quarter"])
        after = splice_update(before, objective_id, update, replace)
        entry: dict[str, Any] = {"action": "replace" if old else "update",
                                 "objective": objective_id, "quarter": update["quarter"],
                                 "new": text_of(update)}
        if old:
            withdrawn = old.get("signoffs") or []
            entry["old"] = old["text"]
            if withdrawn:
                entry["withdrawn_signoffs"] = withdrawn
                entry["reason"] = (f"the {update['quarter']} update was replaced by "
                                   f"{person.name}: its sign-offs were withdrawn and are needed "
                                   "again")
        return after, entry

    verb = "Replace" if replace else "Update"
    return _write(project, project.root / placed.path, placed.path, plan,
                  _area_code(plan, placed.area_id), catalogue, make, person,
                  f"{verb} {objective_id} {update['quarter']}", objective_id, expected_version)


def add_signoff(
    project: Project, objective_id: str, quarter: str, org: str | None, by: str, on: dt.date
) -> Edit:
    """Record a signatory's sign-off of one quarter's (real) update, for their organisation."""
    try:
        quarter = str(parse_quarter(quarter))
    except ValueError as exc:
        raise EditRefused(str(exc)) from exc
    catalogue, placed, plan = _locate(project, objective_id)
    person = _person(catalogue, by)
    try:
        org = check_signoff(person, org)
    except NotPermitted as exc:
        raise EditRefused(str(exc)) from exc
    signoff = {"org": org, "by": person.name, "on": on}

    def make(before: str) -> tuple[str, dict[str, Any]]:
        return (splice_signoff(before, objective_id, quarter, signoff),
                {"action": "signoff", "objective": objective_id, "quarter": quarter,
                 "org": org, "new": text_of(signoff)})

    return _write(project, project.root / placed.path, placed.path, plan,
                  _area_code(plan, placed.area_id), catalogue, make, person,
                  f"Sign off {objective_id} {quarter} for {org}")


def next_objective_id(project: Project, code: str) -> str:
    """The next free id for an area code: one past the highest number in use anywhere."""
    return _next_id(load_catalogue(project), code)


def _next_id(catalogue: Catalogue, code: str) -> str:
    used = [
        int(placed.objective.id.rsplit("-", 1)[1])
        for placed in catalogue.objectives()
        if placed.objective.id.rsplit("-", 1)[0] == code
        and placed.objective.id.rsplit("-", 1)[1].isdigit()  # one with a bad id still shows
    ]
    return f"{code}-{max(used, default=0) + 1:02d}"


def add_objective(
    project: Project, plan_id: str, area_id: str, fields: dict[str, Any], *, by: str | None = None
) -> Edit:
    """Append a well-formed new objective, with a fresh id, to an area's file (the programme
    office only). Warns when an objective with the same text already exists."""
    catalogue = load_catalogue(project)
    person = _person(catalogue, by)
    try:
        check_new_objective(person)
    except NotPermitted as exc:
        raise EditRefused(str(exc)) from exc
    plans = {loaded.plan.id: loaded for loaded in catalogue.plans}
    if plan_id not in plans:
        raise EditRefused(no_such_plan(plan_id, sorted(plans)))
    areas = {a.id: a for g in plans[plan_id].plan.groups for a in g.areas}
    if area_id not in areas:
        raise EditRefused(f"plan {plan_id} has no area '{area_id}': areas are {', '.join(areas)}")
    text = fields.get("objective") or ""
    same = [o.objective.id for o in catalogue.objectives()
            if " ".join(o.objective.objective.split()).lower() == " ".join(text.split()).lower()]
    lead = fields.get("lead")
    objective: dict[str, Any] = {
        "id": _next_id(catalogue, areas[area_id].code),
        "objective": text,
        "impacts": [],
        "timeframe": fields.get("timeframe") or "To be confirmed",
        "target_date": fields.get("target_date"),
        "milestones": [], "targets": [],
        "lead": lead if lead else None, "partners": [], "metrics": [], "risks": [],
        "notes": None, "updates": [],
    }
    path = plans[plan_id].folder / f"{area_id}.yaml"
    shown = f"objectives/{plan_id}/{area_id}.yaml"

    def make(before: str) -> tuple[str, dict[str, Any]]:
        return (splice_objective(before, objective),
                {"action": "new-objective", "objective": objective["id"],
                 "new": text_of(objective)})

    edit = _write(project, path, shown, plans[plan_id].plan, areas[area_id].code, catalogue,
                  make, person, f"Add objective {objective['id']} to {plan_id}/{area_id}")
    warnings = tuple(f"the same text is already objective {i}: if this is a duplicate, ask the "
                     "programme office to remove one" for i in same)
    return Edit(edit.path, edit.before, edit.after, edit.record, edit.commit, warnings)


def _checked_update(update: dict[str, Any]) -> dict[str, Any]:
    """The update in its written form, or one plain sentence saying what to change."""
    if not update.get("rag"):
        raise EditRefused("choose a status (red, amber, green or blue for complete)")
    if update.get("rag") not in RAG_VALUES:
        raise EditRefused(f"RAG '{update.get('rag')}' is not allowed: use {', '.join(RAG_VALUES)}")
    if not str(update.get("commentary") or "").strip():
        raise EditRefused("write a commentary: what happened this quarter")
    try:
        update = {**update, "quarter": str(parse_quarter(str(update.get("quarter"))))}
    except ValueError as exc:
        raise EditRefused(str(exc)) from exc
    cleaned = {k: v for k, v in update.items() if v not in (None, "", [])}
    try:
        Update.model_validate(cleaned)
    except ValidationError as exc:  # one plain sentence, never pydantic's own dump
        raise EditRefused(error_sentence(Update, exc.errors()[0])) from exc
    return cleaned


def _check_quarter_in_period(plan: Plan, quarter: str) -> None:
    q = parse_quarter(quarter)
    if (q.end_month.strftime("%Y-%m") < plan.period.start
            or q.start_month.strftime("%Y-%m") > plan.period.end):
        raise EditRefused(
            f"quarter {quarter} is outside the period of {plan.name} "
            f"({plan.period.start} to {plan.period.end})"
        )


def _area_code(plan: Plan, area_id: str) -> str:
    return next(a.code for g in plan.groups for a in g.areas if a.id == area_id)
