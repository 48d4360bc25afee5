"""Write the shipped example quarterly updates, deterministically.

The dashboard needs something to show before leads report, but an invented
status must never pass for Sefton's real one. So the examples live in their
own overlay file per plan (`objectives/<plan>/examples/updates.yaml`, with
`example: true`), every commentary says it is an example, and the same
objectives always get the same story (seeded by the objective's id), so the
output only changes when the plans do. `tests/contract/test_example_updates.py`
fails if the committed files are not what this script writes.

Run: python tools/make_example_updates.py
"""

from __future__ import annotations

import hashlib
import random
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.plans.catalogue import LoadedPlan, PlacedObjective, load_catalogue
from tracker.project import Project, load_project
from tracker.status.quarters import FinancialQuarter, parse_quarter

QUARTERS = [parse_quarter(q) for q in ("2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4")]
HEADER = (
    "# EXAMPLE DATA - invented quarterly updates so the dashboard has something to show.\n"
    "# They are NOT the Sefton Partnership's reported position. Written by\n"
    "# tools/make_example_updates.py: do not edit by hand. A real update for the same\n"
    "# objective and quarter (in the area file) replaces the example; set\n"
    "# `example_data: false` in settings.yaml to hide them all.\n"
)
NOTE = "Invented example updates for demonstration; not the Partnership's reported position."
# Roughly one objective in eight has no example at all, so "not reported" shows too.
SKIP_SHARE = 0.12
COMMENTARY = {
    "green": "Example update: on track; this quarter's actions were delivered as planned.",
    "amber": "Example update: some slippage this quarter; recovery actions are agreed.",
    "red": "Example update: off track; the target date is at risk without further support.",
    "blue": "Example update: complete; the objective has been delivered.",
}
MITIGATIONS = {
    "amber": "Example mitigation: revised timetable agreed with partners; reviewed monthly.",
    "red": "Example mitigation: escalated to the Partnership Board for support.",
}


def _rng(objective_id: str) -> random.Random:
    seed = int(hashlib.sha256(objective_id.encode()).hexdigest()[:12], 16)
    return random.Random(seed)


def _story(placed: PlacedObjective) -> list[tuple[FinancialQuarter, str]]:
    """A plausible sequence of statuses for one objective across the four quarters."""
    rng = _rng(placed.objective.id)
    if rng.random() < SKIP_SHARE:
        return []
    target = placed.objective.target_date
    status = rng.choices(["green", "amber", "red"], weights=[6, 3, 1])[0]
    story: list[tuple[FinancialQuarter, str]] = []
    for quarter in QUARTERS:
        if rng.random() < 0.08 and story:
            continue  # a missed quarter: shows as "not reported"
        due_passed = target is not None and target <= quarter.end_month.strftime("%Y-%m")
        if status != "blue" and due_passed:
            status = rng.choices(["blue", "amber", "red"], weights=[6, 2, 1])[0]
        elif status != "blue":
            status = rng.choices(
                [status, "green", "amber", "red"], weights=[6, 2, 2, 1]
            )[0]
        story.append((quarter, status))
    return story


def _updates(loaded: LoadedPlan) -> list[dict[str, object]]:
    updates: list[dict[str, object]] = []
    for placed in loaded.objectives:
        for quarter, rag in _story(placed):
            update: dict[str, object] = {
                "objective": placed.objective.id,
                "quarter": str(quarter),
                "rag": rag,
                "commentary": COMMENTARY[rag],
            }
            if rag in MITIGATIONS:
                update["mitigations"] = MITIGATIONS[rag]
            update["updated_by"] = "Example lead"
            updates.append(update)
    return updates


def render(loaded: LoadedPlan) -> str:
    """The example file's text for one plan."""
    body = {"example": True, "note": NOTE, "updates": _updates(loaded)}
    return HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def example_path(loaded: LoadedPlan) -> Path:
    return loaded.folder / "examples" / "updates.yaml"


def write_examples(project: Project) -> list[Path]:
    catalogue = load_catalogue(project)
    written = []
    for loaded in catalogue.plans:
        path = example_path(loaded)
        path.parent.mkdir(exist_ok=True)
        path.write_text(render(loaded), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_examples(load_project()):
        print(f"wrote {path}")
