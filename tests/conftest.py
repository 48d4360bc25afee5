"""Shared fixtures: copies of projects to change freely, and the shipped project."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tracker.project import Project, load_project

REPO = Path(__file__).resolve().parent.parent
TESTDATA = Path(__file__).resolve().parent / "testdata"


def copy_project(source: Path, target: Path) -> Path:
    """Copy a project's sources (not its built database) to `target`."""
    for name in ("objectives", "data", "queries"):
        if (source / name).is_dir():
            shutil.copytree(
                source / name, target / name,
                ignore=shutil.ignore_patterns("*.duckdb", "*.duckdb.wal", "*.lock", "*.tmp"),
            )
    if not (target / "queries").exists():
        shutil.copytree(REPO / "queries", target / "queries")
    for name in ("settings.yaml",):
        if (source / name).is_file():
            shutil.copy2(source / name, target / name)
    return target


@pytest.fixture
def minimal_project(tmp_path: Path) -> Project:
    """A two-area plan with real and example updates, in a scratch folder."""
    return load_project(copy_project(TESTDATA / "minimal", tmp_path / "minimal"))


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Project:
    """A scratch copy of the shipped plans and data, safe to edit."""
    return load_project(copy_project(REPO, tmp_path / "shipped"))


def give_leads(project: Project) -> Project:
    """The minimal project's LW-CAN-01 led by cancer-lead and LW-DEM-01 by dementia-lead (people
    in its people.yaml); LW-CAN-02 has no lead."""
    cancer = project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    cancer.write_text(cancer.read_text().replace(
        "    timeframe: June 2023\n", "    timeframe: June 2023\n    lead: cancer-lead\n"))
    dementia = project.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
    dementia.write_text(dementia.read_text().replace("    timeframe:", "    lead: dementia-lead\n"
                                                                       "    timeframe:", 1))
    return project


def dashboard(project: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The real dashboard.py over `project`'s files, ready to run (AppTest)."""
    monkeypatch.setenv("TRACKER_ROOT", str(project.root))
    monkeypatch.chdir(REPO)
    return AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)


def as_shown(markdown: str) -> str:
    """Markdown source as the reader sees it: the backslashes `ui.widgets.plain` puts before
    punctuation (so text from files cannot format or link) and its invisible word joiners
    removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def db_rows(project: Project, sql: str) -> list[tuple]:
    """Rows of `sql` against the project's built database, opened read-only."""
    con = duckdb.connect(str(project.db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _hypothesis_outside_the_checkout() -> None:
    """Hypothesis keeps what it finds (examples, constants) in .hypothesis/ of the working
    folder; keep it in the system's temporary folder instead, so tests write nothing into the
    checkout (HYPOTHESIS_STORAGE_DIRECTORY still chooses another place)."""
    import os
    import tempfile

    from hypothesis.configuration import set_hypothesis_home_dir

    if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "tracker-tests-hypothesis")


_hypothesis_outside_the_checkout()


_HOLD_LOCK = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()  # kept in a name: a lock collected as garbage is released
print("held", flush=True)
time.sleep(300)
"""


@contextmanager
def build_lock_held_elsewhere(project: Project) -> Iterator[None]:
    """Another process holds the project's build lock (as a long build does) until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, f"{project.db_path}.lock"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()
