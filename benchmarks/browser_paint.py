"""How long the dashboard's pages take to paint in Chromium, against a bare Streamlit page.

Run: .venv/bin/python benchmarks/browser_paint.py   (needs /usr/bin/chromium)

One run starts two real servers, `streamlit run dashboard.py` over a copy of the shipped data
and `streamlit run` of a bare page (a title and one plotly chart), both from the repository's
folder so both read .streamlit/config.toml, and drives Debian's Chromium with Playwright.

First paint, the same for every page: the time from the start of the navigation (the page's
`performance.timeOrigin`) to the first animation frame at which the main area has its `<h1>`
and its first chart or table drawn (a plotly chart's SVG, a dataframe's canvas, or a static
table: st.table's, or HTML's drawn by st.markdown or st.html), the script has finished
(`stApp`'s `data-test-script-state` is not `running`), and Streamlit's status widget
(`stStatusWidget`, "Running...") is gone. A probe added to every document before Streamlit's
own script (an init script) records it.

- cold: a fresh browser context (empty browser cache, a new server session);
- warm: a second visit in the same context (the browser's cache holds Streamlit's scripts;
  the server starts a new session, as a reload does).
With `--before REV` (a commit, e.g. `main`), the dashboard as it was at REV is served too, from
a copy of that commit's files, and timed in the same rounds: before and after in one run.
Each server is visited once before timing (its first visit after start is shown apart), then
the pages are timed in interleaved rounds, median of 5, so a noisy machine weighs on each
page alike. Last, 10 browser sessions open the same page at once, and their median is given.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import copy_project  # noqa: E402 - the path is set just above
from tests.e2e.conftest import streamlit_serving  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 768}
RUNS = 5
CONCURRENT = 10
TIMEOUT_MS = 120_000
TARGET = 1.3

BARE_PAGE = """import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Bare page", layout="wide")
st.title("Bare page")
months = [f"2024-{m:02d}-01" for m in range(1, 13)] + [f"2025-{m:02d}-01" for m in range(1, 13)]
st.plotly_chart(go.Figure(go.Scatter(x=months, y=[50 + (i * 7) % 11 for i in range(24)],
                                     mode="lines+markers")), width="stretch")
"""

PROBE = """(() => {
  const CONTENT = '[data-testid="stPlotlyChart"] .main-svg, [data-testid="stDataFrame"] canvas, '
    + '[data-testid="stTable"] table, [data-testid="stMarkdownContainer"] table, '
    + '[data-testid="stHtml"] table';
  const shown = (el) => !!el && el.getBoundingClientRect().height > 0;
  function painted() {
    // The cheap tests first: measuring a box forces a layout, which would slow the page.
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') === 'running') return false;
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    const main = document.querySelector('[data-testid="stMain"]');
    const heading = main && main.querySelector('h1');
    const content = main && main.querySelector(CONTENT);
    if (!heading || !content || !heading.textContent.trim()) return false;
    return shown(heading) && shown(content);
  }
  function poll() {
    if (painted()) { window.__firstPaint = performance.now(); } else { requestAnimationFrame(poll); }
  }
  requestAnimationFrame(poll);
})();"""


def _visit(page: Any, url: str) -> float:
    """Navigate and return the first paint in seconds (see the module's docstring)."""
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    return _painted(page)


def _painted(page: Any) -> float:
    page.wait_for_function("() => window.__firstPaint !== undefined", timeout=TIMEOUT_MS,
                           polling=50)
    return float(page.evaluate("() => window.__firstPaint")) / 1000


def _context(browser: Any) -> Any:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    return context


def _cold_and_warm(browser: Any, url: str) -> tuple[float, float]:
    """One fresh context: its first visit (cold) and its second (warm)."""
    context = _context(browser)
    try:
        page = context.new_page()
        return _visit(page, url), _visit(page, url)
    finally:
        context.close()


def _concurrent(browser: Any, url: str, sessions: int = CONCURRENT) -> float:
    """The median first paint of `sessions` fresh contexts opening `url` at once."""
    contexts = [_context(browser) for _ in range(sessions)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        return statistics.median(_painted(page) for page in pages)
    finally:
        for context in contexts:
            context.close()


def _export(revision: str, target: Path) -> Path:
    """The repository's files as they were at `revision`, in `target`: its dashboard.py."""
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "dashboard.py"


def _servers(stack: ExitStack, before: str | None) -> dict[str, str]:
    """The bare page and the dashboard (and the dashboard at `before`), started now; each page's
    address."""
    scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="browser-paint-")))
    bare = scratch / "bare_page.py"
    bare.write_text(BARE_PAGE, encoding="utf-8")
    (scratch / "bare-logs").mkdir()
    (scratch / "dashboard-logs").mkdir()
    bare_url = stack.enter_context(streamlit_serving(scratch, scratch / "bare-logs", script=bare))
    project = copy_project(ROOT, scratch / "project")
    dashboard_url = stack.enter_context(streamlit_serving(project, scratch / "dashboard-logs"))
    urls = {"bare page": bare_url, "overview": dashboard_url, "scorecard": f"{dashboard_url}/scorecard"}
    if before is not None:
        (scratch / "before-logs").mkdir()
        old = stack.enter_context(streamlit_serving(
            copy_project(ROOT, scratch / "project-before"), scratch / "before-logs",
            script=_export(before, scratch / "before")))
        urls |= {"overview, before": old, "scorecard, before": f"{old}/scorecard"}
    return urls


def measure(before: str | None = None, runs: int = RUNS, sessions: int = CONCURRENT
            ) -> dict[str, dict[str, float]]:
    """Every figure of the report, in seconds, by page (and by page at `before`)."""
    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        urls = _servers(stack, before)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        first = {name: _cold_and_warm(browser, url)[0] for name, url in urls.items()}
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in urls}
        for _ in range(runs):
            for name, url in urls.items():
                samples[name].append(_cold_and_warm(browser, url))
        concurrent = {name: _concurrent(browser, url, sessions) if sessions else float("nan")
                      for name, url in urls.items()}
    return {name: {"first": first[name],
                   "cold": statistics.median(c for c, _ in samples[name]),
                   "warm": statistics.median(w for _, w in samples[name]),
                   "concurrent": concurrent[name]} for name in urls}


def report(figures: dict[str, dict[str, float]]) -> str:
    """The figures as a table, with ratios to the bare page and whether each meets 1.3x."""
    bare = figures["bare page"]
    lines = [f"{'page':<17} {'1st visit':>9} {'cold s':>7} {'x bare':>7} {'warm s':>7} {'x bare':>7} "
             f"{'at once s':>13} {'x bare':>7}"]
    for name, f in figures.items():
        lines.append(f"{name:<17} {f['first']:>9.2f} {f['cold']:>7.2f} {f['cold'] / bare['cold']:>7.2f} "
                     f"{f['warm']:>7.2f} {f['warm'] / bare['warm']:>7.2f} {f['concurrent']:>13.2f} "
                     f"{f['concurrent'] / bare['concurrent']:>7.2f}")
    worst = max(max(f["cold"] / bare["cold"], f["warm"] / bare["warm"]) for f in figures.values())
    lines.append(f"target: each page within {TARGET}x of the bare page, cold and warm: "
                 + ("met" if worst <= TARGET else f"not met (worst {worst:.2f}x)"))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", metavar="REV",
                        help="also time the dashboard as it was at this commit, in the same run")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"visits per page (default {RUNS})")
    parser.add_argument("--sessions", type=int, default=CONCURRENT,
                        help=f"sessions opened at once (default {CONCURRENT}; 0 skips it)")
    args = parser.parse_args()
    print(f"first paint in Chromium, median of {args.runs} ({args.sessions} at once: their median)")
    print(report(measure(args.before, args.runs, args.sessions)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
