"""Load every plan under `objectives/`, checking each file and the links between them.

One broken file never hides the problems of the others: each file is read
and validated on its own, and what is valid is kept, so the build can go on
with it and the data-quality page can list everything that is wrong.

Counts must never shrink silently, so each objective is validated on its own:
a bad field costs that field (taken as absent: no target date, say), and the
objective is still listed, carrying its problems. A file that cannot be read
at all is listed in `Catalogue.unread`, so the build can show its objectives
as they were at the last good build, and say so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from tracker import cycle_collector
from tracker.access.people import PEOPLE_FILE, Register, read_register, unknown_lead_message
from tracker.plans.models import AreaFile, ExampleFile, ExampleUpdate, Objective, Plan
from tracker.plans.problems import Problem, SourceError, display_path
from tracker.plans.settings_checks import settings_problems
from tracker.plans.validation import ItemCheck, validate_document, validate_items
from tracker.plans.yamlio import LocatedDocument, read_yaml
from tracker.project import Project
from tracker.status.quarters import parse_quarter

EXAMPLES_FOLDER = "examples"


@dataclass(frozen=True)
class PlacedObjective:
    """An objective with where it sits in its plan and where it was read from."""

    objective: Objective
    plan_id: str
    group_id: str
    area_id: str
    path: str
    line: int | None
    position: int
    # What is wrong with this objective as written; its bad fields are left out.
    problems: tuple[Problem, ...] = ()
    # Whether a bad value was left out (not just a check across fields, like an id's prefix).
    values_left_out: bool = False


@dataclass(frozen=True)
class UnreadFile:
    """A plan or area file that could not be used at all (not YAML, a tab, too big, no list)."""

    plan_id: str
    area_id: str | None  # None: the plan's own plan.yaml
    code: str | None  # the area's id prefix, e.g. LW-CAN
    path: str
    problem: Problem


@dataclass(frozen=True)
class PlacedExample:
    update: ExampleUpdate
    path: str
    line: int | None


@dataclass
class LoadedPlan:
    plan: Plan
    folder: Path
    path: str
    objectives: list[PlacedObjective] = field(default_factory=list)
    examples: list[PlacedExample] = field(default_factory=list)
    # False when an area file could not be read: then "unknown objective" is not said
    # of examples, since the objective may be in the broken file.
    complete: bool = True


@dataclass
class Catalogue:
    """Everything read from `objectives/`, and every problem found on the way."""

    plans: list[LoadedPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    # Every objective id written in a readable file, valid or not, with where it is:
    # duplicates are found even when another mistake makes a file fail validation.
    written_ids: list[tuple[str, str, int | None]] = field(default_factory=list)
    # Files whose objectives could not be read: the build shows them from the last good build.
    unread: list[UnreadFile] = field(default_factory=list)
    # objectives/people.yaml: who leads, signs off and reads.
    people: Register = field(default_factory=Register)
    signoff_orgs: list[str] = field(default_factory=list)

    def objectives(self) -> list[PlacedObjective]:
        return [o for plan in self.plans for o in plan.objectives]


def load_catalogue(project: Project) -> Catalogue:
    """Read and check every plan folder of the project (with the cycle collector paused:
    `tracker.cycle_collector` says why)."""
    with cycle_collector.paused():
        return _load_catalogue(project)


def _load_catalogue(project: Project) -> Catalogue:
    catalogue = Catalogue()
    root = project.objectives_dir
    if not root.is_dir():
        catalogue.problems.append(Problem(_show(project, root), None, "folder not found"))
        return catalogue
    _check_settings(project, catalogue)
    catalogue.signoff_orgs = list(project.settings["signoff_orgs"])
    catalogue.people = load_people(project, catalogue)
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        loaded = _load_plan(project, folder, catalogue)
        if loaded is not None:
            catalogue.plans.append(loaded)
    _check_unique_ids(catalogue)
    for loaded in catalogue.plans:
        _check_examples(loaded, catalogue)
    catalogue.problems.sort(key=lambda p: (p.path, p.line or 0, p.message))
    return catalogue


def load_plan_folders(project: Project, folders: list[Path], people: Register) -> Catalogue:
    """Some plan folders read as `load_catalogue` reads each (ids checked among these only)."""
    catalogue = Catalogue(people=people, signoff_orgs=list(project.settings["signoff_orgs"]))
    with cycle_collector.paused():
        catalogue.plans = [p for p in (_load_plan(project, f, catalogue) for f in folders) if p is not None]
    _check_unique_ids(catalogue)
    for loaded in catalogue.plans:
        _check_examples(loaded, catalogue)
    return catalogue


def _show(project: Project, path: Path) -> str:
    return display_path(path, project.root)


def _read(project: Project, path: Path, catalogue: Catalogue) -> LocatedDocument | None:
    catalogue.files.append(path)
    try:
        return read_yaml(path, _show(project, path))
    except SourceError as exc:
        catalogue.problems.append(exc.problem)
        return None


def load_people(project: Project, catalogue: Catalogue | None = None) -> Register:
    """The people register (empty when there is no people.yaml), its problems noted."""
    path = project.objectives_dir / PEOPLE_FILE
    if not path.is_file():
        return Register()
    scratch = catalogue if catalogue is not None else Catalogue()
    doc = _read(project, path, scratch)
    if doc is None:
        return Register(present=True)
    register, problems = read_register(doc, list(project.settings["signoff_orgs"]))
    scratch.problems.extend(problems)
    return register


def _check_settings(project: Project, catalogue: Catalogue) -> None:
    path = project.settings_path
    if path.is_file():
        doc = _read(project, path, catalogue)
        if doc is not None:
            catalogue.problems.extend(settings_problems(doc))


def _load_plan(project: Project, folder: Path, catalogue: Catalogue) -> LoadedPlan | None:
    plan_path = folder / "plan.yaml"
    if not plan_path.is_file():
        catalogue.problems.append(
            Problem(_show(project, folder), None, "has no plan.yaml: every plan folder needs one")
        )
        return None
    doc = _read(project, plan_path, catalogue)
    plan, problems = validate_document(doc, Plan) if doc else (None, [])
    catalogue.problems.extend(problems)
    if not isinstance(plan, Plan) or doc is None:  # no plan without a document: said for mypy
        first = problems[0] if problems else catalogue.problems[-1]
        catalogue.unread.append(UnreadFile(folder.name, None, None, first.path, first))
        return None
    if plan.id != folder.name:
        catalogue.problems.append(
            Problem(doc.path, doc.line_of(("id",)),
                    f"id '{plan.id}' should equal the folder name '{folder.name}'")
        )
    loaded = LoadedPlan(plan=plan, folder=folder, path=doc.path)
    _load_areas(project, loaded, doc, catalogue)
    _load_examples(project, loaded, catalogue)
    return loaded


def _load_areas(
    project: Project, loaded: LoadedPlan, plan_doc: LocatedDocument, catalogue: Catalogue
) -> None:
    listed: set[str] = set()
    position = 0
    for g, group in enumerate(loaded.plan.groups):
        for a, area in enumerate(group.areas):
            listed.add(area.id)
            path = loaded.folder / f"{area.id}.yaml"
            if not path.is_file():
                line = plan_doc.line_of(("groups", g, "areas", a, "id"))
                catalogue.problems.append(
                    Problem(plan_doc.path, line, f"area '{area.id}' has no file {path.name}")
                )
                continue
            doc = _read(project, path, catalogue)
            checks: list[ItemCheck] | None = None
            problems = catalogue.problems[-1:]  # what _read found, if it failed
            if doc is not None:
                _note_written_ids(doc, catalogue)
                problems, checks = validate_items(doc, AreaFile, "objectives")
                catalogue.problems.extend(problems)
            if doc is None or checks is None:
                loaded.complete = False
                problem = problems[0]
                catalogue.unread.append(
                    UnreadFile(loaded.plan.id, area.id, area.code, problem.path, problem))
                continue
            for check in checks:
                position += 1
                line = doc.line_of(("objectives", check.index))
                objective = check.parsed or _salvaged(check, f"{area.code}-? (line {line})")
                found = [*check.problems,
                         *_check_objective(loaded.plan, area.code, objective, doc, check.index,
                                           catalogue.people, catalogue.signoff_orgs)]
                catalogue.problems.extend(found)
                loaded.objectives.append(
                    PlacedObjective(objective, loaded.plan.id, group.id, area.id,
                                    doc.path, line, position, tuple(found),
                                    bool(check.problems))
                )
    for path in sorted(loaded.folder.glob("*.y*ml")):
        if path.name != "plan.yaml" and path.stem not in listed:
            catalogue.problems.append(
                Problem(_show(project, path), None,
                        "is not an area of plan.yaml: list it under groups, or rename it "
                        "to match an area id")
            )


def _note_written_ids(doc: LocatedDocument, catalogue: Catalogue) -> None:
    items = doc.data.get("objectives") if isinstance(doc.data, dict) else None
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            catalogue.written_ids.append((item["id"], doc.path, doc.line_of(("objectives", i))))


# Stand-ins for required fields that are missing or bad: the objective still shows.
_STAND_INS: dict[str, object] = {
    "objective": "(the objective's text could not be read: see its problem)",
    "timeframe": "(not readable)",
    "target_date": None,
}
_ID_STAND_IN = "XX-00"


def _salvaged(check: ItemCheck, placeholder_id: str) -> Objective:
    """The objective with its bad fields left out (taken as absent), so it still shows.

    A bad item of a list (one update, one milestone) is left out, not the whole list.
    An id that is not in the expected form is kept as written, so the objective can be
    found by it; a missing one is replaced by `placeholder_id`.
    """
    data = dict(check.raw) if isinstance(check.raw, dict) else {}
    written_id = data.get("id")
    bad = [loc for loc, _ in check.errors]
    for _ in range(5):  # each pass leaves out what the last one found bad; stand-ins are valid
        _leave_out(data, bad)
        data = {**_STAND_INS, **data, "id": _ID_STAND_IN}
        try:
            objective = Objective.model_validate(data)
            break
        except ValidationError as exc:
            bad = [tuple(error["loc"]) for error in exc.errors()]
    else:  # pragma: no cover - the stand-ins alone always validate
        objective = Objective.model_validate({**_STAND_INS, "id": _ID_STAND_IN})
    shown_id = written_id.strip() if isinstance(written_id, str) and written_id.strip() else None
    return objective.model_copy(update={"id": shown_id or placeholder_id})


def _leave_out(data: dict[str, object], locations: list[tuple[object, ...]]) -> None:
    """Remove each bad field, or the bad item of a list, from an objective's raw data."""
    items: dict[str, set[int]] = defaultdict(set)
    for loc in locations:
        if not loc or not isinstance(loc[0], str):
            continue
        if len(loc) > 1 and isinstance(loc[1], int) and isinstance(data.get(loc[0]), list):
            items[loc[0]].add(loc[1])
        else:
            data.pop(loc[0], None)
    for name, indexes in items.items():
        values = data.get(name)
        if isinstance(values, list):
            data[name] = [v for i, v in enumerate(values) if i not in indexes]


def _check_objective(
    plan: Plan, code: str, objective: Objective, doc: LocatedDocument, i: int,
    people: Register, signoff_orgs: list[str],
) -> list[Problem]:
    """Problems of an objective that the model alone cannot see (its id, its leads, its
    updates and their sign-offs)."""
    found: list[Problem] = []
    for lead_id in objective.lead:
        if people.by_id(lead_id) is None:
            found.append(Problem(doc.path, doc.line_of(("objectives", i, "lead")),
                                 f"{objective.id}: {unknown_lead_message(lead_id, people)}"))
    if not objective.id.startswith(code + "-"):
        found.append(
            Problem(doc.path, doc.line_of(("objectives", i, "id")),
                    f"id '{objective.id}' should start with this area's code '{code}-'")
        )
    seen: dict[str, int] = {}
    for u, update in enumerate(objective.updates):
        where = doc.line_of(("objectives", i, "updates", u, "quarter"))
        if update.quarter in seen:
            found.append(
                Problem(doc.path, where,
                        f"{objective.id} has two updates for {update.quarter}: keep one")
            )
        seen[update.quarter] = u
        problem = _quarter_outside(plan, update.quarter)
        if problem:
            found.append(Problem(doc.path, where, f"{objective.id}: {problem}"))
        for s, signoff in enumerate(update.signoffs):
            if signoff.org not in signoff_orgs:
                found.append(Problem(
                    doc.path, doc.line_of(("objectives", i, "updates", u, "signoffs", s, "org")),
                    f"{objective.id} {update.quarter}: sign-off by '{signoff.org}', which is not "
                    f"an organisation that signs off: use one of {', '.join(signoff_orgs)} "
                    "(settings' signoff_orgs)"))
    return found


def _quarter_outside(plan: Plan, quarter: str) -> str | None:
    """Say why `quarter` falls outside the plan's period, or None if it is inside."""
    q = parse_quarter(quarter)
    start, end = plan.period.start, plan.period.end
    if q.end_month.strftime("%Y-%m") < start or q.start_month.strftime("%Y-%m") > end:
        return f"quarter {quarter} is outside the plan's period ({start} to {end})"
    return None


def _load_examples(project: Project, loaded: LoadedPlan, catalogue: Catalogue) -> None:
    folder = loaded.folder / EXAMPLES_FOLDER
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.y*ml")):
        doc = _read(project, path, catalogue)
        if doc is None:
            continue
        examples, problems = validate_document(doc, ExampleFile)
        catalogue.problems.extend(problems)
        if isinstance(examples, ExampleFile):
            loaded.examples.extend(
                PlacedExample(update, doc.path, doc.line_of(("updates", i)))
                for i, update in enumerate(examples.updates)
            )


def _check_examples(loaded: LoadedPlan, catalogue: Catalogue) -> None:
    ids = {o.objective.id for o in loaded.objectives}
    seen: set[tuple[str, str]] = set()
    for example in loaded.examples:
        update = example.update
        if update.objective not in ids and loaded.complete:
            catalogue.problems.append(
                Problem(example.path, example.line,
                        f"objective '{update.objective}' is not in plan {loaded.plan.id}")
            )
        key = (update.objective, update.quarter)
        if key in seen:
            catalogue.problems.append(
                Problem(example.path, example.line,
                        f"{update.objective} has two example updates for {update.quarter}")
            )
        seen.add(key)
        problem = _quarter_outside(loaded.plan, update.quarter)
        if problem:
            catalogue.problems.append(Problem(example.path, example.line, problem))


def _check_unique_ids(catalogue: Catalogue) -> None:
    where: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for objective_id, path, line in catalogue.written_ids:
        where[objective_id].append((path, line))
    for objective_id, places in where.items():
        for place in places if len(places) > 1 else []:
            others = ", ".join(f"{p}:{n}" for p, n in places if (p, n) != place)
            catalogue.problems.append(
                Problem(place[0], place[1],
                        f"objective id '{objective_id}' is used again at {others}: "
                        "ids must be unique across all plans")
            )


def area_file_problems(
    plan: Plan, code: str, doc: LocatedDocument, area_file: AreaFile, people: Register,
    signoff_orgs: list[str],
) -> list[Problem]:
    """The checks the build makes of one valid area file's objectives, in isolation:
    used by the editor to refuse a write the next build would complain about."""
    return [problem for i, objective in enumerate(area_file.objectives)
            for problem in _check_objective(plan, code, objective, doc, i, people, signoff_orgs)]
