"""Building the database: tables a reader understands, swapped in atomically."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import tracker
import tracker.db.build
from tests.conftest import REPO, build_lock_held_elsewhere, db_rows
from tracker.db.build import build
from tracker.db.failures import last_failure
from tracker.db.queries import read_query
from tracker.db.serving import ensure_built, serve_current
from tracker.db.sources import is_stale, source_signature, tracker_fingerprint
from tracker.project import Project, load_project
from tracker.status.objectives import objective_status
from tracker.status.quarters import parse_quarter


def _rows(project: Project, sql: str) -> list[tuple]:
    return db_rows(project, sql)


def test_build_writes_every_table(minimal_project: Project) -> None:
    result = build(minimal_project)
    assert result.problems == []
    assert _rows(minimal_project, "select objective_id, target_month from objectives order by 1") == [
        ("LW-CAN-01", dt.date(2023, 6, 1)),
        ("LW-CAN-02", None),
        ("LW-DEM-01", dt.date(2023, 9, 1)),
    ]
    assert _rows(minimal_project, "select impact from impacts where objective_id = 'LW-CAN-01'") == [
        ("Earlier diagnosis.",)
    ]
    assert _rows(minimal_project, "select value, unit, due_month from targets") == [
        (75.0, "percent", dt.date(2024, 3, 1))
    ]
    assert _rows(minimal_project, "select due, due_month from milestones") == [
        ("2023-06", dt.date(2023, 6, 1))
    ]


def test_real_update_replaces_the_example_for_its_quarter(minimal_project: Project) -> None:
    build(minimal_project)
    rows = _rows(
        minimal_project,
        "select objective_id, quarter, rag, is_example, quarter_end from updates order by 1, 2",
    )
    assert rows == [
        ("LW-CAN-01", "2023-24 Q1", "green", False, dt.date(2023, 6, 30)),
        ("LW-CAN-01", "2023-24 Q2", "amber", True, dt.date(2023, 9, 30)),
        ("LW-DEM-01", "2023-24 Q2", "green", True, dt.date(2023, 9, 30)),
    ]


def test_example_data_setting_leaves_examples_out(minimal_project: Project) -> None:
    minimal_project.settings_path.write_text("example_data: false\n")
    project = load_project(minimal_project.root)
    build(project)
    assert _rows(project, "select count(*), bool_or(is_example) from updates") == [(1, False)]
    assert _rows(project, "select example_data from build_info") == [(False,)]


def test_build_swaps_in_a_new_file_and_leaves_no_temporary_files(minimal_project: Project) -> None:
    build(minimal_project)
    first = os.stat(minimal_project.db_path).st_ino
    build(minimal_project, full=True)  # with nothing changed, a build without `full` writes nothing
    assert os.stat(minimal_project.db_path).st_ino != first
    leftovers = [p.name for p in minimal_project.db_path.parent.iterdir()
                 if p.name.endswith((".tmp", ".wal"))]
    assert leftovers == []


def test_a_reader_keeps_its_snapshot_while_a_build_swaps(minimal_project: Project) -> None:
    build(minimal_project)
    reader = duckdb.connect(str(minimal_project.db_path), read_only=True)
    try:
        area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
        area.write_text(area.read_text().replace("rag: green", "rag: red"))
        build(minimal_project)
        assert reader.execute("select count(*) from objectives").fetchall() == [(3,)]
    finally:
        reader.close()
    rag = read_query(minimal_project, "plans/objectives_table", as_at=dt.date(2023, 6, 30))
    assert rag.set_index("objective_id").loc["LW-CAN-01", "latest_rag"] == "red"


def test_problems_are_built_into_the_database(minimal_project: Project) -> None:
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
    area.write_text("objectives: [\n")
    result = build(minimal_project)
    assert result.problems
    assert _rows(minimal_project, "select count(*) from objectives") == [(2,)]
    assert _rows(minimal_project, "select path from problems") == [
        ("objectives/demo-plan/live-well-dementia.yaml",)
    ]


def test_stale_until_built_and_again_after_an_edit(minimal_project: Project) -> None:
    assert is_stale(minimal_project)
    assert ensure_built(minimal_project) is not None
    assert not is_stale(minimal_project)
    assert ensure_built(minimal_project) is None
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
    area.write_text(area.read_text() + "\n")
    assert is_stale(minimal_project)


def test_objectives_table_as_at_uses_only_updates_by_then(minimal_project: Project) -> None:
    build(minimal_project)
    q1 = read_query(minimal_project, "plans/objectives_table", as_at=dt.date(2023, 6, 30))
    q2 = read_query(minimal_project, "plans/objectives_table", as_at=dt.date(2023, 9, 30))
    assert q1.set_index("objective_id")["latest_rag"].to_dict() == {
        "LW-CAN-01": "green", "LW-CAN-02": "not_reported", "LW-DEM-01": "not_reported",
    }
    assert q2.set_index("objective_id")["latest_rag"].to_dict() == {
        "LW-CAN-01": "amber", "LW-CAN-02": "not_reported", "LW-DEM-01": "green",
    }


@pytest.mark.parametrize("query", [
    "plans/plans.sql", "metrics/extracts/parse_period.sql", "db/create_tables.sql"])
def test_editing_any_query_makes_the_next_read_rebuild(minimal_project: Project, query: str) -> None:
    """A changed rule in any SQL file (a page's query, the extracts' rules, the build's own)
    must not leave the dashboard showing results of the old one."""
    assert ensure_built(minimal_project) is not None
    path = minimal_project.queries_dir / query
    path.write_text(path.read_text() + "\n-- edited\n")
    assert is_stale(minimal_project)
    assert ensure_built(minimal_project) is not None
    assert ensure_built(minimal_project) is None


def test_a_new_tracker_version_makes_the_next_read_rebuild(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ensure_built(minimal_project) is not None
    monkeypatch.setattr(tracker, "__version__", "99.0.0")
    tracker_fingerprint.cache_clear()
    try:
        assert is_stale(minimal_project)
        assert ensure_built(minimal_project) is not None
    finally:
        tracker_fingerprint.cache_clear()


def test_the_tracker_version_is_the_package_version() -> None:
    pyproject = (Path(__file__).resolve().parents[3] / "pyproject.toml").read_text()
    assert f'version = "{tracker.__version__}"' in pyproject


# --- counts never shrink silently ------------------------------------------------------------

CANCER = "objectives/sefton-plan-2023-25/live-well-cancer.yaml"  # four objectives


def _break(project: Project, old: str, new: str) -> None:
    path = project.root / CANCER
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _sefton_objectives(project: Project) -> int:
    return _rows(project, "select count(*) from objectives "
                          "where plan_id = 'sefton-plan-2023-25'")[0][0]


def test_a_bad_value_keeps_its_objective_marked_with_the_problem(shipped_copy: Project) -> None:
    _break(shipped_copy, "target_date: 2023-06", "target_date: 2024-13")
    result = build(shipped_copy)
    assert [str(p) for p in result.problems] == [
        f"{CANCER}:20: target_date '2024-13' is not a month: write it as YYYY-MM, for example 2024-03"]
    assert _sefton_objectives(shipped_copy) == 99
    assert _rows(shipped_copy, "select objective_id, target_month, problem from objectives "
                               "where problem is not null") == [
        ("LW-CAN-01", None, f"{CANCER}:20: target_date '2024-13' is not a month: write it as "
                            "YYYY-MM, for example 2024-03")]
    assert _rows(shipped_copy, "select count(*) from unread_files") == [(0,)]


@pytest.mark.parametrize("fork", [True, False], ids=["plans-read-in-a-child", "in-process"])
def test_an_unreadable_file_keeps_its_objectives_from_the_last_good_build(
    shipped_copy: Project, fork: bool, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tracker.db.forking

    monkeypatch.setattr(tracker.db.forking, "may_fork", lambda: fork)  # the dashboard does not fork
    build(shipped_copy)
    reader = duckdb.connect(str(shipped_copy.db_path), read_only=True)  # a session keeps it open
    before = _rows(shipped_copy, "select objective_id, position, objective, target_month "
                                 "from objectives where area_id = 'live-well-cancer' order by 1")
    updates = _rows(shipped_copy, "select count(*) from updates where objective_id like 'LW-CAN-%'")
    [(built_at,)] = _rows(shipped_copy, "select built_at from build_info")
    _break(shipped_copy, "  target_date: 2023-06", "\ttarget_date: 2023-06")
    result = build(shipped_copy)
    reader.close()  # (it would go on reading the old file, as a reader does during a swap)
    assert [str(p) for p in result.problems] == [
        f"{CANCER}:20: is not valid YAML: found character '\\t' that cannot start any token"]
    assert result.counts["objectives_carried"] == 4
    assert _sefton_objectives(shipped_copy) == 99
    assert _rows(shipped_copy, "select objective_id, position, objective, target_month "
                               "from objectives where area_id = 'live-well-cancer' "
                               "order by 1") == before  # in their place in the plan
    assert _rows(shipped_copy, "select count(*) from updates "
                               "where objective_id like 'LW-CAN-%'") == updates
    marks = _rows(shipped_copy, "select distinct problem, shown_as_at from objectives "
                                "where area_id = 'live-well-cancer'")
    assert marks == [(f"shown as at {built_at:%-d %B %Y}: the file now has a problem: {CANCER}:20: "
                      "is not valid YAML: found character '\\t' that cannot start any token",
                      built_at)]
    assert _rows(shipped_copy, "select path, line, objectives, shown_as_at from unread_files") == [
        (CANCER, 20, 4, built_at)]
    build(shipped_copy)  # still broken: still shown as at the last good build, not this one
    assert _rows(shipped_copy, "select distinct shown_as_at from objectives "
                               "where area_id = 'live-well-cancer'") == [(built_at,)]


def test_an_unreadable_file_with_no_earlier_build_is_counted_as_unread(
    shipped_copy: Project,
) -> None:
    _break(shipped_copy, "  target_date: 2023-06", "\ttarget_date: 2023-06")
    result = build(shipped_copy)
    assert result.counts["objectives_carried"] == 0
    assert _sefton_objectives(shipped_copy) == 95
    assert _rows(shipped_copy, "select path, line, objectives, shown_as_at from unread_files") == [
        (CANCER, 20, 0, None)]


def test_an_unreadable_plan_yaml_keeps_its_whole_plan_from_the_last_good_build(
    minimal_project: Project,
) -> None:
    build(minimal_project)
    plan = minimal_project.objectives_dir / "demo-plan" / "plan.yaml"
    plan.write_text(plan.read_text() + "\tbroken: [\n")
    result = build(minimal_project)
    assert result.counts["objectives_carried"] == 3
    assert _rows(minimal_project, "select plan_id from plans") == [("demo-plan",)]
    assert _rows(minimal_project, "select count(*) from areas") == [(2,)]
    assert _rows(minimal_project, "select objective_id from objectives "
                                  "where problem like 'shown as at %' order by position") == [
        ("LW-CAN-01",), ("LW-CAN-02",), ("LW-DEM-01",)]
    [(path, objectives)] = _rows(minimal_project, "select path, objectives from unread_files")
    assert (path, objectives) == ("objectives/demo-plan/plan.yaml", 3)


# --- a database that fails its check, a failed build, a build elsewhere --------------------


def test_a_database_cut_short_or_corrupt_mid_file_is_out_of_date_and_rebuilt(
    minimal_project: Project,
) -> None:
    build(minimal_project)
    good = minimal_project.db_path.read_bytes()
    third = len(good) // 3
    for damaged in (good[: len(good) // 2], good[:third] + b"\0" * third + good[2 * third:]):
        minimal_project.db_path.write_bytes(damaged)
        assert is_stale(minimal_project)
        assert ensure_built(minimal_project) is not None
        assert not is_stale(minimal_project)
        assert _rows(minimal_project, "select count(*) from objectives") == [(3,)]


def _edit(project: Project, old: str, new: str) -> None:
    area = project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace(old, new))


def test_a_failed_build_keeps_the_last_good_database_and_is_recorded_until_a_build_succeeds(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(minimal_project)
    good = minimal_project.db_path.read_bytes()
    attempts = []

    def crash(*_args: object) -> None:
        attempts.append(1)
        raise ValueError("year 0 is out of range")

    monkeypatch.setattr(tracker.db.build, "load_extracts", crash)
    monkeypatch.setattr(tracker.db.build, "update_copy", crash)  # and an incremental build
    _edit(minimal_project, "Roll out lung health checks.", "Roll out TLHC.")
    signature = source_signature(minimal_project)
    serving = serve_current(minimal_project)
    assert serving.available and serving.built is None and not serving.updating
    failure = serving.failure
    assert failure is not None and failure.message == "ValueError: year 0 is out of range"
    assert failure.changed == ["objectives/demo-plan/live-well-cancer.yaml"]
    assert re.fullmatch(r"[0-9A-F]{8}", failure.reference)
    assert minimal_project.db_path.read_bytes() == good
    # The record beside the database is not a source: it does not make the database stale.
    assert (minimal_project.data_dir / "tracker.duckdb.failure.json").is_file()
    assert source_signature(minimal_project) == signature
    # The same sources are not rebuilt on every page view; "since" stays the first failure.
    assert serve_current(minimal_project).failure == failure and len(attempts) == 1
    _edit(minimal_project, "Roll out TLHC.", "Roll out TLHC now.")
    again = serve_current(minimal_project).failure
    assert again is not None and len(attempts) == 2 and again.since == failure.since
    monkeypatch.undo()
    _edit(minimal_project, "Roll out TLHC now.", "Roll out TLHC.")
    assert serve_current(minimal_project).built is not None
    assert last_failure(minimal_project) is None
    assert not (minimal_project.data_dir / "tracker.duckdb.failure.json").exists()




def test_a_reader_does_not_wait_while_another_process_builds(minimal_project: Project) -> None:
    build(minimal_project)
    with build_lock_held_elsewhere(minimal_project):
        _edit(minimal_project, "Roll out lung health checks.", "Roll out TLHC.")
        start = time.monotonic()
        serving = serve_current(minimal_project)
        assert time.monotonic() - start < 5
        assert serving.available and serving.updating and serving.built is None
        # what the pages' calls into the core do meanwhile: read the database as it is
        assert len(objective_status(minimal_project, parse_quarter("2023-24 Q2"))) == 3
        assert time.monotonic() - start < 10
    assert serve_current(minimal_project).built is not None  # the lock is free: built now


# --- a build killed with kill -9 -----------------------------------------------------------

KILLED_BUILD = """
import os, pathlib, sys, time
import tracker.db.build as b
import tracker.db.forking as f
from tracker.project import load_project
marker, how = pathlib.Path(sys.argv[2]), sys.argv[3]

def slow_plans(project):  # in the forked child
    if how == "sending":  # a big answer the parent never reads: the child blocks on the pipe
        return b"x" * 20_000_000
    time.sleep(120)

def slow_extracts(con, project, metrics):  # in the parent, with the new file open
    marker.write_text(str(os.getpid()))
    time.sleep(120)

f.plan_tables, b.load_extracts = slow_plans, slow_extracts
if how == "sending":  # no help from Linux: the child must notice by itself
    f._die_with_parent = lambda parent: None
b.build(load_project(pathlib.Path(sys.argv[1])), full=True)  # a cold build: it reads the plans
"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("how", ["reading", "sending"])
def test_a_killed_build_leaves_no_process_and_the_next_build_removes_its_files(
    minimal_project: Project, tmp_path: Path, how: str
) -> None:
    build(minimal_project)
    marker = tmp_path / "writing"
    builder = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(minimal_project.root), str(marker), how],
        env={**os.environ, "PYTHONPATH": str(REPO), "TRACKER_LOG_FILE": "off"})
    children: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not (marker.exists() and _children(builder.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        children = _children(builder.pid)
        assert marker.exists() and children, "the build did not reach the point of writing"
        time.sleep(1)  # the child is now reading, or blocked sending
        os.kill(builder.pid, signal.SIGKILL)
        builder.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_running(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_running(c) for c in children), "the plan-reading child outlived its parent"
    finally:
        builder.kill()
        for child in children:
            if _running(child):
                os.kill(child, signal.SIGKILL)  # only when the test has failed
    left = [p.name for p in minimal_project.data_dir.iterdir() if p.name.endswith((".tmp", ".tmp.wal"))]
    assert left and all(name.startswith(f".tracker.duckdb.{builder.pid}.") for name in left)
    build(minimal_project)
    assert [p.name for p in minimal_project.data_dir.iterdir()
            if p.name.endswith((".tmp", ".tmp.wal"))] == []
    assert not is_stale(minimal_project)


def test_a_lock_that_cannot_be_made_keeps_the_last_good_database_with_the_failure(
    minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only mount: not even the lock file can be opened. The reader neither waits nor fails."""
    import errno

    import filelock

    build(minimal_project)
    _edit(minimal_project, "Roll out lung health checks.", "Roll out TLHC.")

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(filelock.FileLock, "acquire", read_only)
    serving = serve_current(minimal_project)
    assert serving.available and serving.built is None and not serving.updating
    assert serving.failure is not None and "Read-only file system" in serving.failure.message
    assert _rows(minimal_project, "select count(*) from objectives where objective like 'Roll out lung%'") \
        == [(1,)]


# --- reading never builds -------------------------------------------------------------------


def test_a_function_that_reads_an_unbuilt_project_says_to_build_and_writes_nothing(
    minimal_project: Project,
) -> None:
    from tracker.db.serving import DatabaseMissing
    from tracker.report.pack import build_report_data
    from tracker.status.workflow import changes, reminders

    before = sorted(minimal_project.root.rglob("*"))
    quarter = parse_quarter("2023-24 Q2")
    for read in (lambda: objective_status(minimal_project, quarter),
                 lambda: reminders(minimal_project, quarter),
                 lambda: changes(minimal_project, quarter),
                 lambda: build_report_data(minimal_project, "demo-plan", quarter)):
        with pytest.raises(DatabaseMissing, match=r"run `python -m tracker build`"):
            read()
    assert not minimal_project.db_path.exists()
    assert sorted(minimal_project.root.rglob("*")) == before  # no database, lock or record


def test_a_function_that_reads_shows_the_database_as_it_is_not_rebuilt(
    minimal_project: Project,
) -> None:
    build(minimal_project)
    built = minimal_project.db_path.stat().st_mtime_ns
    _edit(minimal_project, "Roll out lung health checks.", "Roll out TLHC.")
    objective_status(minimal_project, parse_quarter("2023-24 Q2"))
    assert minimal_project.db_path.stat().st_mtime_ns == built
    assert is_stale(minimal_project)


def test_ensure_built_says_why_just_before_a_build_it_starts(minimal_project: Project) -> None:
    said: list[str] = []
    assert ensure_built(minimal_project, announce=said.append) is not None
    assert ensure_built(minimal_project, announce=said.append) is None
    _edit(minimal_project, "Roll out lung health checks.", "Roll out TLHC.")
    assert ensure_built(minimal_project, announce=said.append) is not None
    minimal_project.db_path.write_bytes(b"not a database" * 100)
    assert ensure_built(minimal_project, announce=said.append) is not None
    assert said == ["there is none yet",
                    "the plan, metric or query files (or the tracker) changed since the last build",
                    "the one there cannot be read"]
