"""Building the database: tables a reader understands, swapped in atomically."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest

import tracker
from tests.conftest import db_rows
from tracker.build import build, ensure_built, is_stale, tracker_fingerprint
from tracker.project import Project, load_project
from tracker.queries import read_query


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
    build(minimal_project)
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
    rag = read_query(minimal_project, "objectives_table", as_at=dt.date(2023, 6, 30))
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
    q1 = read_query(minimal_project, "objectives_table", as_at=dt.date(2023, 6, 30))
    q2 = read_query(minimal_project, "objectives_table", as_at=dt.date(2023, 9, 30))
    assert q1.set_index("objective_id")["latest_rag"].to_dict() == {
        "LW-CAN-01": "green", "LW-CAN-02": "not_reported", "LW-DEM-01": "not_reported",
    }
    assert q2.set_index("objective_id")["latest_rag"].to_dict() == {
        "LW-CAN-01": "amber", "LW-CAN-02": "not_reported", "LW-DEM-01": "green",
    }


@pytest.mark.parametrize("query", ["plans.sql", "extracts/parse_period.sql", "build/create_tables.sql"])
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
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
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
    import tracker.build

    monkeypatch.setattr(tracker.build, "may_fork", lambda: fork)  # the dashboard does not fork
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
