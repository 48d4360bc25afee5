"""A disk that fills during a build: a plain message, and the last good database untouched.

The kernel refuses writes past RLIMIT_FSIZE exactly as it refuses them on a full disk
(the write fails with an OS error), so a real build process meets a real failure
without needing a tiny file system. (The dashboard's side, with the same failure, is
in tests/app/test_dashboard_hostile.py.)
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from tracker.db.build import build
from tracker.db.sources import is_stale
from tracker.project import Project

REPO = Path(__file__).resolve().parents[3]
LIMIT = 256 * 1024  # bytes any one file may grow to in the build process


def _small_files_only() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def test_a_build_that_runs_out_of_space_says_so_and_keeps_the_last_good_file(
    minimal_project: Project,
) -> None:
    build(minimal_project)
    before = minimal_project.db_path.read_bytes()
    assert len(before) > LIMIT  # so the new file cannot be written whole
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace("Roll out lung health checks.", "Roll out TLHC."))
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--root", str(minimal_project.root), "build"],
        capture_output=True, text=True, timeout=120, preexec_fn=_small_files_only,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1",
             "HOME": os.environ.get("HOME", "/tmp")},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and "TRACKER_DEBUG=1" in result.stderr, result.stderr
    assert minimal_project.db_path.read_bytes() == before
    left = sorted(p.name for p in minimal_project.data_dir.iterdir())
    # No half-written file; the failure is recorded for the dashboard's banner (the note
    # beside the database is the last good build's: `tracker.db.sources.vouch_for`).
    assert left == ["tracker.duckdb", "tracker.duckdb.built.json", "tracker.duckdb.failure.json",
                    "tracker.duckdb.lock"]
    assert is_stale(minimal_project)  # and the next build, with room, brings it up to date
    build(minimal_project)
    assert not is_stale(minimal_project)
    assert not (minimal_project.data_dir / "tracker.duckdb.failure.json").exists()
