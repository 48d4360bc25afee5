"""As the Board saw it: freeze a quarter, change an update and an extract value, see both revised;
a snapshot that cannot be read is named, never taken as "nothing changed"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import dashboard
from tests.unit.test_cli import run_cli
from tracker.plans.editing import add_update
from tracker.project import Project
from tracker.report.snapshots import revisions, snapshot_content
from tracker.status.quarters import parse_quarter

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
                                           "commentary": "Late update after the Board."},
               by="programme-office")
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
    # The late red update also changes AW-DEM-01's evidence (complete -> overdue), reasons and
    # commentary, and the revised dementia value changes the reasons of both dementia objectives.
    assert "REVISED SINCE REPORTED: 6 items differ from" in html
    assert re.search(r"AW-DEM-01: the reported status was \w+ \(example\) when reported; now Red\.", html)
    assert "AW-DEM-01: the status from the evidence was ★ Complete when reported; now ⚑ Overdue." in html
    assert "AW-DEM-01: the commentary was “Example update" in html
    assert re.search(r"AW-DEM-02: the reasons included “Linked metric Dementia diagnosis rate \(65\+\) "
                     r"\(example data\): SPC shows .*” when reported; now “Linked metric Dementia "
                     r"diagnosis rate \(65\+\) \(example data\): 64.2% in December 2023 misses", html)
    assert re.search(r"Dementia diagnosis rate \(65\+\) for Sefton: the value for December 2023 was "
                     r"[\d.]+% when reported; now [\d.]+%\.", html)


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
    assert "6 item(s) differ" in warning
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
    assert "6 item(s) differ" in warning


def _pull_forward(shipped_copy: Project, objective_id: str, target: str) -> None:
    """Bring an objective's target date forward in its area file (a lead's correction)."""
    area = shipped_copy.objectives_dir / PLAN / "community-first.yaml"
    text = area.read_text()
    start = text.index(f"- id: {objective_id}\n")
    end = text.index("target_date:", start)
    line_end = text.index("\n", end)
    area.write_text(text[:end] + f"target_date: {target}" + text[line_end:])


def test_a_derived_status_changed_after_the_freeze_is_listed_as_revised(
    shipped_copy: Project, tmp_path: Path
) -> None:
    """CC-CF-02 was reported green and on track; with its target date moved into the past its
    evidence says overdue, though the lead's reported status is unchanged."""
    _frozen(shipped_copy, tmp_path)
    _pull_forward(shipped_copy, "CC-CF-02", "2023-06")
    result = run_cli(shipped_copy, "report", "--plan", PLAN, "--quarter", QUARTER, "--format", "html",
                     "--out", str(tmp_path / "revised.html"))
    assert result.returncode == 0, result.stderr
    assert ("CC-CF-02: the status from the evidence was ✔ On track when reported; now ⚑ Overdue."
            in result.stdout)
    assert "CC-CF-02: the reasons included none when reported; now “Target date June 2023 has passed" \
        in result.stdout
    html = (tmp_path / "revised.html").read_text()
    assert "REVISED SINCE REPORTED: 2 items differ from" in html
    assert "CC-CF-02: the status from the evidence was ✔ On track when reported; now ⚑ Overdue." in html


CORRUPT = "data/snapshots/sefton-plan-2023-25/2023-24-Q3.json"


@pytest.mark.parametrize(("content", "why"), [
    ('{"version": 2, "frozen_on": "2024-01-', "it is not valid JSON"),
    ("[]", "it does not hold a snapshot (expected a JSON object)"),
    ('{"version": 2, "objectives": {}, "metrics": {}}', "it has no 'frozen_on'"),
])
def test_a_corrupt_snapshot_is_named_by_the_command_line_and_the_pack(
    shipped_copy: Project, tmp_path: Path, content: str, why: str
) -> None:
    """Never "nothing has changed": the pack says which file cannot be read and why, and
    `report` still writes the pack but exits 1."""
    _frozen(shipped_copy, tmp_path).write_text(content)
    result = run_cli(shipped_copy, "report", "--plan", PLAN, "--quarter", QUARTER, "--format", "html",
                     "--out", str(tmp_path / "after.html"))
    assert result.returncode == 1
    expected = f"The record of what the Board saw for {QUARTER}, {CORRUPT}, cannot be read ({why}"
    assert expected in result.stderr
    assert "revisions since then cannot be checked" in result.stderr
    html = (tmp_path / "after.html").read_text()
    assert "REVISIONS NOT CHECKED" in html and expected.replace("'", "&#39;") in html


def test_the_dashboard_names_a_corrupt_snapshot(
    shipped_copy: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _frozen(shipped_copy, tmp_path).write_text("not json at all")
    at: AppTest = dashboard(shipped_copy, monkeypatch).run()
    at.sidebar.selectbox(key="plan").set_value(PLAN).run()
    at.sidebar.selectbox(key="quarter").set_value(QUARTER).run()
    assert not at.exception
    assert not [i for i in at.info if "nothing has changed" in i.value]
    [error] = [e.value for e in at.error if "Revisions not checked" in e.value]
    assert "2023\\-24\\-Q3\\.json" in error and "cannot be read \\(it is not valid JSON" in error


def _objective(**overrides: object) -> dict:
    return {"id": "X-01", "reported": "green", "derived": "on_track", "reasons": [],
            "commentary": "Going well.", "mitigations": None, "example": False, **overrides}


def _metric(**overrides: object) -> dict:
    return {"metric_id": "m", "org": "RVY", "name": "M", "unit": "count",
            "values": {"2024-01-01": 5.0}, **overrides}


def test_every_frozen_field_is_compared() -> None:
    """The reported status and the commentary both changed: both are listed (not the first
    only), with the mitigations, a new month of data, and what has gone."""
    snapshot = snapshot_content([_objective(), _objective(id="X-02")], [_metric()], PLAN,
                                parse_quarter(QUARTER))
    now = [_objective(reported="amber", commentary="Slipping.", mitigations="Extra staff.")]
    metric = _metric(values={"2024-01-01": 5.0, "2024-02-01": 7.0})
    found = [r.sentence() for r in revisions(snapshot, now, [metric])]
    assert found == [
        "X-01: the reported status was Green when reported; now Amber.",
        "X-01: the commentary was “Going well.” when reported; now “Slipping.”.",
        "X-01: the mitigations were “none” when reported; now “Extra staff.”.",
        "X-02: the objective was in the pack when reported; now no longer in the plan.",
        "M for RVY: the value for February 2024 was not yet in the extract when reported; now 7.",
    ]
    assert revisions(snapshot, [_objective(), _objective(id="X-02")], [_metric()]) == []
    assert [r.sentence() for r in revisions(snapshot, [_objective(), _objective(id="X-02")],
                                            [_metric(org="REM")])] == [
        "M for RVY: the metric was on the scorecard when reported; now no longer on it."]


def test_a_version_1_snapshot_is_still_compared() -> None:
    """Snapshots frozen before reasons, mitigations and organisations were kept compare on what
    they hold: unchanged gives no revision, a changed value is listed."""
    snapshot = {"version": 1, "frozen_on": "2024-01-10",
                "objectives": {"X-01": {"reported": "green", "derived": "on_track",
                                        "commentary": "Going well.", "example": False}},
                "metrics": {"m": {"name": "M", "unit": "count", "values": {"2024-01-01": 5.0}}}}
    now = [_objective(reasons=["New reason"], mitigations="Some.")]
    assert revisions(snapshot, now, [_metric()]) == []
    assert [r.sentence() for r in revisions(snapshot, now, [_metric(values={"2024-01-01": 6.0})])] == [
        "M for RVY: the value for January 2024 was 5 when reported; now 6."]
