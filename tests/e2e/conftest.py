"""Start the real dashboard with `streamlit run` and drive it in Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.artefacts import OUTPUT

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# axe-core from npm, at the version in tests/e2e/package-lock.json (`npm ci --prefix tests/e2e`).
AXE = REPO / "tests" / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = OUTPUT / "screenshots"  # TRACKER_TEST_OUTPUT moves it (tests/artefacts.py)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests need Chromium: skipped on a developer's machine without it, failed in CI."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        return  # let them fail loudly: CI must install chromium
    skip = pytest.mark.skip(reason="needs /usr/bin/chromium (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script: skipped on a developer's machine without it, failed in CI."""
    if not AXE.exists():
        message = f"needs axe-core at {AXE.relative_to(REPO)} (npm ci --prefix tests/e2e)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must install it (.ci/run)
        pytest.skip(message)
    return AXE


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextmanager
def streamlit_serving(root: Path, logs: Path, port: int | None = None,
                      options: tuple[str, ...] = (), script: Path = REPO / "dashboard.py") -> Iterator[str]:
    """A real `streamlit run dashboard.py` (or another `script`) over the project at `root`, on a
    free loopback port (or `port`, when something must know it first), with any further
    Streamlit `options`."""
    port = port or _free_port()
    with (logs / "streamlit.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--browser.gatherUsageStats", "false", *options],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "TRACKER_ROOT": str(root)},
        )
        try:
            _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", process)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over a copy of the shipped data."""
    from tests.conftest import copy_project

    root = copy_project(REPO, tmp_path_factory.mktemp("e2e") / "project")
    with streamlit_serving(root, tmp_path_factory.mktemp("logs")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def screenshot(page: object, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
