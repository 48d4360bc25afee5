"""Printing the pack: a tagged PDF in British English with bookmarks, and footers and links
that stay text whatever the plan files hold."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.unit.report.test_pack import _outline, _pdf_text
from tests.unit.test_cli import run_cli
from tracker.db.build import build
from tracker.project import Project
from tracker.report.pack import ReportData, build_report_data, render_html, render_pdf
from tracker.status.quarters import parse_quarter


def _data(project: Project) -> ReportData:
    build(project)  # the project as the test left it: reading never builds
    return build_report_data(project, "demo-plan", parse_quarter("2023-24 Q2"))


def _pdfinfo(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def test_the_pack_is_a_tagged_pdf_in_british_english_with_bookmarks(minimal_project: Project,
                                                                   tmp_path: Path) -> None:
    """Issue 17, item 6: a screen reader reads the pack in order and in the right language."""
    import io

    from pypdf import PdfReader

    printed = render_pdf(_data(minimal_project))
    assert re.search(r"Tagged:\s+yes", _pdfinfo(printed, tmp_path))
    reader = PdfReader(io.BytesIO(printed))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    titles = [title for _, title, _ in _outline(printed)]
    assert {"1. Summary", "2. Exceptions", "3. Scorecard", "Data quality"} <= set(titles)


def test_the_command_line_still_explains_an_unknown_plan_when_printing_a_pdf(
    minimal_project: Project, tmp_path: Path,
) -> None:
    result = run_cli(minimal_project, "report", "--plan", "nope", "--quarter", "2023-24 Q2",
                     "--out", str(tmp_path / "pack.pdf"))
    assert result.returncode == 2  # a usage mistake, like a bad --quarter (tests/unit/test_cli.py)
    assert "there is no plan 'nope': plans are demo-plan" in result.stderr
    assert "reference" not in result.stderr  # a typo, not a fault to look up in the log
    assert not (tmp_path / "pack.pdf").exists()


HOSTILE_NAMES = {
    "ampersand-and-apostrophe": ("Health & Care Partner's Plan", "Health & Care Partner's Plan"),
    "newline": ("Health & Care\nPartner's Plan", "Health & Care Partner's Plan"),
    "quotes-and-markup": ('The "Best" <Plan> </style> \\ end', 'The "Best" <Plan> </style> \\ end'),
}


@pytest.mark.parametrize("name", list(HOSTILE_NAMES), ids=list(HOSTILE_NAMES))
def test_the_footer_shows_the_plan_name_as_written_on_every_page(
    name: str, minimal_project: Project, tmp_path: Path,
) -> None:
    """Issue 20, finding 10: `&` and `'` showed as `&amp;` and `&#39;` in the footer, and a
    newline in the plan's name removed the footer from every page."""
    import json

    written, shown = HOSTILE_NAMES[name]
    plan = minimal_project.objectives_dir / "demo-plan" / "plan.yaml"
    plan.write_text(plan.read_text().replace("name: Demo Plan 2023-25", f"name: {json.dumps(written)}"))
    data = _data(minimal_project)
    printed = render_pdf(data)
    text = _pdf_text(printed, tmp_path)
    pages = text.count("\f")
    assert pages >= 2
    footer = f"{shown}: progress report, 2023-24 Q2 · page"
    for number in range(1, pages + 1):
        assert f"{footer} {number} of {pages}" in " ".join(text.split()), number
    assert "&amp;" not in text and "&#39;" not in text


def test_the_packs_make_no_link_or_image_of_text_from_the_files(minimal_project: Project) -> None:
    """Issue 20, finding 7, for the packs: a plan name holding a Markdown image, an HTML link
    and bare addresses is printed as text; neither pack links to or loads anything from it."""
    import io
    import json

    from pypdf import PdfReader

    name = ("Plan ![img](http://127.0.0.1:9/x.png) <a href='http://127.0.0.1:9/a'>a</a> "
            "<img src='http://127.0.0.1:9/i.png'> www.example.org mail@example.org")
    plan = minimal_project.objectives_dir / "demo-plan" / "plan.yaml"
    plan.write_text(plan.read_text().replace("name: Demo Plan 2023-25", f"name: {json.dumps(name)}"))
    data = _data(minimal_project)
    html = render_html(data)
    # The only links are the contents' own, to the pack's sections.
    assert re.findall(r"<a [^>]*>", html) == [
        f'<a href="#{section}">' for section in
        ("summary", "exceptions", "scorecard", "appendix", "data-quality")]
    assert "<img" not in html and "127.0.0.1" in html
    assert "&lt;a href=&#39;http://127.0.0.1:9/a&#39;&gt;" in html
    reader = PdfReader(io.BytesIO(render_pdf(data)))
    annotations = [a.get_object() for page in reader.pages for a in page.get("/Annots") or []]
    assert [a for a in annotations if "/A" in a and "/URI" in a["/A"]] == []
