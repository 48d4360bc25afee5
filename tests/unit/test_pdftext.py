"""The poppler guard the PDF tests share (tests/pdftext.py): skip on a developer's machine
without poppler-utils, fail in CI, as the browser tests do without Chromium."""

from __future__ import annotations

import pytest

from tests import pdftext


def test_without_pdftotext_a_developer_is_told_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdftext.shutil, "which", lambda _tool: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"needs pdftotext \(apt-get install -y poppler-utils\)"):
        pdftext.require_poppler("pdftotext")


def test_without_pdftotext_ci_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdftext.shutil, "which", lambda _tool: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="needs pdfinfo"):
        pdftext.require_poppler("pdfinfo")
