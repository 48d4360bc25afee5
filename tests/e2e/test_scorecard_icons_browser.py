"""The scorecard's Integrated Performance Report summary in a real browser: every headline
metric's Making Data Count icons found by their names, at 1366x768 with no sideways
scrolling, and on a phone (390x844) with the name, the value and the icons in view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.conftest import copy_project, db_rows
from tests.e2e.conftest import REPO, screenshot
from tracker.db.serving import ensure_built
from tracker.metrics.scorecard import metric_views
from tracker.project import load_project
from tracker.spc.icons import ASSURANCE_NAMES, VARIATION_NAMES

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
NO_SIDEWAYS_SCROLL = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const element = document.querySelector('table.ipr');
  const table = element.getBoundingClientRect();
  const box = element.parentElement.getBoundingClientRect();
  return {page: document.scrollingElement.scrollWidth, width: window.innerWidth,
          main: main.scrollWidth, mainWidth: main.clientWidth,
          tableRight: table.right,
          overflow: table.right - box.right, tableScroll: element.scrollWidth - element.clientWidth};
}"""


@pytest.fixture(scope="module")
def headline(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, list[str]]]:
    """Each headline row as the shipped data give it: (measure, its icons' names)."""
    project = load_project(copy_project(REPO, tmp_path_factory.mktemp("expected") / "project"))
    ensure_built(project)
    views = metric_views(project, dt.date(2024, 3, 31))
    ids = {r[0] for r in db_rows(project, "select metric_id from metrics where headline")}
    return [(v.name + " (example)" * v.is_example,
             [VARIATION_NAMES[k] for k in [v.variation_icon] if k]
             + [ASSURANCE_NAMES[k] for k in [v.assurance_icon] if k])
            for v in views if v.metric_id in ids]


def _settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)
    page.locator("table.ipr").wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(500)


def _open_scorecard(page, url: str) -> None:
    page.goto(url + "/scorecard")
    page.get_by_role("heading", name="Scorecard").wait_for(timeout=TIMEOUT)
    _settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def _rows(page) -> list:
    return page.locator("table.ipr tbody tr").all()


def test_every_headline_metric_shows_its_icons_by_name_without_sideways_scrolling(
    page, dashboard_url: str, headline: list[tuple[str, list[str]]],
) -> None:
    _open_scorecard(page, dashboard_url)
    screenshot(page, "scorecard-1366x768")
    rows = _rows(page)
    assert [r.locator("th").inner_text().strip() for r in rows] == [m for m, _ in headline]
    for row, (measure, names) in zip(rows, headline, strict=True):
        for name in names:
            icon = row.get_by_role("img", name=name, exact=True)
            assert icon.count() == 1, (measure, name)
            assert icon.is_visible(), (measure, name)
            box = icon.bounding_box()
            assert box and box["x"] + box["width"] <= 1366, (measure, name)
    assert sum(bool(names) for _, names in headline) >= 5
    sizes = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert sizes["page"] <= sizes["width"], sizes
    assert sizes["main"] <= sizes["mainWidth"], sizes
    assert sizes["tableRight"] <= sizes["width"], sizes
    assert sizes["overflow"] <= 0.5 and sizes["tableScroll"] <= 0, sizes  # fits its column
    page.get_by_text("Headline metrics only").click()  # every metric: longer, stale rows too
    page.get_by_text("A&E type 1 attendances").first.wait_for(timeout=TIMEOUT)
    _settle(page)
    assert len(_rows(page)) > len(headline)
    sizes = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert sizes["page"] <= sizes["width"] and sizes["main"] <= sizes["mainWidth"], sizes
    assert sizes["tableRight"] <= sizes["width"], sizes
    assert sizes["overflow"] <= 0.5 and sizes["tableScroll"] <= 0, sizes  # fits its column
    page.get_by_text("Icon key: how to read the variation and assurance icons").click()
    page.get_by_role("img", name="The system is expected to consistently fail the target").last \
        .wait_for(timeout=TIMEOUT)
    page.locator("table.icon-key").scroll_into_view_if_needed()
    page.wait_for_timeout(800)  # the expander's opening animation
    screenshot(page, "scorecard-1366x768-icon-key")


@pytest.fixture
def phone(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def test_on_a_phone_name_value_and_icons_come_first(
    phone, dashboard_url: str, headline: list[tuple[str, list[str]]],
) -> None:
    _open_scorecard(phone, dashboard_url)
    rows = _rows(phone)
    assert len(rows) == len(headline)
    for row, (measure, names) in zip(rows, headline, strict=True):
        name_cell = row.locator("th")
        value_cell = row.locator("td.num").last
        assert name_cell.is_visible() and measure in name_cell.inner_text()
        assert value_cell.is_visible() and value_cell.inner_text().strip()
        for name in names:
            assert row.get_by_role("img", name=name, exact=True).is_visible(), (measure, name)
        for hidden in row.locator("td.ipr-2nd").all():
            assert not hidden.is_visible()
        for cell in (name_cell, value_cell, *row.locator("td.icon").all()):
            box = cell.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, measure
    sizes = phone.evaluate(NO_SIDEWAYS_SCROLL)
    assert sizes["page"] <= sizes["width"], sizes
    assert sizes["tableRight"] <= sizes["width"], sizes
    assert sizes["overflow"] <= 0.5 and sizes["tableScroll"] <= 0, sizes  # fits its column
    screenshot(phone, "scorecard-390x844")
