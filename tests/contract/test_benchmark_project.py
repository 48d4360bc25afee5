"""The benchmarks time a synthetic project (benchmarks/synthetic.py): it must be one the tracker
builds without a problem, or the figures time error handling instead of the work.

For most of session 6 the synthetic metrics named their files at a path the build did not read:
every extract "could not be loaded" and the benchmark printed fast, meaningless figures. This runs
the small (Sefton) scale through `validate` and a cold `build` as the benchmark does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.synthetic import SCALES, write_project

REPO = Path(__file__).resolve().parents[2]


def _tracker(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker", *args], cwd=REPO, capture_output=True,
                          text=True, env={**os.environ, "TRACKER_ROOT": str(root)}, timeout=300)


def test_the_synthetic_project_validates_and_builds_with_every_extract_loaded(tmp_path: Path) -> None:
    root = tmp_path / "synthetic"
    extracts = write_project(SCALES["sefton"], root)
    checked = _tracker(root, "validate")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no problems" in checked.stdout
    built = _tracker(root, "build", "--full")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "could not be loaded" not in built.stdout + built.stderr
    for path in extracts:  # each extract's report line says what it loaded
        shown = f"data/extracts/{path.name} "
        loaded = [line for line in built.stdout.splitlines() if line.startswith(shown)]
        assert loaded and all(" loaded 0 " not in line for line in loaded), built.stdout
