"""The Board report: the right objectives in the right places, as PDF and HTML."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.artefacts import artefact_folder
from tests.pdftext import pdf_text, pdfinfo, pdftotext, require_poppler
from tracker.db.build import build
from tracker.plans.editing import add_update
from tracker.project import Project
from tracker.report.pack import build_report_data, render_html, render_pdf
from tracker.status.objectives import objective_status
from tracker.status.quarters import parse_quarter

REPO = Path(__file__).resolve().parents[3]


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    return pdf_text(pdf, tmp_path)


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start): text.index(end, text.index(start))]


@pytest.fixture
def q2_pdf(minimal_project: Project) -> bytes:
    build(minimal_project)  # reading never builds
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
    build(minimal_project)
    data = build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q1"))
    text = _pdf_text(render_pdf(data), tmp_path)
    exceptions = _section(text, "2. Exceptions", "Appendix")
    assert re.findall(r"LW-[A-Z]+-\d\d", exceptions) == ["LW-CAN-02", "LW-DEM-01"]
    assert "EXAMPLE DATA" not in text  # no example update is in force as at Q1


def test_html_is_self_contained_and_escapes_commentary(minimal_project: Project, tmp_path: Path) -> None:
    add_update(minimal_project, "LW-CAN-02", {
        "quarter": "2023-24 Q2", "rag": "red",
        "commentary": "<script>alert(1)</script> and <b>bold</b> & [a link](http://x)",
    }, by="test-pmo")
    build(minimal_project)
    data = build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q2"))
    html = render_html(data)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt; &amp; [a link]" in html
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert "<link" not in html
    text = _pdf_text(render_pdf(data), tmp_path)
    assert "<script>alert(1)</script>" in text


def test_unknown_plan_is_a_clear_error(minimal_project: Project) -> None:
    build(minimal_project)
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

    from tracker.plans.editing import add_signoff

    add_signoff(minimal_project, "LW-CAN-01", "2023-24 Q1", "Sefton Council", "council-signatory",
                dt.date(2023, 7, 20))
    build(minimal_project)
    data = build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q1"))
    assert data.awaiting_signoff == {"Sefton Council": [], "NHS Cheshire and Merseyside": ["LW-CAN-01"]}
    text = _pdf_text(render_pdf(data), tmp_path)
    flat = " ".join(text.split())
    assert ("Signed off by Sefton Council and NHS Cheshire and Merseyside: 0 of 1 update for "
            "2023-24 Q1.") in flat
    # a table by organisation (signed off, still waiting), then the waiting updates by lead
    assert re.search(r"Sefton Council +1 +0\n", text) and re.search(
        r"NHS Cheshire and Merseyside +0 +1\n", text)
    assert re.search(r"No lead named +0 +1 +LW-CAN-01", text)


def test_shipped_pack_agrees_with_the_status_engine_and_has_the_scorecard(shipped_copy: Project,
                                                                         tmp_path: Path) -> None:
    from tracker.status.objectives import exceptions, objective_status

    project = shipped_copy  # building it writes a database: never into the checkout
    quarter = parse_quarter("2023-24 Q3")
    build(project)
    data = build_report_data(project, "sefton-plan-2023-25", quarter, meeting_date="24 January 2024")
    html = render_html(data)
    pdf = render_pdf(data)
    text = _pdf_text(pdf, tmp_path)
    status = objective_status(project, quarter, "sefton-plan-2023-25").set_index("id")
    expected_exceptions = exceptions(status.reset_index(), "2023-24 Q2")["id"]
    exceptions_text = _section(text, "2. Exceptions", "Not reported for")
    assert set(re.findall(r"\b[A-Z]{2}-[A-Z]{2,3}-\d\d\b", exceptions_text)) == set(expected_exceptions)
    scorecard = _section(text, "3. Scorecard", "Appendix")
    assert "Dementia diagnosis rate (65+)" in scorecard and "(example data)" in scorecard
    assert len(re.findall(r"<title>[^<]* chart</title>", html)) == len(data.scorecard) >= 5
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


# --- counts never shrink silently: the cover counts every objective and says what is wrong ----

CANCER = "objectives/sefton-plan-2023-25/live-well-cancer.yaml"  # four objectives


def _first_page(project: Project) -> str:
    """The pack's first page as text: everything before the first page break."""
    build(project)
    data = build_report_data(project, "sefton-plan-2023-25", parse_quarter("2024-25 Q1"))
    html = render_html(data)
    page = html[html.index("<body>"): html.index('<h2 id="summary">1. Summary</h2>')]
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace("&#39;", "'").split())


def _tab_in_cancer(project: Project) -> None:
    path = project.root / CANCER
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  target_date: 2023-06", "\ttarget_date: 2023-06", 1), encoding="utf-8")


def test_cover_shows_a_broken_files_objectives_as_at_the_last_good_build(
    shipped_copy: Project,
) -> None:
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


# --- the Sefton Plan's 2023-24 Q4 pack as a Board paper (issue 17, items 3, 5 and 6) -----------


@pytest.fixture(scope="module")
def q4_pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path, Project]:
    """The shipped Sefton Plan's 2023-24 Q4 pack, as the command line writes it (from a copy of
    the shipped files: building writes a database, never into the checkout)."""
    from tests.conftest import copy_project
    from tracker.project import load_project

    project = load_project(copy_project(REPO, tmp_path_factory.mktemp("shipped") / "shipped"))
    build(project)
    data = build_report_data(project, "sefton-plan-2023-25", parse_quarter("2023-24 Q4"))
    pdf = render_pdf(data)
    path = tmp_path_factory.mktemp("q4") / "pack.pdf"
    path.write_bytes(pdf)
    return pdf, path, project


def _pages(path: Path, *options: str) -> list[str]:
    return pdftotext(path, *options).split("\f")[:-1]


def test_the_sefton_q4_pack_is_at_most_14_tagged_pages_in_british_english(
    q4_pack: tuple[bytes, Path],
) -> None:
    import io

    from pypdf import PdfReader

    pdf, path, _ = q4_pack
    info = subprocess.run([require_poppler("pdfinfo"), str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 14
    assert re.search(r"Tagged:\s+yes", info)
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "en-GB"
    titles = [title for _, title, _ in _outline(pdf)]
    assert {"1. Summary", "2. Exceptions", "3. Scorecard", "Appendix: status of every objective",
            "Data quality"} <= set(titles)


def test_no_page_of_the_q4_pack_is_blank_but_for_its_footer(q4_pack: tuple[bytes, Path, Project]) -> None:
    for number, page in enumerate(_pages(q4_pack[1], "-layout"), start=1):
        body = [line for line in page.splitlines()
                if line.strip() and "· page" not in line]
        assert len(" ".join(body).split()) >= 40, f"page {number} holds almost nothing: {body}"


def test_the_q4_exceptions_follow_the_rule_each_with_its_reason(
    q4_pack: tuple[bytes, Path, Project],
) -> None:
    from tracker.status.objectives import exceptions, objective_status

    quarter = parse_quarter("2023-24 Q4")
    frame = objective_status(q4_pack[2], quarter, "sefton-plan-2023-25")
    expected = exceptions(frame, "2023-24 Q3")
    text = "\f".join(_pages(q4_pack[1]))  # in reading order, cell by cell
    section = _section(text, "2. Exceptions", "Not reported for 2023-24 Q4")
    assert re.findall(r"\b[A-Z]{2}-[A-Z]{2,3}-\d\d\b", section) == list(expected["id"])
    assert f"{len(expected)} objectives are exceptions for 2023-24 Q4" in " ".join(section.split())
    flat = " ".join(section.split())
    for why in expected["why"]:
        assert why, "every exception has a reason"
        for reason in why:
            assert " ".join(reason.split()) in flat, reason
    # amber alone and not reported are not exceptions (a not-reported objective past its
    # target date is, for that reason); the not-reported are one list by lead
    not_reported = frame[frame["reported_rag"].eq("not_reported")]["id"]
    assert all("No update" not in " ".join(why) for why in expected["why"])
    assert not set(frame[frame["reported_rag"].eq("amber") & ~frame["overdue"]
                         & ~frame["rosier_than_evidence"] & frame["movement"].ne("deteriorated")
                         & ~frame["metric_concerns"].map(bool)]["id"]) & set(expected["id"])
    listed = _section(text, "Not reported for 2023-24 Q4", "3. Scorecard")
    assert f"Not reported for 2023-24 Q4: {len(not_reported)} objectives" in listed
    assert set(re.findall(r"\b[A-Z]{2}-[A-Z]{2,3}-\d\d\b", listed)) == set(not_reported)
    assert "No lead named" in listed


def test_the_cover_shows_the_meeting_date_from_the_command_line_or_the_settings(
    shipped_copy: Project, tmp_path: Path,
) -> None:
    from tests.unit.test_cli import run_cli

    (shipped_copy.root / "settings.yaml").write_text(
        "board_meeting_dates: [2024-01-24, 2024-05-15, '2024-07-17']\n"
        "report_sponsor: Place Director\nreport_presenter: Head of Strategy\n"
        "report_risk_register: 'Risk SP-04: delivery of the Sefton Plan'\n", encoding="utf-8")
    out = tmp_path / "pack.html"
    args = ("report", "--plan", "sefton-plan-2023-25", "--quarter", "2023-24 Q4",
            "--format", "html", "--out", str(out))
    assert run_cli(shipped_copy, *args).returncode == 0
    cover = out.read_text(encoding="utf-8")
    cover = " ".join(re.sub(r"<[^>]+>", " ", cover[:cover.index("<h2 id=\"summary\">1. Summary")]).split())
    assert "Date of meeting 15 May 2024" in cover  # the first meeting after 31 March 2024
    assert "Sponsor Place Director" in cover and "Presented by Head of Strategy" in cover
    assert "Risk register Risk SP-04: delivery of the Sefton Plan" in cover
    assert "Legal implications" not in cover  # an empty field is left off
    assert run_cli(shipped_copy, *args, "--meeting-date", "2024-06-05").returncode == 0
    assert "5 June 2024" in out.read_text(encoding="utf-8")
    (shipped_copy.root / "settings.yaml").write_text("example_data: true\n", encoding="utf-8")
    assert run_cli(shipped_copy, *args).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "Meeting date not set" in text and "To be confirmed" not in text


def test_a_bad_meeting_date_in_the_settings_is_named_with_its_line(shipped_copy: Project) -> None:
    from tracker.plans.catalogue import load_catalogue

    (shipped_copy.root / "settings.yaml").write_text(
        "example_data: true\nboard_meeting_dates: [2024-05-15, next May]\n"
        "exceptions_include: [amber, purple]\n", encoding="utf-8")
    messages = [f"{p.path}:{p.line}: {p.message}" for p in load_catalogue(shipped_copy).problems]
    assert ("settings.yaml:2: board_meeting_dates: 'next May' is not a date; write it as "
            "YYYY-MM-DD, e.g. 2024-05-15") in messages
    assert ("settings.yaml:3: setting 'exceptions_include' may hold amber, not_reported, at_risk, "
            "not 'purple'") in messages


def test_counts_in_words_agree_in_number() -> None:
    from tracker.words import count, plural

    assert count(1, "objective") == "1 objective" and count(0, "objective") == "0 objectives"
    assert f"{count(1, 'update')} {plural(1, 'is')}" == "1 update is"
    assert f"{count(2, 'update')} {plural(2, 'is')}" == "2 updates are"
    assert plural(1, "its lead", "their leads") == "its lead"
    assert plural(3, "involves") == "involve" and plural(1, "involves") == "involves"


def test_the_pack_speaks_of_one_objective_in_the_singular(minimal_project: Project,
                                                          tmp_path: Path) -> None:
    """Issue 17: "1 are reported" and the like, nowhere in the pack."""
    build(minimal_project)
    data = build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q2"))
    text = " ".join(_pdf_text(render_pdf(data), tmp_path).split())
    assert "1 is not reported. 1 is past its target date" in text
    assert "Not reported for 2023-24 Q2: 1 objective No update was received from its lead; it is " \
        "listed here, not as an exception, and it is in the appendix" in text
    assert "1 involves an example" in text
    assert not re.search(r"\b1 (objectives|updates|are|have)\b", text)


def test_no_table_row_of_the_q4_pack_splits_across_pages(q4_pack: tuple[bytes, Path, Project]) -> None:
    """A page that continues the exceptions or the appendix repeats the table's header, then
    starts a whole row: an objective's id (or an area's heading), never the tail of a row."""
    headers = {"Why it is an exception": 2, "ID           Objective": 1}
    continued = 0
    for number, page in enumerate(_pages(q4_pack[1], "-layout"), start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        for header, height in headers.items():
            if lines and header in lines[0]:
                continued += 1
                first = lines[height].strip()
                assert re.match(r"[A-Z]{2}-[A-Z]{2,3}-\d\d\b", first) or " – " in first, (
                    f"page {number} starts inside a row: {first}")
    assert continued >= 3  # the exceptions and the appendix do run over pages


def test_pack_shows_the_icons_with_their_names_for_every_headline_metric(shipped_copy: Project) -> None:
    """The pack's scorecard is the IPR summary: each headline metric's variation and assurance
    icons with their standard names, and the icon key."""
    from tests.ipr_html import summary_rows
    from tracker.spc.icons import ASSURANCE_NAMES, VARIATION_NAMES

    build(shipped_copy)
    data = build_report_data(shipped_copy, "sefton-plan-2023-25", parse_quarter("2023-24 Q4"))
    html = render_html(data)
    rows = summary_rows(html)
    assert [r.measure for r in rows] == [m["name"] + " (example)" * m["example"] for m in data.scorecard]
    judged = 0
    for row, metric in zip(rows, data.scorecard, strict=True):
        expected = [(k, VARIATION_NAMES[k]) for k in [metric["variation_icon"]] if k]
        expected += [(k, ASSURANCE_NAMES[k]) for k in [metric["assurance_icon"]] if k]
        assert row.icons == expected, row.measure
        judged += bool(expected)
    assert judged >= 5
    dementia = next(r for r in rows if r.measure.startswith("Dementia"))
    assert dementia.cells[4] == "66.7% set by NHS England (national ambition)"
    key = html[html.index("<caption>Icon key"):]
    for name in [*VARIATION_NAMES.values(), *ASSURANCE_NAMES.values()]:
        assert f'aria-label="{name}"' in key


def test_an_objective_complete_since_an_earlier_quarter_is_not_counted_as_signed_off(
    minimal_project: Project,
) -> None:
    """It has no update of this quarter to sign: a user trial found the pack counting it as
    fully signed off ("1 of 79 updates") with nobody's signature."""
    examples = minimal_project.objectives_dir / "demo-plan" / "examples" / "updates.yaml"
    examples.write_text(examples.read_text() + (
        "  - {objective: LW-CAN-02, quarter: 2023-24 Q1, rag: blue, commentary: invented}\n"))
    build(minimal_project)
    data = build_report_data(minimal_project, "demo-plan", parse_quarter("2023-24 Q3"))
    assert data.totals["blue"] == 1  # still complete, and shown so
    assert data.fully_signed_off == 0
    assert all("LW-CAN-02" not in ids for ids in data.awaiting_signoff.values())
    frame = objective_status(minimal_project, parse_quarter("2023-24 Q3"), "demo-plan")
    assert data.updates_reported == int((frame["reported_quarter"] == "2023-24 Q3").sum())
