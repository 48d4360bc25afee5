"""The SEND Joint Commissioning Plan 2023-26 YAML against the published action plan.

Agenda Item 7, Appendix 3 is a six-column table broken across pages: a row
with no lead and no date continues the row above. Every logical row must be
in the YAML with its words, and with the target month a person reads from
its date cell; the expected months below were written by hand.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "docs/sources/sefton-plan-2023-25-and-send-jcp-board-pack.md"
AREA = REPO / "objectives/send-jcp-2023-26/send-action-plan.yaml"

# Financial quarters end in June, September, December and March ("Q2 23/24" = September 2023).
EXPECTED_TARGET_MONTHS = {
    "SEND-01": None,        # Action Plan developed June 2023 Implementation 2025 (year only)
    "SEND-02": "2023-09",   # Q2 23/24
    "SEND-03": "2024-06",   # Q1 2024/25
    "SEND-04": "2023-12",   # Q3 2023/24
    "SEND-05": "2023-12",   # Q3 23/24
    "SEND-06": "2024-03",   # Q4 2023/24
    "SEND-07": "2024-03",   # Q4 2023/24
    "SEND-08": "2024-06",   # Q1 2024/25
    "SEND-09": None,        # 2025 (year only)
    "SEND-10": "2024-06",   # Q1 2024, read as Q1 2024/25
    "SEND-11": "2025-06",   # Q1 2025, read as Q1 2025/26
    "SEND-12": "2024-03",   # Q4 2023/24
    "SEND-13": "2024-03",   # Q4 2023/24
    "SEND-14": "2027-03",   # March 2027 (in line with the Education Excellence Strategy)
}


def _paragraphs(cell: str) -> list[str]:
    found = []
    for part in cell.split("</p>"):
        part = re.sub(r"</?(b|u|i|em|strong|span)\b[^>]*>", "", part)
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split())
        if text and not re.fullmatch(r"Page \d+", text):
            found.append(text)
    return found


def source_rows() -> list[list[list[str]]]:
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    start = lines.index("Appendix 3- 2023-2026 Action Plan")
    rows: list[list[list[str]]] = []
    for line in lines[start:]:
        cells = line.split("\t")
        if len(cells) != 6 or line.startswith("The Outcomes we are aiming for"):
            continue
        cells = [_paragraphs(c) for c in cells]
        if not cells[4] and not cells[5]:  # continues the row above, across a page break
            for previous, more in zip(rows[-1], cells, strict=True):
                if more and previous:
                    previous[-1] += " " + more.pop(0)
                previous.extend(more)
        else:
            rows.append(cells)
    return rows


@pytest.fixture(scope="module")
def objectives() -> list[dict]:
    return yaml.safe_load(AREA.read_text(encoding="utf-8"))["objectives"]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_logical_row_is_an_objective(objectives: list[dict]) -> None:
    assert len(source_rows()) == 14
    assert [o["id"] for o in objectives] == [f"SEND-{n:02d}" for n in range(1, 15)]


def test_every_cell_is_in_the_yaml_word_for_word(objectives: list[dict]) -> None:
    for row, objective in zip(source_rows(), objectives, strict=True):
        outcome, actions, why, impacts, lead, date = row
        if outcome:  # one row prints no outcome: recorded under the next row's (SENDIASS)
            assert " ".join(outcome) == _flat(objective["objective"]), objective["id"]
        assert actions == objective["actions"], objective["id"]
        assert " ".join(why) == _flat(objective["rationale"]), objective["id"]
        assert impacts == objective["impacts"], objective["id"]
        # `lead:` names people of objectives/people.yaml; the printed text is kept beside it.
        assert "; ".join(lead) == objective["lead_as_published"], objective["id"]
        assert " ".join(date) == _flat(objective["timeframe"]), objective["id"]


def test_the_row_without_an_outcome_is_under_sendiass_with_a_note(objectives: list[dict]) -> None:
    tenth, eleventh = objectives[9], objectives[10]
    assert tenth["objective"] == eleventh["objective"]
    assert tenth["objective"].startswith("Continuous improvement of the SENDIASS offer")
    assert "empty outcome cell" in tenth["notes"]


def test_target_months_are_those_read_from_the_document(objectives: list[dict]) -> None:
    assert {o["id"]: o["target_date"] for o in objectives} == EXPECTED_TARGET_MONTHS


def test_year_only_dates_are_milestones_not_invented_months(objectives: list[dict]) -> None:
    first = {m["description"]: str(m["due"]) for m in objectives[0]["milestones"]}
    assert first == {"Delivering Better Value Action Plan developed": "2023-06", "Implementation": "2025"}
    assert [str(m["due"]) for m in objectives[8]["milestones"]] == ["2025"]


def test_every_printed_lead_is_a_spelling_of_its_people(objectives: list[dict]) -> None:
    """The register merges one role's spellings: each printed lead text is made of the
    published spellings of exactly the people the objective names, and no more."""
    import yaml

    from tracker.project import PACKAGE_ROOT

    people = yaml.safe_load((PACKAGE_ROOT / "objectives" / "people.yaml").read_text("utf-8"))
    spellings = {p["id"]: p.get("published_as", []) for p in people["people"]}
    education = spellings["ad-education-excellence"]
    assert len(education) == 3  # "Education Excellence", "of Education ...", "of Educational ..."
    for objective in objectives:
        ids = objective["lead"] if isinstance(objective["lead"], list) else [objective["lead"]]
        printed = objective["lead_as_published"]
        for person_id in ids:
            assert any(s in printed for s in spellings[person_id]), (objective["id"], person_id)
