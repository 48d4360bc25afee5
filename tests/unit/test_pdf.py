"""Printing the pack on two cores: the early printer, its halves, and every way they can fail.

Whatever goes wrong in a printer process, the caller still gets the whole pack:
a failure costs time, never the pack.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.test_cli import run_cli
from tests.unit.test_report import _outline, _pdf_text
from tracker import pdf
from tracker.project import Project
from tracker.quarters import parse_quarter
from tracker.report import TEMPLATES, ReportData, build_report_data, render_html, render_pdf


def _data(project: Project) -> ReportData:
    return build_report_data(project, "demo-plan", parse_quarter("2023-24 Q2"))


SECTIONS = ["Summary", "Exceptions", "Scorecard", "Appendix", "Data quality"]


def _reads_as_the_pack(printed: bytes, data: ReportData, reference: bytes, tmp_path: Path) -> None:
    """`printed` is the whole pack: the same text, pages and bookmarks as `reference` (printed
    another way), a footer 'page n of N' on every page, every objective, and each section."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    text = _pdf_text(printed, tmp_path / "a")
    assert text == _pdf_text(reference, tmp_path / "b")
    assert _outline(printed) == _outline(reference)
    pages = text.count("\f")
    assert pages >= 2
    flat = " ".join(text.split())
    for number in range(1, pages + 1):
        assert f"progress report, 2023-24 Q2 · page {number} of {pages}" in flat, number
    assert {row["id"] for row in data.appendix} == {"LW-CAN-01", "LW-CAN-02", "LW-DEM-01"}
    for objective_id in ("LW-CAN-01", "LW-CAN-02", "LW-DEM-01"):
        assert objective_id in text
    titles = [title for _depth, title, _page in _outline(printed)]
    assert all(any(section in t for t in titles) for section in SECTIONS), titles


def _printed_in_halves(data: ReportData) -> bytes:
    """The pack as a healthy early printer prints it (a reference that is not the fallback)."""
    printer = pdf.Printer.fork()
    printed = render_pdf(data, printer)
    assert printer.finished
    return printed


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_early_printer_prints_the_pack_as_the_whole_reads(minimal_project: Project,
                                                              tmp_path: Path) -> None:
    printer = pdf.Printer.fork()  # as the command line does, before the data are read
    data = _data(minimal_project)
    printed = render_pdf(data, printer)
    assert printer.finished and _reaped(printer.pid)
    _reads_as_the_pack(printed, data, render_pdf(data), tmp_path)
    last_page = _pdf_text(printed, tmp_path).count("\f")
    assert f"page {last_page} of {last_page}" in _pdf_text(printed, tmp_path)


def test_a_printer_killed_before_the_halves_arrive_still_yields_the_pack(minimal_project: Project,
                                                                         tmp_path: Path) -> None:
    data = _data(minimal_project)
    reference = _printed_in_halves(data)
    printer = pdf.Printer.fork()
    os.kill(printer.pid, signal.SIGKILL)
    printed = render_pdf(data, printer)
    assert not printer.finished and _reaped(printer.pid)
    _reads_as_the_pack(printed, data, reference, tmp_path)


def _exit_abruptly(*args: object) -> None:
    os._exit(3)


def _raise(*args: object) -> None:
    raise RuntimeError("the printer broke")


def _child_failed(*args: object) -> None:
    return None


def _hang(*args: object) -> None:
    time.sleep(3600)


@pytest.mark.parametrize("failure", [_exit_abruptly, _raise, _child_failed, _hang],
                         ids=["dies", "raises", "its-child-fails", "hangs"])
def test_a_printer_that_fails_with_the_halves_still_yields_the_pack(
    failure: Callable[..., None], minimal_project: Project, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _data(minimal_project)
    reference = _printed_in_halves(data)
    monkeypatch.setattr(pdf, "print_in_halves", failure)  # inherited by the printer when it forks
    monkeypatch.setattr(pdf.Printer, "patience", 1.0)  # a hung printer is given up after a second
    printer = pdf.Printer.fork()
    printed = render_pdf(data, printer)
    assert not printer.finished and _reaped(printer.pid)
    _reads_as_the_pack(printed, data, reference, tmp_path)


def test_a_printer_never_sent_the_halves_is_stopped_and_reaped() -> None:
    printer = pdf.Printer.fork()
    printer.close()
    assert _reaped(printer.pid)
    printer.close()  # a second close is harmless


def test_no_printer_is_started_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert pdf.start_printer() is None
    finally:
        stop.set()
        thread.join()


def _first_half_dies_at_once(html: str, base_url: Path, write_end: int) -> None:
    os._exit(1)


def _first_half_dies_after_its_page_count(html: str, base_url: Path, write_end: int) -> None:
    os.write(write_end, (3).to_bytes(4, "big"))
    os._exit(1)


@pytest.mark.parametrize("child", [_first_half_dies_at_once, _first_half_dies_after_its_page_count],
                         ids=["at-once", "after-its-page-count"])
def test_halves_whose_child_dies_give_none_so_the_caller_prints_the_whole(
    child: Callable[..., None], minimal_project: Project, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf, "_print_first_half", child)
    data = _data(minimal_project)
    assert pdf.print_in_halves(render_html(data, "first"), render_html(data, "second"),
                               lambda pages: render_html(data, "footer", pages), TEMPLATES) is None


def test_the_command_line_still_explains_an_unknown_plan_when_printing_a_pdf(
    minimal_project: Project, tmp_path: Path,
) -> None:
    result = run_cli(minimal_project, "report", "--plan", "nope", "--quarter", "2023-24 Q2",
                     "--out", str(tmp_path / "pack.pdf"))
    assert result.returncode == 1
    assert "there is no plan 'nope': plans are demo-plan" in result.stderr
    assert not (tmp_path / "pack.pdf").exists()


HOSTILE_NAMES = {
    "ampersand-and-apostrophe": ("Health & Care Partner's Plan", "Health & Care Partner's Plan"),
    "newline": ("Health & Care\nPartner's Plan", "Health & Care Partner's Plan"),
    "quotes-and-markup": ('The "Best" <Plan> </style> \\ end', 'The "Best" <Plan> </style> \\ end'),
}


@pytest.mark.parametrize("printed_in", ["one-process", "halves"])
@pytest.mark.parametrize("name", list(HOSTILE_NAMES), ids=list(HOSTILE_NAMES))
def test_the_footer_shows_the_plan_name_as_written_on_every_page(
    name: str, printed_in: str, minimal_project: Project, tmp_path: Path,
) -> None:
    """Issue 20, finding 10: `&` and `'` showed as `&amp;` and `&#39;` in the footer, and a
    newline in the plan's name removed the footer from every page."""
    import json

    written, shown = HOSTILE_NAMES[name]
    plan = minimal_project.objectives_dir / "demo-plan" / "plan.yaml"
    plan.write_text(plan.read_text().replace("name: Demo Plan 2023-25", f"name: {json.dumps(written)}"))
    data = _data(minimal_project)
    printed = render_pdf(data, pdf.Printer.fork() if printed_in == "halves" else None)
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
