"""The Board report: the right objectives in the right places, as PDF and HTML."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.artefacts import artefact_folder
from tests.pdftext import pdf_text, pdfinfo, require_poppler
from tracker.editing import add_update
from tracker.project import Project
from tracker.quarters import parse_quarter
from tracker.report import build_report_data, render_html, render_pdf

REPO = Path(__file__).resolve().parents[2]


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    return pdf_text(pdf, tmp_path)


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start): text.index(end, text.index(start))]


@pytest.fixture
def q2_pdf(minimal_project: Project) -> bytes:
    data = build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q2"))
    return render_pdf(data)


def test_pdf_has_cover_exceptions_and_appendix_for_the_quarter(q2_pdf: bytes, tmp_path: Path) -> None:
    text = _pdf_text(q2_pdf, tmp_path)
    assert "Report to" in text and "Sefton Partnership Board" in text
    # In Q2 the amber and the green are example updates: counted apart from real ones.
    assert ("As at 30 September 2023, of 3 objectives none has a real update; 2 show only an "
            "example status, not reported by their leads (1 amber, 1 green); 1 is not reported."
            in " ".join(text.split()))
    assert "EXAMPLE DATA" in text
    exceptions = _section(text, "2. Exceptions", "Appendix")
    # the reported ones with their commentary first, then those with no update
    assert re.findall(r"LW-[A-Z]+-\d\d", exceptions) == ["LW-CAN-01", "LW-DEM-01", "LW-CAN-02"]
    assert "Not reported for 2023-24 Q2: 1" in exceptions
    assert "Target date June 2023 has passed" in exceptions
    appendix = _section(text, "Appendix", "Data quality")
    rows = {m[0]: m[1] for m in re.findall(r"(LW-[A-Z]+-\d\d).*?(Amber|Green|Not\s+reported)",
                                           appendix, flags=re.S)}
    assert rows == {"LW-CAN-01": "Amber", "LW-CAN-02": "Not reported", "LW-DEM-01": "Green"}


def test_pdf_page_count_is_sensible_and_pages_render(q2_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(q2_pdf)
    info = pdfinfo(path)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 3 <= pages <= 8
    pictures = artefact_folder("report", tmp_path / "pages")  # TRACKER_TEST_OUTPUT keeps them
    for old in pictures.glob("minimal-page-*.png"):
        old.unlink()
    subprocess.run([require_poppler("pdftoppm"), "-r", "60", "-f", "1", "-l", "3", "-png", str(path),
                    str(pictures / "minimal-page")], check=True, capture_output=True)
    assert len(list(pictures.glob("minimal-page-*.png"))) == 3


def test_statuses_follow_the_quarter(minimal_project: Project, tmp_path: Path) -> None:
    data = build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q1"))
    text = _pdf_text(render_pdf(data), tmp_path)
    exceptions = _section(text, "2. Exceptions", "Appendix")
    assert re.findall(r"LW-[A-Z]+-\d\d", exceptions) == ["LW-CAN-02", "LW-DEM-01"]
    assert "EXAMPLE DATA" not in text  # no example update is in force as at Q1


def test_html_is_self_contained_and_escapes_commentary(minimal_project: Project, tmp_path: Path) -> None:
    add_update(minimal_project, "LW-CAN-02", {
        "quarter": "2023-24 Q2", "rag": "red",
        "commentary": "<script>alert(1)</script> and <b>bold</b> & [a link](http://x)",
    })
    data = build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q2"))
    html = render_html(data)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt; &amp; [a link]" in html
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert "<link" not in html
    text = _pdf_text(render_pdf(data), tmp_path)
    assert "<script>alert(1)</script>" in text


def test_unknown_plan_is_a_clear_error(minimal_project: Project) -> None:
    with pytest.raises(LookupError, match="there is no plan 'nope': plans are demo-plan"):
        build_report_data(minimal_project, "nope", parse_quarter("2023-24 Q2"))


def test_cli_writes_pdf_and_html(minimal_project: Project, tmp_path: Path) -> None:
    from tests.unit.test_cli import run_cli

    for fmt in ("pdf", "html"):
        out = tmp_path / f"board.{fmt}"
        result = run_cli(minimal_project, "report", "--plan", "demo-plan", "--quarter",
                         "2023-24 Q2", "--format", fmt, "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert f"Wrote {out} (contains EXAMPLE data)." in result.stdout
    assert (tmp_path / "board.pdf").read_bytes().startswith(b"%PDF")
    assert "<!DOCTYPE html>" in (tmp_path / "board.html").read_text()


def test_report_says_which_updates_wait_for_sign_off(minimal_project: Project, tmp_path: Path) -> None:
    import datetime as dt

    from tracker.editing import add_signoff

    add_signoff(minimal_project, "LW-CAN-01", "2023-24 Q1", "Sefton Council", "A. Director",
                dt.date(2023, 7, 20))
    data = build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q1"))
    assert data.awaiting_signoff == {"Sefton Council": [], "NHS Cheshire and Merseyside": ["LW-CAN-01"]}
    text = _pdf_text(render_pdf(data), tmp_path)
    assert "0 of 1 updates for 2023-24 Q1 are signed off by" in text
    assert "NHS Cheshire and Merseyside" in text and "1: LW-CAN-01" in text


def test_shipped_pack_agrees_with_the_status_engine_and_has_the_scorecard(shipped_copy: Project,
                                                                         tmp_path: Path) -> None:
    from tracker.status import objective_status

    project = shipped_copy  # building it writes a database: never into the checkout
    quarter = parse_quarter("2023-24 Q3")
    data = build_report_data(project, "sefton-plan-2023-25", quarter, meeting_date="24 January 2024")
    html = render_html(data)
    pdf = render_pdf(data)
    text = _pdf_text(pdf, tmp_path)
    status = objective_status(project, quarter, "sefton-plan-2023-25").set_index("id")
    expected_exceptions = status[
        status["reported_rag"].isin(["red", "amber", "not_reported"]) | status["overdue"]
        | status["rosier_than_evidence"] | status["derived_status"].eq("at_risk")].index
    exceptions = _section(text, "2. Exceptions", "3. Scorecard")
    assert set(re.findall(r"\b[A-Z]{2}-[A-Z]{2,3}-\d\d\b", exceptions)) == set(expected_exceptions)
    scorecard = _section(text, "3. Scorecard", "Appendix")
    assert "Dementia diagnosis rate (65+)" in scorecard and "(example data)" in scorecard
    assert html.count("<svg") == len(data.scorecard) >= 5
    appendix = text[text.index("Appendix"):]
    assert len(set(re.findall(r"\b[A-Z]{2}-[A-Z]{2,3}-\d\d\b", appendix))) == 99
    assert "24 January 2024" in text
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    info = pdfinfo(path)
    assert 10 <= int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 60
    pictures = artefact_folder("report", tmp_path / "pages")  # TRACKER_TEST_OUTPUT keeps them
    subprocess.run([require_poppler("pdftoppm"), "-r", "60", "-f", "1", "-l", "4", "-png", str(path),
                    str(pictures / "sefton-2023-24-Q3-page")], check=True, capture_output=True)
    assert len(list(pictures.glob("sefton-2023-24-Q3-page-*.png"))) == 4


def _outline(pdf: bytes) -> list[tuple[int, str, int]]:
    """Every bookmark as (depth, title, page number)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def test_pdf_printed_in_halves_reads_exactly_like_the_whole(shipped_copy: Project, tmp_path: Path) -> None:
    """The command line prints the pack's halves on two cores and lays the footers over them."""
    from tracker.pdf import print_in_halves
    from tracker.report import TEMPLATES

    data = build_report_data(shipped_copy, "sefton-plan-2023-25", parse_quarter("2023-24 Q3"))
    whole = render_pdf(data)
    halves = print_in_halves(render_html(data, "first"), render_html(data, "second"),
                             lambda pages: render_html(data, "footer", pages), TEMPLATES)
    assert halves is not None
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    whole_text, halves_text = _pdf_text(whole, tmp_path / "a"), _pdf_text(halves, tmp_path / "b")
    assert halves_text == whole_text
    assert halves_text.count("\f") >= 10
    last_page = halves_text.count("\f")
    assert f"page {last_page} of {last_page}" in halves_text.split("\f")[-2]
    assert _outline(halves) == _outline(whole)
    assert (1, "Data quality", last_page) in _outline(halves)  # the second half's, under the title
    assert any(depth == 2 and title == "Start well" for depth, title, _ in _outline(halves))


# --- counts never shrink silently: the cover counts every objective and says what is wrong ----

CANCER = "objectives/sefton-plan-2023-25/live-well-cancer.yaml"  # four objectives


def _first_page(project: Project) -> str:
    """The pack's first page as text: everything before the first page break."""
    from tracker.build import build

    build(project)
    data = build_report_data(project, "sefton-plan-2023-25", parse_quarter("2024-25 Q1"))
    html = render_html(data)
    page = html[html.index("<body>"): html.index('<section class="section"')]
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace("&#39;", "'").split())


def _tab_in_cancer(project: Project) -> None:
    path = project.root / CANCER
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  target_date: 2023-06", "\ttarget_date: 2023-06", 1), encoding="utf-8")


def test_cover_shows_a_broken_files_objectives_as_at_the_last_good_build(
    shipped_copy: Project,
) -> None:
    from tracker.build import build

    build(shipped_copy)
    _tab_in_cancer(shipped_copy)
    page = _first_page(shipped_copy)
    assert "of 99 objectives" in page
    assert "PROBLEMS IN THE PLAN FILES" in page
    assert re.search(rf"4 objectives of {CANCER} are shown as at \d+ \w+ \d{{4}}: the file now "
                     rf"has a problem \({CANCER}:20: is not valid YAML", page), page


def test_cover_says_how_many_files_could_not_be_read_without_a_good_build(
    shipped_copy: Project,
) -> None:
    _tab_in_cancer(shipped_copy)
    page = _first_page(shipped_copy)
    assert "of 95 objectives" in page
    assert "95 objectives shown; 1 plan file could not be read and the objectives in it are " \
        "not counted." in page
    assert f"{CANCER} could not be read, and there is no earlier build to show its objectives " \
        f"from ({CANCER}:20: is not valid YAML" in page


def test_cover_has_no_problem_box_when_the_files_are_sound(shipped_copy: Project) -> None:
    assert "PROBLEMS IN THE PLAN FILES" not in _first_page(shipped_copy)
