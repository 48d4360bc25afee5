"""An incremental build gives the very tables a cold build of the same files gives.

The shipped plans and data, copied; after each kind of change (a plan edited, a plan file
added and removed, an extract with one value changed, a metric definition changed,
settings and SQL changed) the database the incremental build made is compared, table by
table and row for row, with a cold build (`full=True`) of the same files into another file.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, copy_project
from tracker.db.build import build
from tracker.project import Project, load_project

Change = Callable[[Path], None]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1))


def _area(root: Path) -> Path:
    return sorted((root / "objectives" / "sefton-plan-2023-25").glob("age-well-*.yaml"))[0]


def edit_plan(root: Path) -> None:
    area = _area(root)
    text = area.read_text()
    start = text.index("objective: ") + len("objective: ")
    area.write_text(text[:start] + "Edited, " + text[start:])


def break_plan_file(root: Path) -> None:
    """Not YAML any more: its objectives are shown as at the last build (carried)."""
    area = _area(root)
    area.write_text(area.read_text() + "\n  : [unclosed\n")


def comment_in_plan(root: Path) -> None:
    area = _area(root)
    area.write_text(area.read_text() + "\n# a comment at the end\n")


def add_plan_file(root: Path) -> None:
    (root / "objectives" / "send-jcp-2023-26" / "stray-notes.yaml").write_text("objectives: []\n")


def remove_plan_file(root: Path) -> None:
    _area(root).unlink()


def replace_extract(root: Path) -> None:
    _replace(root / "data" / "extracts" / "nhse_ae_attendances.csv",
             "2017-03-01,RF4,1,21289,2879", "2017-03-01,RF4,1,21290,2879")


def change_metric(root: Path) -> None:
    _replace(root / "data" / "metrics" / "nhse-ae.yaml", "tolerance: 5", "tolerance: 4")


def comment_in_metrics(root: Path) -> None:
    path = root / "data" / "metrics" / "nhse-ae.yaml"
    path.write_text("# a comment at the top\n" + path.read_text())


def change_settings(root: Path) -> None:
    (root / "settings.yaml").write_text("at_risk_window_months: 4\n")


def change_sql(root: Path) -> None:
    path = root / "queries" / "db" / "create_tables.sql"
    path.write_text(path.read_text() + "\n-- edited\n")


CHANGES: dict[str, tuple[Change, str]] = {  # the change, and the kind of build it needs
    "plan edited": (edit_plan, "incremental"),
    "comment added to a plan": (comment_in_plan, "incremental"),
    "plan file added": (add_plan_file, "incremental"),
    "plan file removed": (remove_plan_file, "incremental"),
    "plan file cannot be read": (break_plan_file, "incremental"),
    "extract replaced": (replace_extract, "incremental"),
    "metric definition changed": (change_metric, "incremental"),
    "comment added to a metric file": (comment_in_metrics, "incremental"),
    "settings changed": (change_settings, "cold"),
    "SQL changed": (change_sql, "cold"),
}


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, ordered by all their columns (the build's time left out)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [row[0] for row in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "order by table_name").fetchall()]
        tables = {}
        for name in names:
            columns = [row[0] for row in con.execute(
                "select column_name from duckdb_columns() where database_name = current_database() "
                "and table_name = $t and column_name != 'built_at' order by column_index",
                {"t": name}).fetchall()]
            listed = ", ".join(f'"{c}"' for c in columns)
            tables[name] = con.execute(
                f"select {listed} from {name} order by all").fetchall()
        return tables
    finally:
        con.close()


def _cold(root: Path, last: Path, label: str) -> Path:
    """A cold build of the files as they are, beside the same last build (`last`, a copy):
    objectives of a file that cannot be read are carried from it, as the incremental did."""
    db = last.with_name(f"cold-{label.replace(' ', '-')}.duckdb")
    shutil.copyfile(last, db)
    assert build(load_project(root, db), full=True).how == "cold"
    return db


def _keep(project: Project, tmp_path: Path) -> Path:
    """A copy of the database as it is, to start a cold build beside."""
    return Path(shutil.copyfile(project.db_path, tmp_path / "last.duckdb"))


def _assert_same(incremental: Path, cold: Path, label: str) -> None:
    ours, theirs = _tables(incremental), _tables(cold)
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], f"after '{label}', table {name} differs from a cold build"


@pytest.fixture
def shipped(tmp_path: Path) -> Project:
    project = load_project(copy_project(REPO, tmp_path / "shipped"))
    assert build(project).how == "cold"
    return project


@pytest.mark.parametrize("label", list(CHANGES))
def test_an_incremental_build_equals_a_cold_build_after_each_kind_of_change(
    shipped: Project, tmp_path: Path, label: str
) -> None:
    change, how = CHANGES[label]
    last = _keep(shipped, tmp_path)
    change(shipped.root)
    project = load_project(shipped.root)  # settings are read when the project is loaded
    assert build(project).how == how
    _assert_same(project.db_path, _cold(project.root, last, label), label)


@pytest.mark.parametrize(("label", "said"), [
    ("plan edited", None), ("comment added to a plan", None),
    ("extract replaced", "judging again 1 extract(s): extracts/nhse_ae_attendances.csv"),
    ("comment added to a metric file", "judging again 0 extract(s)"),
])
def test_only_the_changed_plan_and_extract_are_made_again(
    shipped: Project, caplog: pytest.LogCaptureFixture, label: str, said: str | None
) -> None:
    CHANGES[label][0](shipped.root)
    with caplog.at_level(logging.INFO, logger="tracker.db"):
        assert build(shipped).how == "incremental"
    assert "reading every plan again" not in caplog.text
    if said is not None:
        assert said in caplog.text


def test_every_change_in_turn_still_equals_a_cold_build(shipped: Project, tmp_path: Path) -> None:
    """Incremental builds one on another: what one carried, the next carries on correctly."""
    for label, (change, _) in CHANGES.items():
        if label in ("settings changed", "SQL changed"):
            continue
        last = _keep(shipped, tmp_path)
        change(shipped.root)
        build(load_project(shipped.root))
        _assert_same(shipped.db_path, _cold(shipped.root, last, label), label)


def test_a_build_with_nothing_changed_writes_nothing(shipped: Project) -> None:
    before = shipped.db_path.stat()
    listing = sorted(p.name for p in shipped.data_dir.iterdir())
    result = build(shipped)
    after = shipped.db_path.stat()
    assert result.how == "up to date"
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (
        before.st_ino, before.st_mtime_ns, before.st_size)
    assert sorted(p.name for p in shipped.data_dir.iterdir()) == listing
    assert result.counts["objectives"] > 0


def test_full_builds_everything_even_when_nothing_changed(shipped: Project) -> None:
    before = shipped.db_path.stat().st_ino
    assert build(shipped, full=True).how == "cold"
    assert shipped.db_path.stat().st_ino != before


def test_the_database_records_a_fingerprint_for_each_input(shipped: Project) -> None:
    con = duckdb.connect(str(shipped.db_path), read_only=True)
    try:
        kinds = dict(con.execute("select kind, count(*) from build_inputs group by kind").fetchall())
        paths = {row[0] for row in con.execute("select path from build_inputs").fetchall()}
    finally:
        con.close()
    assert {"tracker", "sql", "plan", "plans_shared", "metric", "extract",
            "metric_definition"} <= kinds.keys()
    assert "data/extracts/nhse_ae_attendances.csv" in paths
    assert "ae-type1-4hr-performance" in paths  # a metric definition, by its id


def test_reading_whether_it_is_current_does_not_open_a_database_its_build_vouched_for(
    shipped: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.db import sources

    sources._CHECKED.clear()

    def no_opening(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the database was opened")

    monkeypatch.setattr(sources, "_read_and_check", no_opening)
    assert not sources.is_stale(shipped)
    os.utime(shipped.db_path)  # changed since its build: now it is read and checked
    with pytest.raises(AssertionError, match="opened"):
        sources.is_stale(shipped)


def test_a_reader_holding_an_old_file_open_does_not_mislead_the_next_builds(
    shipped: Project, tmp_path: Path
) -> None:
    """DuckDB hands a process the file it holds open under that name, even after a swap: an
    edit made and then undone must still be undone in the database."""
    area = _area(shipped.root)
    original = area.read_text()
    reader = duckdb.connect(str(shipped.db_path), read_only=True)
    try:
        last = _keep(shipped, tmp_path)
        edit_plan(shipped.root)
        assert build(shipped).how == "incremental"
        area.write_text(original)
        assert build(shipped).how == "incremental"
    finally:
        reader.close()
    _assert_same(shipped.db_path, _cold(shipped.root, last, "edit undone"), "edit undone")
