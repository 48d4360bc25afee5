"""axe-core on every dashboard page at a laptop's and a phone's size, and on the HTML pack.

A Board member using a screen reader, a keyboard or a phone must be able to read every page:
no serious or critical axe-core violation anywhere. Each run's findings are written to
test-output/axe/ so a failure can be read in full.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.artefacts import OUTPUT
from tests.e2e.test_dashboard_browser import TIMEOUT, _choose, _settle
from tests.e2e.test_hostile_text_browser import _pick

pytestmark = pytest.mark.browser
SIZES = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
PAGES = {
    "overview": ("", "Board overview"),
    "objectives": ("/objectives", "Objectives"),
    "scorecard": ("/scorecard", "Scorecard"),
    "reminders": ("/reminders", "Reminders and changes"),
    "update": ("/update", "Update an objective"),
    "data-quality": ("/data_quality", "Data quality"),
}
BLOCKING = {"serious", "critical"}
# Moderate rules the dashboard and the pack once broke, kept fixed: a heading that jumps a
# level; content outside the pack's landmarks.
KEPT_FIXED = {"heading-order", "region", "landmark-one-main"}
FINDINGS = OUTPUT / "axe"  # TRACKER_TEST_OUTPUT moves it (tests/artefacts.py)


RUNNING = "() => !!document.querySelector('[data-testid=\"stStatusWidget\"]')"


def run_axe(page, axe_script: Path, name: str) -> list[dict]:
    """Every axe-core violation on the page at rest; saved under test-output/axe/.

    A page that starts running again while axe reads it (a fragment's timer, a slow machine)
    is read again once it has finished: the running state has its own test below.
    """
    page.add_script_tag(path=str(axe_script))
    for _ in range(3):
        running_before = page.evaluate(RUNNING)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        if not (running_before or page.evaluate(RUNNING)):
            break
        _settle(page)
    violations = result["violations"]
    FINDINGS.mkdir(parents=True, exist_ok=True)
    (FINDINGS / f"{name}.json").write_text(json.dumps(violations, indent=1), encoding="utf-8")
    return violations


def blocking(violations: list[dict]) -> str:
    """The serious and critical ones (and those once fixed) as lines a person can act on:
    each rule, its impact and the elements it found (empty when there are none)."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}; at "
        + ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:8])
        + (f" and {len(v['nodes']) - 8} more" if len(v["nodes"]) > 8 else "")
        for v in violations if v["impact"] in BLOCKING or v["id"] in KEPT_FIXED
    )


@pytest.fixture(params=list(SIZES), scope="module")
def sized(request, browser):
    context = browser.new_context(viewport=SIZES[request.param])
    try:
        yield request.param, context
    finally:
        context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_has_no_serious_or_critical_violation(sized, name, dashboard_url, axe_script):
    size, context = sized
    path, heading = PAGES[name]
    page = context.new_page()
    try:
        page.goto(dashboard_url + path)
        page.get_by_role("heading", name=heading).first.wait_for(timeout=TIMEOUT)
        _settle(page)
        _style_applied(page, "stCaptionContainer")
        found = blocking(run_axe(page, axe_script, f"{name}-{size}"))
        assert not found, f"{name} at {size}:\n{found}"
    finally:
        page.close()


def test_an_objective_detail_has_no_serious_or_critical_violation(sized, dashboard_url,
                                                                   axe_script):
    """The detail has the milestone chart, the linked metrics and the updates' table."""
    size, context = sized
    page = context.new_page()
    try:
        page.goto(dashboard_url + "/objectives")
        page.get_by_role("heading", name="Objectives").first.wait_for(timeout=TIMEOUT)
        _settle(page)
        _pick(page, "Open an objective", "AW-DEM-01", re.compile("^AW-DEM-01: "))
        page.get_by_text("Milestones and targets").first.wait_for(timeout=TIMEOUT)
        page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
        found = blocking(run_axe(page, axe_script, f"objective-detail-{size}"))
        assert not found, f"objective detail at {size}:\n{found}"
    finally:
        page.close()


def test_the_html_pack_has_landmarks_and_no_serious_or_critical_violation(
        browser, shipped_copy, axe_script, tmp_path):
    from tracker.db.build import build
    from tracker.report.pack import build_report_data, render_html
    from tracker.status.quarters import parse_quarter

    build(shipped_copy)  # reading never builds
    data = build_report_data(shipped_copy, "sefton-plan-2023-25", parse_quarter("2023-24 Q4"))
    pack = tmp_path / "pack.html"
    pack.write_text(render_html(data), encoding="utf-8")
    context = browser.new_context(viewport=SIZES["laptop"])
    try:
        page = context.new_page()
        page.goto(pack.as_uri())
        violations = run_axe(page, axe_script, "html-pack")
        found = blocking([v for v in violations if v["id"] != "heading-order"])  # the cover's
        assert not found, f"HTML pack:\n{found}"
        assert page.locator("main").count() == 1 and page.locator("nav").count() == 1
        # Header cells say what they head, tables say what they hold (the scorecard's own
        # table is drawn by the scorecard's code).
        unmarked = page.evaluate("""() => [...document.querySelectorAll('table')]
            .filter(t => !t.closest('section[aria-labelledby="scorecard"]'))
            .map(t => ({caption: !!t.querySelector('caption'),
                        unscoped: t.querySelectorAll('th:not([scope])').length}))
            .filter(t => !t.caption || t.unscoped)""")
        assert unmarked == []
    finally:
        context.close()


def _overview_with_style(context, dashboard_url: str, rule: str):
    """The overview at rest, once the dashboard's own style sheet (drawn with the page, as a
    reader's first Tab would find it) holds `rule`."""
    page = context.new_page()
    page.goto(dashboard_url)
    page.get_by_role("heading", name="Board overview").first.wait_for(timeout=TIMEOUT)
    _settle(page)
    _style_applied(page, rule)
    return page


def _style_applied(page, rule: str) -> None:
    """Wait until the dashboard's own style sheet, which the page's script draws first, holds
    `rule`: on a first load on a busy machine the browser may lay out a moment without it."""
    page.wait_for_function("""rule => [...document.querySelectorAll('style')]
        .some(s => s.textContent.includes(rule))""", arg=rule, timeout=TIMEOUT)


def test_the_sidebar_links_show_where_the_keyboard_is(browser, dashboard_url):
    """Tabbing to a page link draws a visible outline around it."""
    context = browser.new_context(viewport=SIZES["laptop"])
    try:
        page = _overview_with_style(context, dashboard_url, "focus-visible")
        focused = None
        for _ in range(40):
            page.keyboard.press("Tab")
            focused = page.evaluate("""() => {
                const el = document.activeElement;
                if (!el || !el.closest('[data-testid="stSidebarNav"]')) return null;
                const style = getComputedStyle(el);
                return {text: el.innerText, style: style.outlineStyle, width: style.outlineWidth};
            }""")
            if focused:
                break
        assert focused, "no sidebar link could be reached with the Tab key"
        assert focused["style"] != "none" and float(focused["width"].removesuffix("px")) >= 2, focused
    finally:
        context.close()


def test_the_stop_button_is_readable_the_moment_it_shows(browser, dashboard_url):
    """While a page runs, the header shows "Stop"; it must never be drawn half-faded (too pale
    to read: 3.75:1 at one moment of Streamlit's 0.2 s fade), only hidden or at full strength."""
    context = browser.new_context(viewport=SIZES["laptop"])
    try:
        page = _overview_with_style(context, dashboard_url, "stStatusWidget")
        # Every frame while the page runs, how strongly the running widget is drawn.
        page.evaluate("""() => {
            window.__opacities = [];
            const sample = () => {
                const widget = document.querySelector('[data-testid="stStatusWidget"]');
                if (widget) window.__opacities.push(Number(getComputedStyle(widget).opacity));
                requestAnimationFrame(sample);
            };
            requestAnimationFrame(sample);
        }""")
        _choose(page, "Plan", "Sefton Plan 2023-25")
        page.get_by_text(re.compile("Sefton Plan 2023-25: ")).first.wait_for(timeout=TIMEOUT)
        _settle(page)
        # Making the pack takes seconds: long enough for the page to show that it is running.
        page.get_by_role("button", name=re.compile("Prepare the Board report")).click()
        download = page.get_by_role("button", name=re.compile("Download the Board report"))
        download.first.wait_for(timeout=TIMEOUT)
        page.wait_for_function("() => window.__opacities.includes(1)", timeout=TIMEOUT)
        _settle(page)
        shown = page.evaluate("() => window.__opacities")
        assert 1 in shown, "the page never showed that it was running"
        faded = [opacity for opacity in shown if opacity not in (0, 1)]
        assert not faded, f"drawn half-faded at these opacities: {faded[:12]}"
    finally:
        context.close()
