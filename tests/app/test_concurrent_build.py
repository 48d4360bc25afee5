"""A rebuild while the dashboard reads never shows an error or a half-built database."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tracker.db.build import build
from tracker.project import Project

REPO = Path(__file__).resolve().parents[2]
BUILD_LOOP = """
import sys, time
from tracker.db.build import build
from tracker.project import load_project
project = load_project(__import__('pathlib').Path(sys.argv[1]))
deadline = time.monotonic() + float(sys.argv[2])
n = 0
while time.monotonic() < deadline:
    build(project)
    n += 1
print(n)
"""


def test_dashboard_reruns_stay_whole_while_another_process_rebuilds(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(minimal_project)
    monkeypatch.setenv("TRACKER_ROOT", str(minimal_project.root))
    monkeypatch.chdir(REPO)
    builder = subprocess.Popen(
        [sys.executable, "-c", BUILD_LOOP, str(minimal_project.root), "8"],
        stdout=subprocess.PIPE, text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    try:
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
        at.run()
        at.switch_page("ui/pages/objectives.py")
        runs = 0
        start = time.monotonic()
        while time.monotonic() - start < 6:
            at.run()
            assert not at.exception, at.exception
            assert not at.error, [e.value for e in at.error]
            assert list(at.dataframe[0].value["ID"]) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]
            runs += 1
    finally:
        out, _ = builder.communicate(timeout=60)
    assert builder.returncode == 0
    assert int(out.strip()) >= 5, "the builder should have swapped the file several times"
    assert runs >= 5
