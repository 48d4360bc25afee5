"""Hostile text in the Board report: escaped in the HTML, the literal words in the PDF.

`test_pack.py` checks one commentary with `<script>` and `<b>`; these put image
handlers, javascript: links, Markdown and LaTeX in the objective, area, lead,
commentary and mitigations, and a 100,000-character commentary.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import hostile
from tests.pdftext import pdftotext
from tracker.db.build import build
from tracker.project import Project
from tracker.report.pack import build_report_data, render_html, render_pdf
from tracker.status.quarters import parse_quarter

pytestmark = pytest.mark.hostile


@pytest.fixture
def hostile_html(minimal_project: Project) -> str:
    hostile.make_hostile(minimal_project, "demo-plan", "live-well-dementia", "LW-DEM-01", "2023-24 Q2")
    build(minimal_project)  # reading never builds
    return render_html(build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q2")))


def test_the_html_report_escapes_every_hostile_field(hostile_html: str) -> None:
    assert not re.search(r"<script[\s>]", hostile_html)  # the report runs no script at all
    assert "<img src=x" not in hostile_html and "<b>b</b>" not in hostile_html
    assert not re.search(r"<[^>]*\sonerror\s*=", hostile_html)
    assert 'href="javascript:' not in hostile_html.lower()
    for text in ("&lt;img src=x onerror=alert(&#39;img&#39;)&gt;", "&lt;script&gt;alert(&#39;script&#39;)"):
        assert text in hostile_html.replace("&#x27;", "&#39;")
    assert "Hostile commentary" in hostile_html and "long long" in hostile_html


def test_the_pdf_report_shows_the_hostile_words_literally(minimal_project: Project, tmp_path: Path) -> None:
    from tracker.plans.editing import add_update

    hostile.make_hostile(minimal_project, "demo-plan", "live-well-dementia", "LW-DEM-01", "2023-24 Q2")
    add_update(minimal_project, "LW-DEM-01", {  # a Board-sized commentary: the PDF stays quick
        "quarter": "2023-24 Q2", "rag": "red", "commentary": hostile.COMMENTARY[:400],
        "mitigations": hostile.MITIGATIONS}, replace=True, by="test-pmo")
    build(minimal_project)
    data = build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q2"))
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(data))
    # -raw keeps each table cell's text together; line breaks inside a cell are ignored.
    text = re.sub(r"\s", "", pdftotext(path, "-raw"))
    for literal in ("<img src=x onerror=alert('img')>", "<script>alert('script')</script>",
                    "[click me](javascript:alert('link'))", "**not bold** $x^2$",
                    "<img src=x onerror=alert('area')> **area**", "=1+1 hostile mitigations"):
        assert re.sub(r"\s", "", literal) in text, literal
