"""No lost updates: writes to one file take turns, a form's stale version is refused, and a
file keeps its line ends and byte order mark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_cli import REPO
from tracker.plans.catalogue import load_catalogue
from tracker.plans.editing import add_update, objective_version
from tracker.plans.refusals import Stale
from tracker.project import Project


def _cancer(project: Project) -> Path:
    return project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"


def _start_update(project: Project, objective_id: str, commentary: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--root", str(project.root), "update", objective_id,
         "--quarter", "2023-24 Q3", "--rag", "amber", "--commentary", commentary,
         "--by", "test-pmo"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=project.root,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def _updates(project: Project, objective_id: str) -> list[str]:
    [found] = [o for o in load_catalogue(project).objectives() if o.objective.id == objective_id]
    return [u.commentary for u in found.objective.updates if u.quarter == "2023-24 Q3"]


def test_two_updates_to_one_file_at_the_same_moment_both_keep_their_update(
    minimal_project: Project,
) -> None:
    runs = [_start_update(minimal_project, "LW-CAN-01", "First."),
            _start_update(minimal_project, "LW-CAN-02", "Second.")]
    results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]  # type: ignore[union-attr]
    assert [code for code, _ in results] == [0, 0], results
    assert _updates(minimal_project, "LW-CAN-01") == ["First."]
    assert _updates(minimal_project, "LW-CAN-02") == ["Second."]


def test_two_updates_to_one_objective_save_one_and_refuse_the_other_clearly(
    minimal_project: Project,
) -> None:
    runs = [_start_update(minimal_project, "LW-CAN-02", "Mine."),
            _start_update(minimal_project, "LW-CAN-02", "Theirs.")]
    results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]  # type: ignore[union-attr]
    assert sorted(code for code, _ in results) == [0, 1], results
    [refused] = [err for code, err in results if code == 1]
    assert refused.startswith("Not changed: LW-CAN-02 already has an update for 2023-24 Q3: "
                              "add --replace to replace it")
    assert len(_updates(minimal_project, "LW-CAN-02")) == 1


def test_a_save_over_a_newer_version_is_refused_with_who_changed_it(minimal_project: Project) -> None:
    shown = objective_version(minimal_project, "LW-CAN-02")
    other = objective_version(minimal_project, "LW-CAN-01")
    add_update(minimal_project, "LW-CAN-02", {"quarter": "2023-24 Q2", "rag": "red",
                                              "commentary": "First in."}, by="test-pmo")
    before = _cancer(minimal_project).read_bytes()
    with pytest.raises(Stale, match=r"^Programme Office updated this objective at \d\d:\d\d "
                                    r"\(UTC\): reload to see it$"):
        add_update(minimal_project, "LW-CAN-02", {"quarter": "2023-24 Q3", "rag": "red",
                                                  "commentary": "Late."},
                   by="test-pmo", expected_version=shown)
    assert _cancer(minimal_project).read_bytes() == before
    # another objective in the same file is not stale: its own lines did not change
    add_update(minimal_project, "LW-CAN-01", {"quarter": "2023-24 Q3", "rag": "red",
                                              "commentary": "Fine."},
               by="test-pmo", expected_version=other)


def test_a_crlf_file_with_a_byte_order_mark_keeps_both(minimal_project: Project) -> None:
    path = _cancer(minimal_project)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    add_update(minimal_project, "LW-CAN-02", {"quarter": "2023-24 Q3", "rag": "red",
                                              "commentary": "Kept."}, by="test-pmo")
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf# A small area file")
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert b"        commentary: Kept.\r\n" in after
    assert _updates(minimal_project, "LW-CAN-02") == ["Kept."]
