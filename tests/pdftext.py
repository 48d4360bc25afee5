"""Reading a printed PDF back as text with poppler's tools (pdftotext, pdfinfo).

Like Chromium for the browser tests (tests/e2e/conftest.py): a developer's machine
without poppler-utils skips these tests with a message; in CI (CI=true) they fail,
because CI must install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def require_poppler(tool: str = "pdftotext") -> str:
    """The tool's path; skip the test without it (fail in CI)."""
    found = shutil.which(tool)
    if found is None:
        message = f"needs {tool} (apt-get install -y poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def pdftotext(path: Path, *options: str) -> str:
    """The text of the PDF at `path` (pages end with a form feed), e.g. options "-layout"."""
    return subprocess.run([require_poppler("pdftotext"), *options, str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=120).stdout


def pdf_text(pdf: bytes, folder: Path, *options: str) -> str:
    """The text of a PDF held in memory, written to `folder` (a temporary one) to be read."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    return pdftotext(path, *(options or ("-layout",)))


def pdfinfo(path: Path) -> str:
    """pdfinfo's report on the PDF at `path` (pages, page size, ...)."""
    return subprocess.run([require_poppler("pdfinfo"), str(path)], capture_output=True, text=True,
                          check=True, timeout=120).stdout
