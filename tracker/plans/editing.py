"""Write a lead's quarterly update into the right YAML file without disturbing it.

Area files are shared: leads add comments, and reviewers read diffs. So we
never re-dump a whole file. We find the objective's `updates:` list from the
YAML node marks, render only the new entry, and splice its lines in. Every
other line stays byte-for-byte as it was. The new text is validated before
it replaces the file: it is written to a temporary file beside it, read back
with the build's own reader (size limit included) and checked as the build
checks it, and only then renamed over the original, so a refused or failed
update leaves the file untouched, and a saved one is never left out by the
next build.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import logging
import os
import tempfile
import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
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
from tracker.plans.catalogue import (
    Catalogue,
    PlacedObjective,
    UnreadFile,
    area_file_problems,
    load_catalogue,
)
from tracker.plans.models import RAG_VALUES, AreaFile, Plan, Update
from tracker.plans.problems import Problem, SourceError
from tracker.plans.validation import error_sentence, validate_document
from tracker.plans.yamlio import MAX_FILE_BYTES, parse_yaml_text, read_yaml
from tracker.project import Project
from tracker.status.quarters import parse_quarter

logger = logging.getLogger(__name__)


class EditRefused(Exception):
    """A change we will not make, with the reason in plain words."""


class UpdateExists(EditRefused):
    """The quarter already has an update: the CLI says --replace, the form says tick Replace."""


class Stale(EditRefused):
    """The objective changed since the person read it: they must reload before saving."""


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


def read_text(path: Path) -> str:
    """The file's text exactly as stored: a byte order mark and CRLF line ends are kept
    (the splice writes new lines with the file's own line end)."""
    return path.read_bytes().decode("utf-8")


def objective_version(project: Project, objective_id: str) -> str:
    """A fingerprint of the objective's own lines: the form remembers it, and a save over a
    newer version is refused. Other objectives of the same file do not change it."""
    placed, _ = find_objective(project, objective_id)
    return _version_of(read_text(project.root / placed.path), objective_id)


def _version_of(text: str, objective_id: str) -> str:
    lines, _, _, objective = _parse_for_splice(text, objective_id)
    own = lines[objective.start_mark.line:_last_content_line(lines, objective) + 1]
    return hashlib.sha256("".join(own).encode("utf-8")).hexdigest()[:16]


def _check_version(project: Project, text: str, objective_id: str, expected: str | None) -> None:
    if expected is None or _version_of(text, objective_id) == expected:
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
            _write_checked(path, before, after, shown, plan, area_code, catalogue)
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
                                 "new": _text_of(update)}
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
                 "org": org, "new": _text_of(signoff)})

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
        raise EditRefused(f"there is no plan '{plan_id}': plans are {', '.join(sorted(plans))}")
    areas = {a.id: a for g in plans[plan_id].plan.groups for a in g.areas}
    if area_id not in areas:
        raise EditRefused(f"plan {plan_id} has no area '{area_id}': areas are {', '.join(areas)}")
    text = fields.get("objective") or ""
    same = [o.objective.id for o in catalogue.objectives()
            if " ".join(o.objective.objective.split()).lower() == " ".join(text.split()).lower()]
    lead = fields.get("lead")
    objective = {
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
                 "new": _text_of(objective)})

    edit = _write(project, path, shown, plans[plan_id].plan, areas[area_id].code, catalogue,
                  make, person, f"Add objective {objective['id']} to {plan_id}/{area_id}")
    warnings = tuple(f"the same text is already objective {i}: if this is a duplicate, ask the "
                     "programme office to remove one" for i in same)
    return Edit(edit.path, edit.before, edit.after, edit.record, edit.commit, warnings)


def _text_of(item: dict[str, Any]) -> str:
    return "".join(_render(item, 0, "\n"))


def existing_update(text: str, objective_id: str, quarter: str) -> dict[str, Any] | None:
    """The objective's update for the quarter as it stands in the file (its text and its
    sign-offs), or None: shown before a replace, and kept in the trail after it."""
    lines, _, _, objective = _parse_for_splice(text, objective_id)
    _, updates = _entry(objective, "updates")
    node = _item_for_quarter(updates, quarter)
    if node is None:
        return None
    raw = "".join(lines[node.start_mark.line:_last_content_line(lines, node) + 1])
    item = yaml.safe_load(textwrap.dedent(raw.replace("- ", "  ", 1)))
    item = item if isinstance(item, dict) else {}
    signoffs = [{k: str(v) for k, v in s.items()} for s in item.get("signoffs") or []
                if isinstance(s, dict)]
    return {"text": textwrap.dedent(raw.replace("- ", "  ", 1)), "signoffs": signoffs,
            **{k: item.get(k) for k in ("rag", "commentary", "mitigations", "updated_by",
                                        "updated_on")}}


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


def _write_checked(
    path: Path, before: str, after: str, shown_as: str, plan: Plan, area_code: str,
    catalogue: Catalogue,
) -> None:
    """Replace the file with `after` only if the build would read and accept it.

    The check runs on the bytes written, read back by the build's reader
    (`read_yaml`, with its size limit) and validated as the build validates an
    area file; problems the file already had before this change do not refuse it.
    """
    old = _build_problems_of_text(before, shown_as, plan, area_code, catalogue)

    def check(written: Path) -> None:
        try:
            doc = read_yaml(written, shown_as)
        except SourceError as exc:
            logger.info("refused a write to %s: %s", shown_as, exc.problem)
            raise EditRefused(_unreadable_reason(exc.problem)) from exc
        new = _build_problems(doc, plan, area_code, catalogue)
        added = [p for p in new if not _already_there(p, old)]
        if added:
            logger.info("refused a write to %s: %s", shown_as, "; ".join(map(str, added)))
            raise EditRefused("the change would break the file: " + "; ".join(map(str, added)))

    write_atomically(path, after, check)


def _unreadable_reason(problem: Problem) -> str:
    if problem.message.startswith("is ") and "the limit is" in problem.message:
        return (f"the file would become too big for the tracker to read ({problem.path} "
                f"{problem.message} bytes), and the next build would leave out every objective "
                f"in it: shorten the text (a file can hold at most {MAX_FILE_BYTES // 1024 // 1024} "
                "MiB), or put the long detail in a separate document and refer to it")
    return f"the change would break the file: {problem}"


def _build_problems(doc: object, plan: Plan, area_code: str, catalogue: Catalogue) -> list[Problem]:
    area_file, problems = validate_document(doc, AreaFile)  # type: ignore[arg-type]
    if problems or not isinstance(area_file, AreaFile):
        return problems
    return area_file_problems(plan, area_code, doc, area_file,  # type: ignore[arg-type]
                              catalogue.people, catalogue.signoff_orgs)


def _build_problems_of_text(
    text: str, shown_as: str, plan: Plan, area_code: str, catalogue: Catalogue
) -> Counter[str]:
    """The problems the build finds in the file as it is now, by message (lines move)."""
    try:
        doc = parse_yaml_text(text, shown_as)
    except SourceError as exc:
        return Counter([exc.problem.message])
    return Counter(p.message for p in _build_problems(doc, plan, area_code, catalogue))


def _already_there(problem: Problem, old: Counter[str]) -> bool:
    if old[problem.message] > 0:
        old[problem.message] -= 1
        return True
    return False


def write_atomically(path: Path, text: str, check: Callable[[Path], None] | None = None) -> None:
    """Replace the file's contents all at once: readers see the old or the new, never half.

    `check`, if given, is called with the written temporary file before it replaces
    the original; if it raises, the original is left as it was.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if check is not None:
            check(Path(tmp))
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- splicing -----------------------------------------------------------------


def splice_update(text: str, objective_id: str, update: dict[str, Any], replace: bool) -> str:
    """The file's text with `update` added to the objective's `updates` list."""
    lines, newline, root, objective = _parse_for_splice(text, objective_id)
    _, updates = _entry(objective, "updates")
    existing = _item_for_quarter(updates, update["quarter"])
    if existing is not None and not replace:
        raise UpdateExists(f"{objective_id} already has an update for {update['quarter']}")
    if existing is not None:
        rendered = _render(update, existing.start_mark.column - 2, newline)
        start, end = existing.start_mark.line, _last_content_line(lines, existing) + 1
        return "".join(lines[:start] + rendered + lines[end:])
    return _append_item(lines, objective, "updates", update, _dash_offset(root, objective), newline)


def splice_signoff(text: str, objective_id: str, quarter: str, signoff: dict[str, Any]) -> str:
    """The file's text with `signoff` added to that quarter's update of the objective."""
    lines, newline, root, objective = _parse_for_splice(text, objective_id)
    _, updates = _entry(objective, "updates")
    update = _item_for_quarter(updates, quarter)
    if update is None:
        raise EditRefused(
            f"{objective_id} has no update for {quarter} to sign off: add the update first"
        )
    _, signoffs = _entry(update, "signoffs")
    for existing in getattr(signoffs, "value", []):
        _, org = _entry(existing, "org")
        if isinstance(org, yaml.ScalarNode) and org.value.strip().lower() == signoff["org"].lower():
            raise EditRefused(f"{objective_id} {quarter} is already signed off by {org.value}")
    return _append_item(lines, update, "signoffs", signoff, _dash_offset(root, objective), newline)


def splice_objective(text: str, objective: dict[str, Any]) -> str:
    """The file's text with `objective` appended to its `objectives` list."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise EditRefused("the file has no 'objectives:' list")
    _, existing = _entry(root, "objectives")
    first = existing.value[0] if isinstance(existing, yaml.SequenceNode) and existing.value else None
    offset = _dash_offset(root, first) if isinstance(first, yaml.MappingNode) else 2
    return _append_item(lines, root, "objectives", objective, offset, newline)


def _parse_for_splice(
    text: str, objective_id: str
) -> tuple[list[str], str, yaml.MappingNode, yaml.MappingNode]:
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise EditRefused("the file has no 'objectives:' list")
    return lines, newline, root, _objective_node(root, objective_id)


def _append_item(
    lines: list[str], mapping: yaml.MappingNode, key_name: str, item: dict[str, Any],
    dash_offset: int, newline: str,
) -> str:
    """Add `item` to the list under `key_name` of `mapping`, creating the key if absent."""
    key, value = _entry(mapping, key_name)
    if key is None or value is None:
        column = mapping.value[0][0].start_mark.column
        insert_at = _last_content_line(lines, mapping) + 1
        block = [" " * column + f"{key_name}:" + newline]
        block += _render(item, column + dash_offset, newline)
        return "".join(lines[:insert_at] + block + lines[insert_at:])
    if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
        return _fill_empty(lines, key, key_name, item, dash_offset, newline)
    if not isinstance(value, yaml.SequenceNode):
        raise EditRefused(f"'{key_name}' is not a list: fix the file by hand first")
    if value.flow_style:
        if value.value:
            raise EditRefused(f"'{key_name}' is written on one line: write it as a list first")
        return _fill_empty(lines, key, key_name, item, dash_offset, newline)
    rendered = _render(item, value.value[0].start_mark.column - 2, newline)
    insert_at = _last_content_line(lines, value.value[-1]) + 1
    return "".join(lines[:insert_at] + rendered + lines[insert_at:])


def _objective_node(root: yaml.Node | None, objective_id: str) -> yaml.MappingNode:
    _, objectives = _entry(root, "objectives") if isinstance(root, yaml.MappingNode) else (None, None)
    for node in getattr(objectives, "value", []):
        _, id_node = _entry(node, "id")
        if isinstance(id_node, yaml.ScalarNode) and id_node.value == objective_id:
            return node
    raise EditRefused(f"objective '{objective_id}' was not found in its file")


def _entry(node: yaml.Node, name: str) -> tuple[yaml.Node | None, yaml.Node | None]:
    for key, value in getattr(node, "value", []):
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return key, value
    return None, None


def _item_for_quarter(updates: yaml.Node | None, quarter: str) -> yaml.Node | None:
    for item in updates.value if isinstance(updates, yaml.SequenceNode) else []:
        _, node = _entry(item, "quarter")
        if isinstance(node, yaml.ScalarNode):
            try:
                if str(parse_quarter(node.value)) == quarter:
                    return item
            except ValueError:
                continue
    return None


def _dash_offset(root: yaml.MappingNode, objective: yaml.MappingNode) -> int:
    """How far this file indents a list's '-' right of its key (0 or 2, usually),
    read from how the `objectives:` list itself is laid out."""
    objectives_key, _ = _entry(root, "objectives")
    key_column = objective.value[0][0].start_mark.column
    return max(key_column - 2 - (objectives_key.start_mark.column if objectives_key else 0), 0)


def _last_content_line(lines: list[str], node: yaml.Node) -> int:
    """The last line of `node` that holds content (not a trailing blank or comment)."""
    end = node.end_mark
    # The end mark sits where the next token starts; if only indentation precedes
    # it on that line, the node itself ended on an earlier line.
    ends_on_earlier_line = end.line >= len(lines) or not lines[end.line][: end.column].strip()
    last = max(end.line - (1 if ends_on_earlier_line else 0), node.start_mark.line)
    while last > node.start_mark.line and _is_blank_or_comment(lines[last]):
        last -= 1
    return last


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _render(update: dict[str, Any], dash_column: int, newline: str) -> list[str]:
    """The update as block YAML lines, its '-' at `dash_column`."""
    body = yaml.safe_dump(
        [_plain(update)], sort_keys=False, allow_unicode=True, width=4096,
        default_flow_style=False,
    )
    pad = " " * dash_column
    return [pad + line + newline for line in body.splitlines()]


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """Updates in the documented key order; other items as given."""
    order = ["quarter", "rag", "commentary", "mitigations", "updated_by", "updated_on", "signoffs"]
    ordered = {k: item[k] for k in order if k in item}
    ordered.update({k: v for k, v in item.items() if k not in ordered})
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in ordered.items()}


def _fill_empty(
    lines: list[str], key: yaml.Node, key_name: str, item: dict[str, Any], dash_offset: int,
    newline: str,
) -> str:
    """Turn `key: []` (or an empty `key:`) into a block list holding `item`."""
    row = key.start_mark.line
    line = lines[row]
    head = line[: line.index(f"{key_name}:") + len(key_name) + 1]
    rendered = _render(item, key.start_mark.column + dash_offset, newline)
    return "".join([*lines[:row], head + newline, *rendered, *lines[row + 1:]])
