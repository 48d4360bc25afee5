"""A build that fails leaves the dashboard showing the last good data, with a banner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import TESTDATA, build_lock_held_elsewhere, copy_project
from tests.e2e.conftest import screenshot, streamlit_serving
from tracker.db.build import build
from tracker.project import load_project

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
NEW_OBJECTIVE = ("  - id: LW-DEM-02\n    objective: Open memory cafes.\n    impacts: []\n"
                 "    timeframe: March 2024\n    target_date: 2024-03\n")


def _settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)
    page.wait_for_timeout(300)


def test_a_failed_build_leaves_the_last_good_data_showing_with_a_banner(page, tmp_path: Path) -> None:
    project = load_project(copy_project(TESTDATA / "minimal", tmp_path / "project"))
    build(project)
    with streamlit_serving(project.root, tmp_path) as url:
        page.goto(url + "/objectives")
        page.get_by_text("3 of 3 objectives shown.").wait_for(timeout=TIMEOUT)
        # A new objective, and a build that now fails (a broken build query: not the plans'
        # fault, so `validate` passes).
        area = project.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
        area.write_text(area.read_text() + NEW_OBJECTIVE)
        build_sql = project.queries_dir / "db" / "create_metric_tables.sql"
        build_sql.write_text(build_sql.read_text() + "\nselect nonsense from nowhere;\n")
        page.reload()
        banner = page.get_by_text(re.compile(r"Showing the last good figures, built"))
        banner.wait_for(timeout=TIMEOUT)
        _settle(page)
        page.get_by_text("3 of 3 objectives shown.").wait_for(timeout=TIMEOUT)  # the last good data
        text = page.locator('[data-testid="stAlert"]').first.inner_text()
        assert "could not rebuild its database" in text and "nowhere" in text
        assert "objectives/demo-plan/live-well-dementia.yaml" in text  # where it changed
        assert "python -m tracker build" in text
        reference = re.search(r"Reference ([0-9A-F]{8})", text)
        assert reference, text
        assert page.locator('[data-testid="stException"]').count() == 0
        screenshot(page, "last-good-with-banner")
        log = (project.root / "logs" / "tracker.log").read_text()
        assert f"[{reference.group(1)}]" in log and "Traceback" in log
        # Mended: the next view builds and shows the new objective, with no banner.
        build_sql.write_text(build_sql.read_text().replace("\nselect nonsense from nowhere;\n", "\n"))
        page.reload()
        page.get_by_text("4 of 4 objectives shown.").wait_for(timeout=TIMEOUT)
        assert page.get_by_text(re.compile(r"Showing the last good figures")).count() == 0




def test_while_another_process_builds_the_page_shows_the_current_data_then_the_new(
    page, tmp_path: Path
) -> None:
    project = load_project(copy_project(TESTDATA / "minimal", tmp_path / "project"))
    build(project)
    with streamlit_serving(project.root, tmp_path) as url:
        page.goto(url + "/objectives")
        page.get_by_text("3 of 3 objectives shown.").wait_for(timeout=TIMEOUT)
        with build_lock_held_elsewhere(project):
            area = project.objectives_dir / "demo-plan" / "live-well-dementia.yaml"
            area.write_text(area.read_text() + NEW_OBJECTIVE)
            page.reload()
            page.get_by_text(re.compile("a newer database is being built")).wait_for(timeout=10_000)
            page.get_by_text("3 of 3 objectives shown.").wait_for(timeout=10_000)  # not blank
            screenshot(page, "being-updated")
        build(project)  # the other process's build swaps in the new file
        # With no reload; the session keeps its date filter, which the new objective is outside.
        page.get_by_text(re.compile(r"of 4 objectives shown\.")).wait_for(timeout=20_000)
        assert page.get_by_text(re.compile("a newer database is being built")).count() == 0
