"""The real dashboard in a real browser: what a Board member sees and clicks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import REPO, screenshot
from tests.pdftext import pdftotext

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def _settle(page) -> None:
    """Wait until Streamlit has finished running the script and drawing."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT
    )
    page.wait_for_timeout(300)


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def _choose(page, label: str, option: str, shown: str | re.Pattern[str] | None = None) -> None:
    """Pick an option in a Streamlit selectbox found by its label (typing `option`; the
    option reads `shown` when that differs, as an objective's id and its words do).

    Long lists are virtualised: type to filter the list down to the one option, then press
    Enter, which takes the highlighted option: only once the list holds that one option alone
    (on a busy machine the filter lags the typing). A rerun that redraws the box can eat the
    typing or close the list; then the option never shows alone, and it is typed again.
    """
    wanted = page.get_by_role("option", name=shown or option, exact=shown is None).first
    for _ in range(3):
        box = page.get_by_label(label).first
        box.click()
        box.fill(option)
        try:
            wanted.wait_for(timeout=20_000)
            page.wait_for_function(
                "() => document.querySelectorAll('[role=\"option\"]').length === 1", timeout=20_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            _settle(page)
            continue
        page.keyboard.press("Enter")
        _settle(page)
        return
    raise AssertionError(f"could not choose {shown or option!r} in {label!r}")


def test_overview_quarter_and_objective_detail(page, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    page.get_by_text("Board overview").first.wait_for(timeout=TIMEOUT)
    _settle(page)
    _no_exception(page)
    page.get_by_text("Exceptions").first.wait_for()
    assert page.get_by_text("Example data.").count() >= 1
    # .streamlit/config.toml: no developer toolbar for Board members
    assert page.get_by_role("button", name="Deploy").count() == 0
    caption = page.get_by_text(re.compile(r"objectives, as at the end of 2023-24 Q4"))
    caption.first.wait_for(timeout=TIMEOUT)
    screenshot(page, "01-overview")

    _choose(page, "As at the end of", "2023-24 Q2")
    page.get_by_text(re.compile(r"as at the end of 2023-24 Q2")).first.wait_for(timeout=TIMEOUT)
    _no_exception(page)
    screenshot(page, "02-overview-q2")

    page.get_by_role("link", name="Objectives").click()
    page.get_by_role("heading", name="Objectives").wait_for(timeout=TIMEOUT)
    _settle(page)
    page.get_by_text("113 of 113 objectives shown.").wait_for(timeout=TIMEOUT)  # both plans
    _choose(page, "Open an objective", "AW-DEM-01",
            re.compile(r"^AW-DEM-01: Recover the dementia diagnosis rate to 66\.7%"))
    page.get_by_text("Recover the dementia diagnosis rate to 66.7%").first.wait_for(timeout=TIMEOUT)
    page.get_by_text("Reported for 2023-24 Q2:").first.wait_for()
    _no_exception(page)
    screenshot(page, "03-objective-detail")


def test_scorecard_and_a_metric_spc_chart(page, dashboard_url: str) -> None:
    page.goto(dashboard_url + "/scorecard")
    page.get_by_role("heading", name="Scorecard").wait_for(timeout=TIMEOUT)
    _settle(page)
    page.get_by_text("Headline metrics only").wait_for()
    _no_exception(page)
    screenshot(page, "04-scorecard")
    _choose(page, "Show the chart for", "Dementia diagnosis rate (65+)")
    page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    page.get_by_text("Making Data Count SPC chart").first.wait_for(timeout=TIMEOUT)
    _no_exception(page)
    screenshot(page, "05-metric-spc-chart")


def test_board_report_downloads_as_a_pdf(page, dashboard_url: str, tmp_path) -> None:
    """The overview's download button gives the same pack the command line writes."""

    page.goto(dashboard_url)
    page.get_by_text("Board overview").first.wait_for(timeout=TIMEOUT)
    _settle(page)
    _choose(page, "Plan", "Sefton Plan 2023-25")
    _choose(page, "As at the end of", "2023-24 Q3")
    page.get_by_text(re.compile(r"as at the end of 2023-24 Q3")).first.wait_for(timeout=TIMEOUT)
    page.get_by_role("button", name=re.compile("Prepare the Board report")).click()
    page.get_by_role("button", name=re.compile("Download the Board report \\(PDF\\)")).wait_for(
        timeout=TIMEOUT)
    with page.expect_download(timeout=TIMEOUT) as download:
        page.get_by_role("button", name=re.compile("Download the Board report \\(PDF\\)")).click()
    path = tmp_path / "board.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    text = pdftotext(path, "-layout")
    assert "Sefton Plan 2023-25: progress report, 2023-24 Q3" in text
    assert "2. Exceptions" in text and "Appendix: status of every objective" in text
    assert "EXAMPLE DATA" in text
    _no_exception(page)
    # The same pack, page by page, as `python -m tracker report` writes for the same plan and
    # quarter from the same (shipped) sources; only the day it was produced may differ.
    cli = _command_line_pack(tmp_path, "sefton-plan-2023-25", "2023-24 Q3")
    downloaded, printed = _pages(text), _pages(pdftotext(cli, "-layout"))
    assert len(downloaded) == len(printed) >= 10
    for number, (ours, theirs) in enumerate(zip(downloaded, printed, strict=True), start=1):
        assert ours == theirs, f"page {number} differs from the command line's pack"


def _command_line_pack(tmp_path: Path, plan: str, quarter: str) -> Path:
    """The Board pack as `python -m tracker report` writes it, over a fresh copy of the shipped
    sources (the dashboard's copy is its own)."""
    from tests.conftest import copy_project

    root = copy_project(REPO, tmp_path / "cli-project")
    out = tmp_path / "cli.pdf"
    done = subprocess.run([sys.executable, "-m", "tracker", "--root", str(root), "report", "--plan", plan,
                           "--quarter", quarter, "--out", str(out)],
                          capture_output=True, text=True, cwd=root, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    return out


def _pages(text: str) -> list[str]:
    """The pack's text a page at a time, the day it was produced left out."""
    undated = re.sub(r"(plan tracker on) \d{1,2} [A-Z][a-z]+ \d{4}\.", r"\1 (day).", text)
    return undated.split("\f")[:-1] if undated.endswith("\f") else undated.split("\f")


PAGE_PATHS = ["", "objectives", "scorecard", "reminders", "update", "data_quality"]


def test_no_page_asks_another_host_for_anything(page, dashboard_url: str) -> None:
    """The dashboard sends nothing to third parties (.streamlit/config.toml): every request
    of every page, its tab icon included, goes to the dashboard's own address. A user trial
    found the tab's Material icon fetched from Google's font servers on every page."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    for path in PAGE_PATHS:
        page.goto(f"{dashboard_url}/{path}", timeout=TIMEOUT)
        _settle(page)
        _no_exception(page)
    own = dashboard_url.rstrip("/")
    elsewhere = sorted({url for url in asked if not url.startswith((own, "data:", "blob:"))})
    assert asked and elsewhere == [], elsewhere
    icon = page.locator('link[rel="shortcut icon"], link[rel="icon"]').first.get_attribute("href")
    assert icon is not None and (not icon.startswith("http") or icon.startswith(own)), icon
