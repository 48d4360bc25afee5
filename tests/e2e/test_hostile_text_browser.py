"""Hostile text in a real browser: HTML, scripts, links and Markdown show as the words typed.

A copy of the shipped project gets an objective, area, lead and metric name, and a
quarterly update (recorded the way leads record one), full of `<script>`, `<img onerror>`,
`javascript:` links, Markdown, LaTeX and icon codes, and a 100,000-character commentary.
The overview and the objective's detail must raise no dialog, put no such element in
the page, and show the text literally.

Issue 20 adds: a plan name, metric name and owner, lead, milestone and target measure
holding a Markdown image of (and an HTML link and a bare address to) a web server the
test runs, and an organisation code in an extract that is a spreadsheet formula. No page
may make the browser ask that server for anything, nor show a link or image from the
text; and no CSV the browser can download may hold a cell that runs as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests import hostile
from tests.e2e.conftest import REPO, _free_port, screenshot, streamlit_serving
from tests.e2e.test_dashboard_browser import TIMEOUT, _choose, _no_exception, _settle

pytestmark = pytest.mark.browser
INJECTED = ('img[src="x"], script:not([src]):text-matches("alert\\\\("), a[href^="javascript:"], '
            "[onerror]")


class _Outside:
    """A web server standing in for any address outside: it records every request made to it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outside = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outside.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def hostile(self, where: str) -> str:
        """Text for `where` with a Markdown image, an HTML link and bare addresses in it."""
        return (f"{where} ![{where} image]({self.base}/{where}.png) "
                f"<a href='{self.base}/{where}-link'>{where} link</a> "
                f"www.{where}-example.org {self.base}/{where}-bare <br>after a break")


@pytest.fixture(scope="module")
def outside() -> Iterator[_Outside]:
    server = _Outside()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()


def _make_links_and_formulas(root: Path, outside: _Outside) -> None:
    """Hostile names in the plan, a metric, a lead, a milestone and a target; a formula for
    an organisation code in an extract."""
    folder = root / "objectives" / "sefton-plan-2023-25"
    plan = folder / "plan.yaml"
    plan.write_text(plan.read_text().replace("\nname: Sefton Plan 2023-25\n",
                                             f"\nname: {json.dumps(outside.hostile('plan'))}\n", 1))
    area = folder / "age-well-dementia.yaml"
    text = area.read_text()
    text = text.replace(
        "  milestones: []\n  targets:\n  - measure: Dementia diagnosis rate\n",
        f"  milestones:\n  - description: {json.dumps(outside.hostile('milestone'))}\n    due: 2023-06\n"
        f"  targets:\n  - measure: {json.dumps(outside.hostile('target'))}\n", 1)
    start = text.index("- id: AW-DEM-02")
    lead = f"  lead: {json.dumps(outside.hostile('lead'))}\n"
    text = text[:start] + text[start:].replace("  lead: null\n", lead, 1)
    area.write_text(text)
    metrics = root / "data" / "metrics" / "examples.yaml"
    text = metrics.read_text()
    text = re.sub(r"(\n    name: ).*\n", lambda m: m.group(1) + json.dumps(outside.hostile("metric")) + "\n",
                  text, count=1)
    text = text.replace("    owner: Place intelligence team\n",
                        f"    owner: {json.dumps(outside.hostile('owner'))}\n", 1)
    metrics.write_text(text)
    extract = root / "data" / "extracts" / "example_place_performance.csv"
    rows = list(csv.reader(io.StringIO(extract.read_text(), newline="")))
    formula = f'=HYPERLINK("{outside.base}/csv-formula","Sefton")'
    with extract.open("w", newline="") as handle:
        csv.writer(handle).writerows([[formula if c == "Sefton" else c for c in row] for row in rows])
    # The place is declared by that code, so the scorecard shows its figures (and its CSV the code).
    settings = root / "settings.yaml"
    kept = settings.read_text() if settings.is_file() else ""
    settings.write_text(kept + f"place_orgs: [{json.dumps(formula)}]\n")


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory, outside: _Outside) -> Iterator[str]:
    from tests.conftest import copy_project
    from tracker.project import load_project

    project = load_project(copy_project(REPO, tmp_path_factory.mktemp("hostile") / "project"))
    hostile.make_hostile(project, "sefton-plan-2023-25", "age-well-dementia", "AW-DEM-01", "2023-24 Q4")
    _make_links_and_formulas(project.root, outside)
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
    _choose(page, "Open an objective", "AW-DEM-01", re.compile("^AW-DEM-01: "))
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


def _no_link_or_image_from_text(page, outside: _Outside) -> None:
    """No element of the page links to, or loads from, an address written in a file."""
    base = outside.base
    images = page.locator(f'img[src^="{base}"], img[src*="example.org"]')
    assert images.count() == 0, images.evaluate_all("els => els.map(e => e.parentElement.outerHTML)")
    links = page.locator(f'a[href^="{base}"], a[href*="example.org"]:not([href^="mailto:"]), '
                         'a[href^="http://www"]')  # the reminder e-mail quotes the text: not a link
    assert links.count() == 0, links.evaluate_all("els => els.map(e => e.parentElement.outerHTML)")
    assert page.locator(".js-plotly-plot svg a").count() == 0  # plotly drew no <a href> as a link
    markdown_links = page.locator('[data-testid="stMarkdownContainer"] a:not([href^="#"])')
    assert markdown_links.count() == 0, markdown_links.all_inner_texts()


def _open_expanders(page) -> None:
    closed = page.locator('[data-testid="stExpander"] details:not([open]) > summary')
    for _ in range(50):
        if closed.count() == 0:
            break
        closed.first.click()
        page.wait_for_timeout(100)
    _settle(page)


def _pick(page, label: str, typed: str, option: str | re.Pattern[str]) -> None:
    """Choose an option of a selectbox by typing part of it (`_choose`, which retries when a
    rerun eats the typing)."""
    _choose(page, label, typed, option)


def _csv_downloads(page, tmp_path: Path, name: str) -> dict[str, list[list[str]]]:
    """Every CSV the page offers, downloaded through the browser and parsed."""
    found: dict[str, list[list[str]]] = {}
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    for i in range(buttons.count()):
        button = buttons.nth(i)
        with page.expect_download(timeout=TIMEOUT) as download:
            button.click()
        if not download.value.suggested_filename.endswith(".csv"):
            continue
        path = tmp_path / f"{name}-{i}.csv"
        download.value.save_as(path)
        found[download.value.suggested_filename] = list(
            csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    return found


def _no_toolbar_export(page) -> None:
    """Streamlit's own table toolbar offers no CSV: it would write cells as they are."""
    tables = page.locator('[data-testid="stDataFrame"]')
    for i in range(tables.count()):
        tables.nth(i).scroll_into_view_if_needed()
        tables.nth(i).hover()
        page.wait_for_timeout(200)
        assert page.get_by_role("button", name="Download as CSV").count() == 0, f"table {i}"


def test_links_images_and_formulas_from_files_stay_inert_on_every_page(
    page, hostile_url: str, outside: _Outside, tmp_path: Path,
) -> None:
    """Issue 20, findings 4 and 7."""
    page.goto(hostile_url)
    page.get_by_text("Exceptions").first.wait_for(timeout=TIMEOUT)
    _settle(page)
    _pick(page, "Plan", "www.plan-example.org", re.compile("plan-example"))  # the hostile plan
    page.get_by_text("plan-example.org", exact=False).first.wait_for(timeout=TIMEOUT)
    csvs: dict[str, list[list[str]]] = {}
    visits = [("overview", None, None), ("objectives", "Objectives", "AW-DEM-01"),
              ("scorecard", "Scorecard", None), ("reminders", "Reminders and changes", None),
              ("data-quality", "Data quality", None)]
    for name, link, detail in visits:
        if link:
            page.get_by_role("link", name=link).click()
            page.get_by_role("heading", name=link).wait_for(timeout=TIMEOUT)
            _settle(page)
        if detail:
            _pick(page, "Open an objective", detail, detail)
            page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
        if name == "scorecard":
            _pick(page, "Show the chart for", "www.metric-example.org", re.compile("metric-example"))
            page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
        _open_expanders(page)
        _no_exception(page)
        _no_link_or_image_from_text(page, outside)
        _no_toolbar_export(page)
        csvs.update(_csv_downloads(page, tmp_path, name))
        screenshot(page, f"hostile-links-{name}")
    shown = page.locator("body").inner_text()
    assert outside.requests == [], outside.requests
    # The formula and the text were in the pages and their CSVs, harmless.
    assert len(csvs) >= 8, sorted(csvs)
    formulas = {name: hostile.formula_cells(rows) for name, rows in csvs.items()}
    assert {name: cells for name, cells in formulas.items() if cells} == {}
    scorecard = next(rows for name, rows in csvs.items() if name.startswith("scorecard-"))
    assert any(cell.startswith("'=HYPERLINK(") for row in scorecard for cell in row)
    assert "Data quality" in shown


def test_plotly_labels_from_files_show_as_typed(page, hostile_url: str, outside: _Outside) -> None:
    """Milestones, target measures and metric names are drawn as text, tags and all."""
    page.goto(hostile_url + "/objectives")
    page.get_by_role("heading", name="Objectives").wait_for(timeout=TIMEOUT)
    _settle(page)
    _pick(page, "Open an objective", "AW-DEM-01", "AW-DEM-01")
    page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    _open_expanders(page)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=TIMEOUT)
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot svg text')]"
                           ".some(t => t.textContent.includes('metric link'))", timeout=TIMEOUT)
    drawn = " ".join(page.locator(".js-plotly-plot svg text").all_text_contents())
    assert f"<a href='{outside.base}/milestone-link'>milestone link</a>" in drawn
    assert "<br>after a break" in drawn
    assert f"<a href='{outside.base}/metric-link'>metric link</a>" in drawn
    assert outside.requests == []
