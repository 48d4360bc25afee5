"""Concurrent use with real processes: builds racing each other, readers and the dashboard reading.

`test_concurrent_build.py` has one process rebuilding unchanged sources while the
dashboard reruns. Here several `python -m tracker build` processes start at once, a plan
file changes while they queue, and more start; separate reader processes open the file
read-only the way `ui/data.py` does, in a loop, and the dashboard reruns throughout.
Nobody may see an error or a half-built database, and the last build must win.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import dashboard, db_rows
from tracker.db.build import build
from tracker.db.sources import is_stale
from tracker.project import Project

REPO = Path(__file__).resolve().parents[2]
ENV = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")}
READER = """
import json, sys, pathlib
from tracker.db.queries import connect_read_only
db, stop, tables = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), set(json.loads(sys.argv[3]))
reads, seen = 0, set()
while not stop.exists() or reads < 5:
    con = connect_read_only(db)
    try:
        found = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        assert found == tables, f"tables {sorted(tables ^ found)} missing or extra"
        assert con.execute("select count(*) from build_info").fetchall() == [(1,)], "no build_info"
        ids = sorted(r[0] for r in con.execute("select objective_id from objectives").fetchall())
        areas = con.execute("select count(*) from objectives join areas using (plan_id, area_id)").fetchall()
    finally:
        con.close()
    assert ids in (["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"],
                   ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01", "LW-DEM-02"]), ids
    assert areas == [(len(ids),)], "objectives without their area"
    reads += 1
    seen.add(len(ids))
print(json.dumps({"reads": reads, "seen": sorted(seen)}))
"""
NEW_OBJECTIVE = ("  - id: LW-DEM-02\n    objective: Open memory cafes.\n    impacts: []\n"
                 "    timeframe: March 2024\n    target_date: 2024-03\n")


def _build(project: Project) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tracker", "--root", str(project.root), "build"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


def test_racing_builds_leave_the_last_one_and_readers_never_see_a_half_built_file(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    build(minimal_project)
    tables = [r[0] for r in db_rows(minimal_project, "select table_name from duckdb_tables()")]
    stop = tmp_path / "stop"
    readers = [subprocess.Popen(
        [sys.executable, "-c", READER, str(minimal_project.db_path), str(stop), json.dumps(tables)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV) for _ in range(2)]
    at = dashboard(minimal_project, monkeypatch)
    at.run()
    at.switch_page("ui/pages/objectives.py")
    try:
        builders = [_build(minimal_project) for _ in range(3)]
        time.sleep(0.5)
        area = minimal_project.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
        area.write_text(area.read_text() + NEW_OBJECTIVE)
        builders += [_build(minimal_project) for _ in range(2)]
        reruns = 0
        while any(b.poll() is None for b in builders) or reruns < 3:
            at.run()
            assert not at.exception, at.exception
            assert not at.error, [e.value for e in at.error]
            assert len(at.dataframe[0].value) in (3, 4)
            reruns += 1
    finally:
        stop.touch()
        outcomes = [b.communicate(timeout=120) for b in builders]
        reads = [r.communicate(timeout=120) for r in readers]
    for builder, (_, err) in zip(builders, outcomes, strict=True):
        assert builder.returncode == 0, err
        assert "Traceback" not in err
    for reader, (out, err) in zip(readers, reads, strict=True):
        assert reader.returncode == 0, err
        assert json.loads(out)["reads"] >= 5
    # The last writer built from the changed file: one valid, current database, no leftovers.
    assert not is_stale(minimal_project)
    assert db_rows(minimal_project, "select count(*) from objectives") == [(4,)]
    leftovers = [p.name for p in minimal_project.data_dir.iterdir() if p.name != "tracker.duckdb"
                 and not p.name.endswith((".lock", ".built.json"))]  # the build's note stays
    assert leftovers == []
    assert list(at.run().dataframe[0].value["ID"]) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01", "LW-DEM-02"]
