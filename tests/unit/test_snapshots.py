"""As the Board saw it: freeze a quarter, change an update and an extract value, see both revised."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import dashboard
from tests.unit.test_cli import run_cli
from tracker.editing import add_update
from tracker.project import Project

PLAN = "sefton-plan-2023-25"
QUARTER = "2023-24 Q3"


def _frozen(shipped_copy: Project, tmp_path: Path) -> Path:
    result = run_cli(shipped_copy, "report", "--plan", PLAN, "--quarter", QUARTER, "--format", "html",
                     "--out", str(tmp_path / "board.html"), "--freeze")
    assert result.returncode == 0, result.stderr
    path = shipped_copy.root / "data/snapshots/sefton-plan-2023-25/2023-24-Q3.json"
    assert path.is_file()
    assert "Froze 2023-24 Q3 as the Board saw it" in result.stdout
    return path


def _revise(shipped_copy: Project) -> None:
    """A late real update replaces an example, and the extract's December 2023 dementia figure changes."""
    add_update(shipped_copy, "AW-DEM-01", {"quarter": QUARTER, "rag": "red",
                                           "commentary": "Late update after the Board."})
    extract = shipped_copy.data_dir / "extracts/example_place_performance.csv"
    lines = extract.read_text().splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("Dec-23,dementia_diagnosed,"):
            month, measure, org, numerator, denominator = line.strip().split(",")
            lines[i] = f"{month},{measure},{org},{int(numerator) - 100},{denominator}\n"
    extract.write_text("".join(lines))


def test_freezing_twice_is_refused(shipped_copy: Project, tmp_path: Path) -> None:
    _frozen(shipped_copy, tmp_path)
    again = run_cli(shipped_copy, "report", "--plan", PLAN, "--quarter", QUARTER, "--format", "html",
                    "--out", str(tmp_path / "again.html"), "--freeze")
    assert again.returncode == 1
    assert "already records what the Board saw" in again.stderr


def test_next_pack_shows_both_revisions_with_old_and_new_values(
    shipped_copy: Project, tmp_path: Path
) -> None:
    _frozen(shipped_copy, tmp_path)
    unchanged = run_cli(shipped_copy, "report", "--plan", PLAN, "--quarter", QUARTER, "--format", "html",
                        "--out", str(tmp_path / "same.html"))
    assert "revised since" not in unchanged.stdout
    _revise(shipped_copy)
    result = run_cli(shipped_copy, "report", "--plan", PLAN, "--quarter", QUARTER, "--format", "html",
                     "--out", str(tmp_path / "revised.html"))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "revised.html").read_text()
    assert "REVISED SINCE REPORTED: 2 item(s)" in html
    assert re.search(r"AW-DEM-01: the reported status was \w+ \(example\) when reported; now Red\.", html)
    assert re.search(r"Dementia diagnosis rate \(65\+\): the value for December 2023 was [\d.]+% when "
                     r"reported; now [\d.]+%\.", html)


def test_the_dashboard_shows_the_same_revisions(
    shipped_copy: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _frozen(shipped_copy, tmp_path)
    _revise(shipped_copy)
    at: AppTest = dashboard(shipped_copy, monkeypatch).run()
    at.sidebar.selectbox(key="plan").set_value(PLAN).run()
    at.sidebar.selectbox(key="quarter").set_value(QUARTER).run()
    assert not at.exception
    [warning] = [w.value for w in at.warning if "Revised since reported" in w.value]
    assert "2 item(s) differ" in warning
    assert "AW\\-DEM\\-01: the reported status was" in warning and "now Red" in warning
    assert "December 2023" in warning


def test_the_dashboard_notices_a_revision_made_while_it_is_open(
    shipped_copy: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison is cached between reruns; a rebuild after an edit must still show."""
    _frozen(shipped_copy, tmp_path)
    at: AppTest = dashboard(shipped_copy, monkeypatch).run()
    at.sidebar.selectbox(key="plan").set_value(PLAN).run()
    at.sidebar.selectbox(key="quarter").set_value(QUARTER).run()
    assert any("nothing has changed since" in i.value for i in at.info)
    assert not [w for w in at.warning if "Revised since reported" in w.value]
    _revise(shipped_copy)
    at.run()
    assert not at.exception
    [warning] = [w.value for w in at.warning if "Revised since reported" in w.value]
    assert "2 item(s) differ" in warning
