"""Every CSV the tracker writes is safe to open in a spreadsheet: no cell runs as a formula.

`tests/app/test_data_quality_page.py` checks `safe_csv` on one table; these check the
rule for any text, and the command line's `status`, `reminders` and `changes` CSVs over
a plan whose objective, area, lead, commentary and mitigations are hostile.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import hostile
from tracker.cli import main
from tracker.csvsafe import FORMULA_STARTS, safe_csv
from tracker.project import Project

pytestmark = pytest.mark.hostile


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(cells=st.lists(st.text(max_size=20) | st.integers() | st.floats(allow_nan=False) | st.none(),
                      min_size=1, max_size=10))
def test_any_text_cell_keeps_its_text_and_never_starts_a_formula(cells: list[object]) -> None:
    frame = pd.DataFrame({"a": pd.Series(cells, dtype=object)})
    rows = list(csv.reader(io.StringIO(safe_csv(frame), newline="")))
    assert rows[0] == ["a"]
    for cell, [written] in zip(cells, rows[1:], strict=True):
        if isinstance(cell, str):
            assert not written.startswith(FORMULA_STARTS)
            assert written in (cell, "'" + cell)


@pytest.fixture
def hostile_minimal(minimal_project: Project) -> Project:
    hostile.make_hostile(minimal_project, "demo-plan", "live-well-dementia", "LW-DEM-01", "2023-24 Q2")
    return minimal_project


@pytest.mark.parametrize(("command", "quarter", "expected"), [
    ("status", "2023-24 Q2", [hostile.AREA]),
    ("changes", "2023-24 Q2", [hostile.AREA, hostile.OBJECTIVE, hostile.COMMENTARY, hostile.MITIGATIONS]),
    ("reminders", "2023-24 Q3", [hostile.AREA, hostile.OBJECTIVE, hostile.LEAD]),
])
def test_the_command_lines_csv_neutralises_formulas(
    hostile_minimal: Project, capsys: pytest.CaptureFixture[str], command: str, quarter: str,
    expected: list[str],
) -> None:
    assert main(["--root", str(hostile_minimal.root), command, "--quarter", quarter, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert hostile.formula_cells(rows) == []
    cells = {cell for row in rows for cell in row}
    for text in expected:  # there, word for word, behind one apostrophe
        assert "'" + text.strip() in cells
