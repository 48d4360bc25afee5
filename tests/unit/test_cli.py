"""The command line as a lead uses it: plain messages and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
        "OK: 1 plans, 3 objectives, 4 files checked, no problems."
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
