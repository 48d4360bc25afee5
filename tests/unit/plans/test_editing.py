"""Writing a lead's update: only the new lines change, refusals change nothing."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

import pytest

from tracker.plans import editing
from tracker.plans.catalogue import load_catalogue
from tracker.plans.refusals import EditRefused
from tracker.plans.splicing import splice_update
from tracker.project import Project

UPDATE = {"quarter": "2023-24 Q3", "rag": "amber", "commentary": "Slipped: a new provider.",
          "mitigations": "Weekly review.", "updated_by": "A. Lead"}


def add_update(project: Project, objective_id: str, update: dict, replace: bool = False) -> editing.Edit:
    """The programme office's update (people.yaml of the test project): these tests are
    about the file, not about who may write it (tests/unit/access/test_permissions.py)."""
    return editing.add_update(project, objective_id, update, replace, by="test-pmo")


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
        "        updated_by: Programme Office\n",
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
        ("LW-CAN-01", {**UPDATE, "quarter": "2023-24 Q1"}, False, "already has an update for 2023-24 Q1"),
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


BIG_COMMENTARY = "Long commentary pasted from a report. " * 60_000  # about 2.2 MB


def _objective_ids(project: Project) -> list[str]:
    return [o.objective.id for o in load_catalogue(project).objectives()]


def test_an_update_that_would_make_the_file_too_big_to_read_is_refused(
    minimal_project: Project,
) -> None:
    """Finding 3 of issue 20: a 2.2 MB commentary was "Saved", and the next build left
    out every objective of the area because the file passed the 2 MiB read limit."""
    path = _area(minimal_project, "live-well-cancer.yaml")
    before = path.read_bytes()
    ids = _objective_ids(minimal_project)
    with pytest.raises(EditRefused) as refused:
        add_update(minimal_project, "LW-CAN-02", {**UPDATE, "commentary": BIG_COMMENTARY})
    message = str(refused.value)
    assert "too big for the tracker to read" in message
    assert "objectives/demo-plan/live-well-cancer.yaml is 2,2" in message
    assert "the limit is 2,097,152 bytes" in message
    assert "leave out every objective in it" in message
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert _objective_ids(minimal_project) == ids


def test_the_size_check_reads_the_bytes_written_not_the_characters(minimal_project: Project) -> None:
    """The limit is on bytes: 1.1 million two-byte characters pass a character count
    but make a 2.2 MB file the build cannot read."""
    path = _area(minimal_project, "live-well-cancer.yaml")
    before = path.read_bytes()
    with pytest.raises(EditRefused, match="too big for the tracker to read"):
        add_update(minimal_project, "LW-CAN-02", {**UPDATE, "commentary": "é" * 1_100_000})
    assert path.read_bytes() == before


def test_a_sign_off_that_would_tip_the_file_over_the_limit_is_refused(minimal_project: Project) -> None:
    from tracker.plans.editing import add_signoff
    from tracker.plans.yamlio import MAX_FILE_BYTES

    path = _area(minimal_project, "live-well-cancer.yaml")
    text = path.read_text()
    padding = "# " + "x" * 78 + "\n"
    filler = padding * ((MAX_FILE_BYTES - len(text.encode()) - 20) // len(padding))
    path.write_text(text + filler)
    before = path.read_bytes()
    assert _objective_ids(minimal_project) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]
    with pytest.raises(EditRefused, match="too big for the tracker to read"):
        add_signoff(minimal_project, "LW-CAN-01", "2023-24 Q1", "Sefton Council", "council-signatory",
                    dt.date(2024, 1, 2))
    assert path.read_bytes() == before
    assert _objective_ids(minimal_project) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]


def test_an_update_just_under_the_limit_is_saved_and_the_build_keeps_the_file(
    minimal_project: Project,
) -> None:
    path = _area(minimal_project, "live-well-cancer.yaml")
    add_update(minimal_project, "LW-CAN-02", {**UPDATE, "commentary": "word " * 400_000})
    assert 2_000_000 < path.stat().st_size <= 2 * 1024 * 1024
    assert "LW-CAN-02" in _objective_ids(minimal_project)


def test_a_problem_the_file_already_had_does_not_refuse_a_new_update(minimal_project: Project) -> None:
    """Only what the change breaks refuses it: a lead can still report on a file with an
    unrelated mistake the build already lists (here an id with another area's code)."""
    path = _area(minimal_project, "live-well-cancer.yaml")
    path.write_text(path.read_text().replace("id: LW-CAN-02", "id: LW-XXX-02"))
    add_update(minimal_project, "LW-CAN-01", {**UPDATE})
    assert "2023-24 Q3" in path.read_text()


def test_cli_update_that_would_hide_the_area_exits_1_and_says_why(minimal_project: Project) -> None:
    from tests.unit.test_cli import run_cli
    from tracker.plans.yamlio import MAX_FILE_BYTES

    path = _area(minimal_project, "live-well-cancer.yaml")
    text = path.read_text()
    padding = "# " + "x" * 78 + "\n"
    path.write_text(text + padding * ((MAX_FILE_BYTES - len(text.encode()) - 60_000) // len(padding)))
    before = path.read_bytes()
    result = run_cli(minimal_project, "update", "LW-CAN-02", "--quarter", "2023-24 Q3",
                     "--rag", "amber", "--commentary", "x" * 100_000, "--by", "test-pmo")
    assert result.returncode == 1
    assert "Not changed: the file would become too big for the tracker to read" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_new_objective_gives_its_id_warns_of_the_same_text_and_is_recorded(
    minimal_project: Project,
) -> None:
    from tracker.access import audit

    edit = editing.add_objective(minimal_project, "demo-plan", "live-well-dementia",
                                 {"objective": "implement the  FIT pathway."}, by="test-pmo")
    assert edit.objective_id == "LW-DEM-02"
    assert edit.warnings == ("the same text is already objective LW-CAN-01: if this is a "
                             "duplicate, ask the programme office to remove one",)
    [entry] = audit.history(minimal_project, "LW-DEM-02")
    assert (entry["action"], entry["by"]) == ("new-objective", "test-pmo")
