"""Writing a lead's update: only the new lines change, refusals change nothing."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tracker.catalogue import load_catalogue
from tracker.editing import EditRefused, add_update, splice_update
from tracker.project import Project

UPDATE = {"quarter": "2023-24 Q3", "rag": "amber", "commentary": "Slipped: a new provider.",
          "mitigations": "Weekly review.", "updated_by": "A. Lead"}


def _area(project: Project, name: str) -> Path:
    return project.objectives_dir / "demo-plan" / name


def _only_added_lines(before: str, after: str) -> list[str]:
    """The lines `after` adds; fails if any line of `before` was changed or removed."""
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    assert not [d for d in diff if d.startswith("- ")], "a line was changed or removed"
    return [d[2:] for d in diff if d.startswith("+ ")]


def test_adds_after_the_existing_updates_and_touches_nothing_else(minimal_project: Project) -> None:
    path = _area(minimal_project, "live-well-cancer.yaml")
    before = path.read_text()
    add_update(minimal_project, "LW-CAN-01", UPDATE)
    added = _only_added_lines(before, path.read_text())
    assert added == [
        "      - quarter: 2023-24 Q3\n",
        "        rag: amber\n",
        "        commentary: 'Slipped: a new provider.'\n",
        "        mitigations: Weekly review.\n",
        "        updated_by: A. Lead\n",
    ]
    assert load_catalogue(minimal_project).problems == []


def test_adds_an_updates_list_to_an_objective_without_one(minimal_project: Project) -> None:
    path = _area(minimal_project, "live-well-dementia.yaml")
    before = path.read_text()
    add_update(minimal_project, "LW-DEM-01", {**UPDATE, "rag": "green"})
    added = _only_added_lines(before, path.read_text())
    assert added[:2] == ["    updates:\n", "      - quarter: 2023-24 Q3\n"]
    catalogue = load_catalogue(minimal_project)
    assert catalogue.problems == []
    [dementia] = [o for o in catalogue.objectives() if o.objective.id == "LW-DEM-01"]
    assert dementia.objective.updates[0].rag == "green"


def test_fills_an_empty_flow_list(minimal_project: Project) -> None:
    text = "objectives:\n- id: LW-CAN-01  # the FIT row\n  objective: X\n  timeframe: T\n" \
           "  target_date: null\n  updates: []\n  risks: []\n"
    after = splice_update(text, "LW-CAN-01", {"quarter": "2023-24 Q1", "rag": "red",
                                              "commentary": "Late."}, replace=False)
    assert after == (
        "objectives:\n- id: LW-CAN-01  # the FIT row\n  objective: X\n  timeframe: T\n"
        "  target_date: null\n  updates:\n  - quarter: 2023-24 Q1\n    rag: red\n"
        "    commentary: Late.\n  risks: []\n"
    )


def test_replace_swaps_only_that_quarters_lines(minimal_project: Project) -> None:
    path = _area(minimal_project, "live-well-cancer.yaml")
    before = path.read_text()
    add_update(minimal_project, "LW-CAN-01",
               {"quarter": "Q1 23/24", "rag": "red", "commentary": "Restated."}, replace=True)
    after = path.read_text()
    assert "rag: green" not in after and "commentary: Restated." in after
    assert after.count("quarter: 2023-24 Q1") == 1
    assert before.splitlines()[:13] == after.splitlines()[:13]


@pytest.mark.parametrize(
    ("objective", "update", "replace", "reason"),
    [
        ("LW-CAN-99", UPDATE, False, "there is no objective 'LW-CAN-99'"),
        ("LW-CAN-01", {**UPDATE, "rag": "purple"}, False, "RAG 'purple' is not allowed"),
        ("LW-CAN-01", {**UPDATE, "quarter": "2026-27 Q1"}, False, "outside the period"),
        ("LW-CAN-01", {**UPDATE, "quarter": "Q5 2023"}, False, "not a financial quarter"),
        ("LW-CAN-01", {**UPDATE, "quarter": "2023-24 Q1"}, False, "use --replace"),
        ("LW-CAN-01", {**UPDATE, "commentary": ""}, False, "commentary"),
    ],
)
def test_refusals_leave_the_file_byte_identical(
    minimal_project: Project, objective: str, update: dict, replace: bool, reason: str
) -> None:
    path = _area(minimal_project, "live-well-cancer.yaml")
    before = path.read_bytes()
    with pytest.raises(EditRefused, match=reason):
        add_update(minimal_project, objective, update, replace=replace)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
