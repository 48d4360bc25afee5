"""The command line as a lead uses it: plain messages and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tracker.db.build import build
from tracker.project import Project

REPO = Path(__file__).resolve().parents[2]


def run_cli(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", "--root", str(project.root), *args],
        capture_output=True, text=True, cwd=project.root, timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )


def test_validate_passes_with_a_one_line_summary(minimal_project: Project) -> None:
    result = run_cli(minimal_project, "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        "OK: 1 plans, 3 objectives, 0 metrics, 5 files checked, no problems."
    ]


def test_validate_reports_problems_and_exits_1(minimal_project: Project) -> None:
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace("rag: green", "rag: gren"))
    result = run_cli(minimal_project, "validate")
    assert result.returncode == 1
    assert "objectives/demo-plan/live-well-cancer.yaml:16: rag 'gren' is not allowed" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_writes_the_database_given_by_db(minimal_project: Project, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "board.duckdb"
    result = run_cli(minimal_project, "build", "--db", str(target))
    assert result.returncode == 0, result.stderr
    assert target.is_file()
    assert "3 objectives" in result.stdout


def test_build_with_a_broken_file_still_builds_the_rest_and_exits_1(minimal_project: Project) -> None:
    (minimal_project.objectives_dir / "demo-plan" / "live-well-dementia.yaml").write_text("- [")
    result = run_cli(minimal_project, "build")
    assert result.returncode == 1
    assert "live-well-dementia.yaml" in result.stderr
    assert "2 objectives" in result.stdout
    assert minimal_project.db_path.is_file()


def test_update_prints_the_diff_and_validate_still_passes(minimal_project: Project) -> None:
    result = run_cli(minimal_project, "update", "LW-CAN-02", "--quarter", "Q3 23/24",
                     "--rag", "amber", "--commentary", "Procurement slipped.", "--by", "test-pmo",
                     "--on", "2024-01-10")
    assert result.returncode == 0, result.stderr
    assert "+    updates:" in result.stdout
    assert "+      - quarter: 2023-24 Q3" in result.stdout
    assert "Recorded LW-CAN-02 2023-24 Q3 in objectives/demo-plan/live-well-cancer.yaml." in result.stdout
    assert run_cli(minimal_project, "validate").returncode == 0


def test_update_refusal_exits_1_and_leaves_the_file_alone(minimal_project: Project) -> None:
    path = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    before = path.read_bytes()
    result = run_cli(minimal_project, "update", "LW-CAN-01", "--quarter", "2023-24 Q1",
                     "--rag", "red", "--commentary", "Again.", "--by", "test-pmo")
    assert result.returncode == 1
    assert "Not changed: LW-CAN-01 already has an update for 2023-24 Q1: add --replace" in result.stderr
    assert path.read_bytes() == before


def test_signoff_is_recorded_once_per_organisation(minimal_project: Project) -> None:
    args = ("signoff", "LW-CAN-01", "--quarter", "2023-24 Q1", "--org", "Sefton Council",
            "--by", "council-signatory", "--on", "2023-07-20")
    first = run_cli(minimal_project, *args)
    assert first.returncode == 0, first.stderr
    assert "+          - org: Sefton Council" in first.stdout
    again = run_cli(minimal_project, *args)
    assert again.returncode == 1
    assert "already signed off by Sefton Council" in again.stderr
    icb = run_cli(minimal_project, "signoff", "LW-CAN-01", "--quarter", "2023-24 Q1",
                  "--org", "NHS Cheshire and Merseyside", "--by", "place@example.invalid")
    assert icb.returncode == 0, icb.stderr
    assert run_cli(minimal_project, "validate").returncode == 0


def test_signoff_needs_an_update_for_the_quarter(minimal_project: Project) -> None:
    result = run_cli(minimal_project, "signoff", "LW-CAN-02", "--quarter", "2023-24 Q1",
                     "--org", "Sefton Council", "--by", "council-signatory")
    assert result.returncode == 1
    assert "has no update for 2023-24 Q1 to sign off: add the update first" in result.stderr


def _run_hook(hook_id: str, project: Project, changed: str) -> subprocess.CompletedProcess[str] | None:
    """Run a hook of .pre-commit-config.yaml as pre-commit would for a commit changing `changed`:
    its entry, in the project's folder (the repository's top), no file names passed, with the
    environment's `python` first on PATH; None when its `files` pattern does not select the change."""
    import re
    import shlex

    import yaml

    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    [hook] = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == hook_id]
    assert hook["language"] == "system" and hook["pass_filenames"] is False
    if not re.search(hook["files"], changed):
        return None
    return subprocess.run(
        shlex.split(hook["entry"]), capture_output=True, text=True, cwd=project.root, timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
    )


def test_pre_commit_hook_runs_validate_on_the_project(minimal_project: Project, tmp_path: Path) -> None:
    changed = "objectives/demo-plan/live-well-cancer.yaml"
    assert _run_hook("tracker-validate", minimal_project, "README.md") is None  # not a plan file
    good = _run_hook("tracker-validate", minimal_project, changed)
    assert good is not None, f"the hook did not run for {changed}: see .pre-commit-config.yaml's files"
    assert good.returncode == 0, good.stderr
    assert "OK: 1 plans, 3 objectives" in good.stdout
    area = minimal_project.root / changed
    area.write_text(area.read_text().replace("    target_date: 2023-06\n", "    target_dat: 2023-06\n"))
    broken = _run_hook("tracker-validate", minimal_project, changed)
    assert broken is not None and broken.returncode == 1  # the commit is stopped
    assert f"{changed}:8: unknown key 'target_dat'; did you mean 'target_date'?" in broken.stderr


METRIC = """metrics:
  - id: seen
    name: Seen
    unit: count
    direction: neutral
    frequency: monthly
    source:
      file: extracts/{file}
      period: period
      org: org
      value: {value}
"""


def _add_metric(project: Project, value: str, file: str = "seen.csv") -> str:
    """A metric file reading `value` from a small extract (written only for seen.csv);
    returns the metric file's path as validate names it."""
    (project.root / "data" / "extracts").mkdir(parents=True, exist_ok=True)
    (project.root / "data" / "extracts" / "seen.csv").write_text("period,org,seen,total\n2023-04,A,9,10\n")
    (project.root / "data" / "metrics").mkdir(parents=True, exist_ok=True)
    (project.root / "data" / "metrics" / "seen.yaml").write_text(METRIC.format(file=file, value=value))
    return "data/metrics/seen.yaml"


def test_validate_refuses_a_metric_expression_the_build_refuses(minimal_project: Project) -> None:
    shown = _add_metric(minimal_project, "\"read_csv('/etc/passwd')\"")
    result = run_cli(minimal_project, "validate")
    assert result.returncode == 1
    assert (f"{shown}:11: metric seen: the value expression may not call read_csv(): only simple "
            "functions such as round, coalesce, nullif, abs, lower and strptime are allowed "
            "(found: read_csv('/etc/passwd'))") in result.stderr
    assert "1 problem(s) in 1 file(s)." in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_names_the_nearest_columns_for_an_unknown_one(minimal_project: Project) -> None:
    shown = _add_metric(minimal_project, "100 * sen / total")
    result = run_cli(minimal_project, "validate")
    assert result.returncode == 1
    assert (f"{shown}:11: metric seen: the value expression names 'sen', which is not a column of "
            "data/extracts/seen.csv: the nearest in its header: seen") in result.stderr


def test_validate_passes_a_good_metric_and_says_when_its_columns_were_not_checked(
    minimal_project: Project
) -> None:
    _add_metric(minimal_project, "100 * seen / total")
    result = run_cli(minimal_project, "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        "OK: 1 plans, 3 objectives, 1 metrics, 6 files checked, no problems."]
    shown = _add_metric(minimal_project, "100 * seen / total", file="later.csv")
    result = run_cli(minimal_project, "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        f"NOTE: {shown}:8: metric seen: data/extracts/later.csv is not there, so the column names were "
        "not checked (only the expressions' syntax and what they may use)",
        "OK: 1 plans, 3 objectives, 1 metrics, 6 files checked, no problems."]


def test_pre_commit_hook_refuses_a_metric_the_build_would_refuse(minimal_project: Project) -> None:
    shown = _add_metric(minimal_project, "seen")
    good = _run_hook("tracker-validate", minimal_project, shown)
    assert good is not None and good.returncode == 0, good.stderr
    _add_metric(minimal_project, "\"seen) from read_csv('x') where (1\"")
    broken = _run_hook("tracker-validate", minimal_project, shown)
    assert broken is not None and broken.returncode == 1  # the commit is stopped
    assert f"{shown}:11: metric seen: the value expression is not valid SQL" in broken.stderr


def test_new_objective_gets_the_next_id_and_a_valid_skeleton(minimal_project: Project) -> None:
    path = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    before = path.read_text()
    result = run_cli(minimal_project, "new-objective", "--plan", "demo-plan", "--area",
                     "live-well-cancer", "--objective", "Screen more people.",
                     "--target-date", "2025-03", "--by", "test-pmo")
    assert result.returncode == 0, result.stderr
    assert "Added LW-CAN-03 to " in result.stdout
    after = path.read_text()
    assert after.startswith(before)
    assert "  - id: LW-CAN-03\n    objective: Screen more people.\n" in after
    assert "    target_date: 2025-03\n" in after
    assert run_cli(minimal_project, "validate").returncode == 0


def test_new_objective_refuses_an_unknown_area(minimal_project: Project) -> None:
    result = run_cli(minimal_project, "new-objective", "--plan", "demo-plan", "--area", "nowhere",
                     "--objective", "X", "--by", "test-pmo")
    assert result.returncode == 1
    assert "plan demo-plan has no area 'nowhere'" in result.stderr


def test_reminders_list_objectives_without_a_real_update_by_lead(minimal_project: Project) -> None:
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace(
        "    impacts: []\n", "    impacts: []\n    lead: cancer-lead\n"))
    result = run_cli(minimal_project, "reminders", "--quarter", "2023-24 Q1")
    assert result.returncode == 0, result.stderr
    # LW-CAN-01 has a real Q1 update; the others only examples or nothing.
    assert result.stdout.splitlines() == [
        "2 objective(s) have no real update for 2023-24 Q1 (0 show only an example update, 2 none):",
        "",
        "Cancer Lead <cancer.lead@example.invalid>: 1",
        "  LW-CAN-02  Live Well – Cancer",
        "",
        "No lead named: 1",
        "  LW-DEM-01  Live Well – Dementia",
    ]
    q2 = run_cli(minimal_project, "reminders", "--quarter", "2023-24 Q2", "--format", "csv")
    assert sorted(line.split(",")[2] for line in q2.stdout.splitlines()[1:]) == [
        "LW-CAN-01", "LW-CAN-02", "LW-DEM-01"
    ]
    text = run_cli(minimal_project, "reminders", "--quarter", "2023-24 Q2").stdout
    assert text.startswith("3 objective(s) have no real update for 2023-24 Q2 "
                           "(2 show only an example update, 1 none):")
    assert "  LW-DEM-01  Live Well – Dementia  (example update only)" in text


def test_changes_show_movement_against_the_quarter_before(minimal_project: Project) -> None:
    result = run_cli(minimal_project, "changes", "--quarter", "2023-24 Q2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2 update(s) for 2023-24 Q2, against 2023-24 Q1:",
        # A real Q1 green against an example Q2 amber: the movement says it involves an example.
        "  LW-CAN-01              green -> amber (example)  deteriorated (involves an example)",
        "  LW-DEM-01               none -> green (example)  new (involves an example)",
    ]


def test_a_bad_quarter_is_a_usage_error_not_a_traceback(minimal_project: Project) -> None:
    result = run_cli(minimal_project, "changes", "--quarter", "Q7")
    assert result.returncode == 2
    assert "is not a financial quarter" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_json_has_one_record_per_objective(minimal_project: Project) -> None:
    import json

    result = run_cli(minimal_project, "status", "--plan", "demo-plan", "--quarter", "2023-24 Q3")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]
    first = records[0]
    assert set(first) == {"id", "plan", "group", "area", "target_date", "reported_rag",
                          "derived_status", "reasons", "rosier_than_evidence", "movement",
                          "overdue", "reported_is_example", "reported_quarter", "has_real_update",
                          "movement_involves_example", "problem"}
    assert (first["target_date"], first["reported_rag"], first["derived_status"],
            first["overdue"]) == ("2023-06", "not_reported", "overdue", True)
    assert records[1]["target_date"] is None and records[1]["derived_status"] == "no_date"


def test_status_csv_joins_reasons(minimal_project: Project) -> None:
    result = run_cli(minimal_project, "status", "--quarter", "Q3 23/24", "--format", "csv")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("id,plan,group,area,target_date,reported_rag,derived_status")
    assert "No update for 2023-24 Q3; Target date June 2023 has passed" in lines[1]


def test_a_command_that_reads_builds_first_and_says_so_on_stderr(minimal_project: Project) -> None:
    """Functions that read never build: the entry point does, once, and says why."""
    args = ("status", "--quarter", "2023-24 Q3", "--format", "csv")
    first = run_cli(minimal_project, *args)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines() == ["Building the database: there is none yet."]
    assert minimal_project.db_path.is_file()
    again = run_cli(minimal_project, *args)
    assert again.returncode == 0 and again.stderr == "" and again.stdout == first.stdout
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
    area.write_text(area.read_text() + "\n")
    changed = run_cli(minimal_project, "changes", "--quarter", "2023-24 Q3")
    assert changed.returncode == 0, changed.stderr
    assert changed.stderr.splitlines() == [
        "Building the database: the plan, metric or query files (or the tracker) changed since "
        "the last build."]
    assert run_cli(minimal_project, "validate").stderr == ""  # a command that does not read


# --- counts never shrink silently: the output is whole, the problem said, exit 1 ----------------

CANCER = "objectives/sefton-plan-2023-25/live-well-cancer.yaml"  # four objectives
BAD_MONTH = (f"{CANCER}:20: target_date '2024-13' is not a month: write it as YYYY-MM, "
             "for example 2024-03")
SEFTON = ("--plan", "sefton-plan-2023-25", "--quarter", "2024-25 Q1")


def _break(project: Project, old: str, new: str) -> None:
    path = project.root / CANCER
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_status_lists_every_objective_marks_the_bad_one_and_exits_1(shipped_copy: Project) -> None:
    import json

    _break(shipped_copy, "target_date: 2023-06", "target_date: 2024-13")
    build(shipped_copy)  # so that stderr holds only what `status` says (not "Building ...")
    result = run_cli(shipped_copy, "status", *SEFTON)
    assert result.returncode == 1
    records = json.loads(result.stdout)
    assert len(records) == 99
    problems = {r["id"]: r["problem"] for r in records if r["problem"]}
    assert problems == {"LW-CAN-01": BAD_MONTH}
    assert [r["target_date"] for r in records if r["id"] == "LW-CAN-01"] == [None]
    assert result.stderr.splitlines()[0].startswith("PROBLEM: 99 objectives shown, 1 of them")
    assert BAD_MONTH in result.stderr.splitlines()
    assert "Traceback" not in result.stderr


def test_report_counts_all_99_says_the_problem_on_page_1_and_exits_1(
    shipped_copy: Project, tmp_path: Path,
) -> None:
    from tests.unit.report.test_pack import _pdf_text

    _break(shipped_copy, "target_date: 2023-06", "target_date: 2024-13")
    out = tmp_path / "pack.pdf"
    result = run_cli(shipped_copy, "report", *SEFTON, "--out", str(out))
    assert result.returncode == 1
    assert BAD_MONTH in result.stderr.splitlines()
    assert out.is_file()
    page_1 = " ".join(_pdf_text(out.read_bytes(), tmp_path).split("\f")[0].split())
    assert "of 99 objectives" in page_1
    assert "PROBLEMS IN THE PLAN FILES" in page_1
    assert "99 objectives shown, 1 of them with a problem." in page_1
    squeezed = "".join(page_1.split())  # the path may wrap at a line's end
    assert f"LW-CAN-01({BAD_MONTH})".replace(" ", "") in squeezed


def test_reminders_lists_the_objectives_of_a_broken_file_and_exits_1(
    shipped_copy: Project,
) -> None:
    run_cli(shipped_copy, "build")
    _break(shipped_copy, "  target_date: 2023-06", "\ttarget_date: 2023-06")
    result = run_cli(shipped_copy, "reminders", "--quarter", "2024-25 Q1",
                     "--plan", "sefton-plan-2023-25")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"PROBLEM: 4 objectives of {CANCER} are shown as at ")
    assert any(line.startswith("99 objective(s) have no real update for 2024-25 Q1 (") for line in lines)
    [cancer] = [line for line in lines if line.startswith("  LW-CAN-01  Live Well – Cancer")]
    assert cancer.endswith("  (has a problem: see above)")
    assert f"{CANCER}:20: is not valid YAML: found character '\\t' that cannot start any token" \
        in result.stderr.splitlines()


def test_update_of_an_objective_in_a_broken_file_names_the_file_and_line(
    shipped_copy: Project,
) -> None:
    _break(shipped_copy, "  target_date: 2023-06", "\ttarget_date: 2023-06")
    result = run_cli(shipped_copy, "update", "LW-CAN-01", "--quarter", "2024-25 Q1",
                     "--rag", "green", "--commentary", "On track.", "--by", "programme-office")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Not changed: LW-CAN-01 is in {CANCER}, which cannot be read: {CANCER}:20: is not valid "
        "YAML: found character '\\t' that cannot start any token: fix the file first.")


def test_update_of_an_objective_in_a_file_with_a_bad_value_names_the_line(
    shipped_copy: Project,
) -> None:
    _break(shipped_copy, "target_date: 2023-06", "target_date: 2024-13")
    result = run_cli(shipped_copy, "update", "LW-CAN-02", "--quarter", "2024-25 Q1",
                     "--rag", "green", "--commentary", "On track.", "--by", "programme-office")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Not changed: {CANCER}, where LW-CAN-02 is, has a problem to fix first: {BAD_MONTH}.")


@pytest.mark.parametrize("command", [
    ["status", "--quarter", "2023-24 Q2"], ["reminders", "--quarter", "2023-24 Q2"],
    ["changes", "--quarter", "2023-24 Q2"],
    ["report", "--quarter", "2023-24 Q2", "--format", "html"],
])
def test_a_mistyped_plan_id_is_refused_with_the_plans_there_are(
    minimal_project: Project, command: list[str], tmp_path: Path,
) -> None:
    """A user trial found `status --plan sefton` printing [] with exit 0: read as 'nothing to
    report'. A wrong name is a usage mistake: said plainly, no log reference, exit 2."""
    extra = ["--out", str(tmp_path / "x.html")] if command[0] == "report" else []
    result = run_cli(minimal_project, *command, "--plan", "demo", *extra)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: there is no plan 'demo': plans are demo-plan" in result.stderr
    assert "reference" not in result.stderr and result.stdout == ""


def test_rejects_for_a_mistyped_metric_says_there_is_no_such_metric(minimal_project: Project) -> None:
    result = run_cli(minimal_project, "rejects", "--metric", "nope")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error: there is no metric 'nope': metrics are none yet" in result.stderr
