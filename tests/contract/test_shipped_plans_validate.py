"""The shipped plans validate, and a lead's three commonest mistakes are all caught at once."""

from __future__ import annotations

import difflib
import re

import pytest

from tests.unit.test_cli import run_cli
from tracker.project import Project


def _lines_of(path, pattern: str) -> list[int]:
    return [n for n, line in enumerate(path.read_text().splitlines(), 1) if re.search(pattern, line)]


def test_shipped_files_validate(shipped_copy: Project) -> None:
    result = run_cli(shipped_copy, "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 2 plans, 113 objectives, ")


def test_misspelt_key_bad_date_and_duplicate_id_in_two_files(shipped_copy: Project) -> None:
    folder = shipped_copy.objectives_dir / "sefton-plan-2023-25"
    cancer, dementia = folder / "live-well-cancer.yaml", folder / "age-well-dementia.yaml"
    cancer.write_text(cancer.read_text().replace("  impacts:", "  impact:", 1))
    cancer.write_text(cancer.read_text().replace("target_date: 2024-03", "target_date: March 2024", 1))
    dementia.write_text(dementia.read_text().replace("- id: AW-DEM-02", "- id: LW-CAN-01"))
    misspelt = _lines_of(cancer, r"^  impact:")[0]
    bad_date = _lines_of(cancer, r"target_date: March 2024")[0]
    duplicate = _lines_of(dementia, r"- id: LW-CAN-01")[0]

    result = run_cli(shipped_copy, "validate")

    assert result.returncode == 1
    errors = result.stderr
    cancer_path = "objectives/sefton-plan-2023-25/live-well-cancer.yaml"
    dementia_path = "objectives/sefton-plan-2023-25/age-well-dementia.yaml"
    assert f"{cancer_path}:{misspelt}: unknown key 'impact'; did you mean 'impacts'?" in errors
    assert (f"{cancer_path}:{bad_date}: target_date 'March 2024' is not a month: write it as "
            "YYYY-MM, for example 2024-03") in errors
    assert f"{dementia_path}:{duplicate}: objective id 'LW-CAN-01' is used again at {cancer_path}:" \
        in errors
    assert "Traceback" not in errors


def test_one_setting_switches_every_example_off(shipped_copy: Project) -> None:
    import duckdb

    from tracker.db.build import build
    from tracker.project import load_project

    shipped_copy.settings_path.write_text("example_data: false\n")
    project = load_project(shipped_copy.root)
    build(project)
    con = duckdb.connect(str(project.db_path), read_only=True)
    try:
        assert con.execute("select count(*) from updates where is_example").fetchall() == [(0,)]
        assert con.execute("select count(*) from metrics where is_example").fetchall() == [(0,)]
        assert con.execute("select count(*) from metrics").fetchall() == [(3,)]  # the real A&E ones
    finally:
        con.close()


def test_reminders_list_stale_metrics_by_owner(shipped_copy: Project) -> None:
    result = run_cli(shipped_copy, "reminders", "--quarter", "2024-25 Q4")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "4 metric(s) have out-of-date data as at 31 March 2025:" in out
    assert "Finance business partner: 1\n  cip-2023-24-delivery  latest Mar 2024" in out
    # The examples end in 2023-24; the 33 reported complete by an example are carried forward
    # and still count as waiting for a real update.
    assert ("113 objective(s) have no real update for 2024-25 Q4 (33 show only an example "
            "update, 80 none):") in out


AREA = "objectives/sefton-plan-2023-25/age-well-dementia.yaml"


def test_update_on_the_shipped_files_adds_only_its_own_lines(shipped_copy: Project) -> None:
    path = shipped_copy.root / AREA
    before = path.read_text().splitlines(keepends=True)
    result = run_cli(shipped_copy, "update", "AW-DEM-01", "--quarter", "2023-24 Q3", "--rag", "amber",
                     "--commentary", "Diagnosis rate at 66.1%: memory clinic waits.",
                     "--mitigations", "Extra clinics from January.", "--by", "programme-office",
                     "--on", "2024-01-12")
    assert result.returncode == 0, result.stderr
    after = path.read_text().splitlines(keepends=True)
    diff = list(difflib.ndiff(before, after))
    # The only line that changes is the empty list the update goes into.
    assert [d[2:] for d in diff if d.startswith("- ")] == ["  updates: []\n"]
    added = [d[2:] for d in diff if d.startswith("+ ")]
    assert added == [
        "  updates:\n",
        "  - quarter: 2023-24 Q3\n",
        "    rag: amber\n",
        "    commentary: 'Diagnosis rate at 66.1%: memory clinic waits.'\n",
        "    mitigations: Extra clinics from January.\n",
        "    updated_by: Sefton Place programme office (placeholder)\n",
        "    updated_on: 2024-01-12\n",
    ]
    assert run_cli(shipped_copy, "validate").returncode == 0


@pytest.mark.parametrize(("args", "message"), [
    (["AW-DEM-99", "--quarter", "2023-24 Q3", "--rag", "red"], "there is no objective 'AW-DEM-99'"),
    (["AW-DEM-01", "--quarter", "2023-24 Q3", "--rag", "purple"], "RAG 'purple' is not allowed"),
    (["AW-DEM-01", "--quarter", "2026-27 Q1", "--rag", "red"], "outside the period"),
])
def test_refused_updates_leave_the_shipped_file_byte_identical(
    shipped_copy: Project, args: list[str], message: str
) -> None:
    path = shipped_copy.root / AREA
    before = path.read_bytes()
    result = run_cli(shipped_copy, "update", *args, "--commentary", "x", "--by", "programme-office")
    assert result.returncode == 1
    assert message in result.stderr
    assert path.read_bytes() == before


def test_existing_update_needs_replace_then_signoff_on_shipped_files(shipped_copy: Project) -> None:
    path = shipped_copy.root / AREA
    args = ["update", "AW-DEM-01", "--quarter", "2023-24 Q3", "--rag", "green", "--commentary", "ok",
            "--by", "programme-office"]
    assert run_cli(shipped_copy, *args).returncode == 0
    before = path.read_bytes()
    again = run_cli(shipped_copy, *args)
    assert again.returncode == 1 and "add --replace" in again.stderr
    assert path.read_bytes() == before
    signed = run_cli(shipped_copy, "signoff", "AW-DEM-01", "--quarter", "2023-24 Q3",
                     "--org", "Sefton Council", "--by", "council-signatory")
    assert signed.returncode == 0, signed.stderr
    status = run_cli(shipped_copy, "validate")
    assert status.returncode == 0, status.stderr
