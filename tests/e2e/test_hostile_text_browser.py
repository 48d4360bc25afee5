"""Hostile text in a real browser: HTML, scripts, links and Markdown show as the words typed.

A copy of the shipped project gets an objective, area, lead and metric name, and a
quarterly update (recorded the way leads record one), full of `<script>`, `<img onerror>`,
`javascript:` links, Markdown, LaTeX and icon codes, and a 100,000-character commentary.
The overview and the objective's detail must raise no dialog, put no such element in
the page, and show the text literally.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import hostile
from tests.e2e.conftest import REPO, screenshot, streamlit_serving
from tests.e2e.test_dashboard_browser import TIMEOUT, _choose, _no_exception, _settle

pytestmark = pytest.mark.browser
INJECTED = ('img[src="x"], script:not([src]):text-matches("alert\\\\("), a[href^="javascript:"], '
            "[onerror]")


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.conftest import copy_project
    from tracker.project import load_project

    project = load_project(copy_project(REPO, tmp_path_factory.mktemp("hostile") / "project"))
    hostile.make_hostile(project, "sefton-plan-2023-25", "age-well-dementia", "AW-DEM-01", "2023-24 Q4")
    with streamlit_serving(project.root, tmp_path_factory.mktemp("logs")) as url:
        yield url


def _inert(page, dialogs: list[str]) -> None:
    _no_exception(page)
    assert dialogs == []
    assert page.locator(INJECTED).count() == 0
    assert page.locator("strong", has_text="not bold").count() == 0
    assert page.locator(".katex").count() == 0  # $x^2$ was not typeset


def test_hostile_text_is_inert_on_the_overview_and_the_objective_detail(page, hostile_url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_url)
    page.get_by_text("Exceptions").first.wait_for(timeout=TIMEOUT)
    _settle(page)
    _inert(page, dialogs)
    screenshot(page, "hostile-01-overview")

    page.get_by_role("link", name="Objectives").click()
    page.get_by_role("heading", name="Objectives").wait_for(timeout=TIMEOUT)
    _settle(page)
    _choose(page, "Open an objective", "AW-DEM-01")
    page.get_by_text("Hostile objective", exact=False).first.wait_for(timeout=TIMEOUT)
    _settle(page)
    _inert(page, dialogs)
    shown = page.locator('[data-testid="stMain"]').inner_text()
    for literal in ("+SUM(1,2) Hostile objective <script>alert('script')</script>",
                    "<img src=x onerror=alert('img')>", "[click me](javascript:alert('link'))",
                    # (Streamlit still draws ':material/warning:' as its icon: harmless, not literal.)
                    "**not bold** $x^2$ ", " <b>b</b> # no heading",
                    f"Lead: {hostile.LEAD}", "-Hostile area <img src=x onerror=alert('area')> **area**"):
        assert literal in shown, literal
    screenshot(page, "hostile-02-objective-detail")
