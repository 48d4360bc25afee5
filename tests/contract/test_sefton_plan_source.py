"""The Sefton Plan 2023-25 YAML against the published Board pack, row by row.

The source is the public document pack (docs/sources/), Agenda Item 5, the
appendix "Sefton Plan 2023 - 2025". Every row of every "Objective / Impact /
Timeframe" table must be in the YAML, in the plan's order and under its area,
with its words, impact bullets and timeframe exactly as published (HTML tags
removed, entities decoded, bullet characters dropped, whitespace collapsed,
paragraphs joined by a blank line). The expected target months below were
written by hand from the document, not generated from the YAML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "docs/sources/sefton-plan-2023-25-and-send-jcp-board-pack.md"
PLAN = REPO / "objectives/sefton-plan-2023-25"

SOURCE_ROWS = 100  # objective rows printed in the plan's tables
OBJECTIVES = 99  # the Ophthalmology row (LW-PC-01) is printed twice
AREAS = 28

# Read from each row's "Timeframe / Our target date?" cell. None: the plan sets no date.
EXPECTED_TARGET_MONTHS = {
    "CC-SCT-01": None,  # "Timescales are under review ..."
    "CC-SCT-02": None,  # "Joint Committees ... will determine the timescales."
    "CC-CF-01": "2025-03", "CC-CF-02": "2025-03", "CC-CF-03": "2025-03",
    "CC-CF-04": "2025-03", "CC-CF-05": "2025-03", "CC-CF-06": "2025-03",
    "SW-CYP-01": "2024-03", "SW-CYP-02": "2024-03", "SW-CYP-03": "2024-03",
    "SW-EH-01": "2024-04", "SW-EH-02": "2025-03", "SW-EH-03": "2025-03",
    "SW-MAT-01": "2024-03", "SW-MAT-02": "2025-03", "SW-MAT-03": "2025-03", "SW-MAT-04": "2025-03",
    "LW-CAN-01": "2023-06", "LW-CAN-02": "2024-03", "LW-CAN-03": "2025-03", "LW-CAN-04": "2025-03",
    "LW-CL-01": "2024-03", "LW-CL-02": "2024-03", "LW-CL-03": "2024-03",
    "LW-DIA-01": "2025-03", "LW-DIA-02": "2025-03", "LW-DIA-03": "2025-03", "LW-DIA-04": "2025-03",
    "LW-LDA-01": "2024-03", "LW-LDA-02": "2024-03", "LW-LDA-03": "2024-03", "LW-LDA-04": "2024-03",
    "LW-LTC-01": "2024-03", "LW-LTC-02": "2025-03", "LW-LTC-03": "2025-03", "LW-LTC-04": "2025-03",
    "LW-MH-01": "2024-03", "LW-MH-02": "2024-03", "LW-MH-03": "2024-03",
    "LW-PC-01": "2025-03",  # printed twice: March 2024, then March 2025
    "LW-PC-02": "2025-03",
    "LW-WH-01": "2025-03", "LW-WH-02": "2025-03", "LW-WH-03": "2025-03",
    "AW-CS-01": "2024-12", "AW-CS-02": "2024-12", "AW-CS-03": "2024-12",
    "AW-CS-04": "2024-12",  # its cell continues the row above's December 2024 cell
    "AW-DEM-01": "2023-09", "AW-DEM-02": "2023-06", "AW-DEM-03": "2024-03",
    "AW-UEC-01": "2023-09", "AW-UEC-02": "2023-09", "AW-UEC-03": "2023-09",
    "AW-UEC-04": "2024-03", "AW-UEC-05": "2024-03",
    "AA-CAR-01": "2025-03",
    "AA-OB-01": "2023-06",
    "AA-OB-02": "2025-03",  # ownership of actions by June 2023; accreditation by March 2025
    "AA-OB-03": None,  # "Subject to confirmation ..."
    "AA-PC-01": "2024-03", "AA-PC-02": "2024-03", "AA-PC-03": "2025-03",
    "AA-EOL-01": "2024-03", "AA-EOL-02": "2025-03", "AA-EOL-03": "2025-03", "AA-EOL-04": "2025-03",
    "EN-CCL-01": "2023-07", "EN-CCL-02": "2023-09", "EN-CCL-03": "2025-03",
    "EN-CE-01": "2023-06", "EN-CE-02": "2024-03", "EN-CE-03": "2024-03", "EN-CE-04": "2024-03",
    "EN-DIG-01": "2024-03", "EN-DIG-02": "2024-03", "EN-DIG-03": "2025-03",
    "EN-DIG-04": "2025-03", "EN-DIG-05": "2025-03", "EN-DIG-06": "2025-03",
    "EN-EST-01": "2023-06", "EN-EST-02": "2023-07",
    "EN-EST-03": "2023-10",  # "Local outline plans by October 2023"
    "EN-EST-04": "2024-03",
    "EN-MO-01": "2024-03", "EN-MO-02": "2024-03", "EN-MO-03": "2024-03", "EN-MO-04": "2024-03",
    "EN-OD-01": "2023-10", "EN-OD-02": "2024-01", "EN-OD-03": "2024-01",
    "EN-PHM-01": "2023-09", "EN-PHM-02": "2024-03", "EN-PHM-03": "2024-03",
    "EN-WF-01": "2023-10",  # "Local approach agreed by October 2023"
    "EN-WF-02": "2023-10",  # "An advertised 'offer' by October 2023"
    "EN-WF-03": "2024-03", "EN-WF-04": "2025-03",
}


# --- reading the source -------------------------------------------------------------------------

class _CellText(HTMLParser):
    """A table cell's paragraphs and list items, in order, as plain text."""

    BLOCKS = frozenset({"p", "li", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # decodes &amp; and friends
        self.blocks: list[str] = []
        self._text: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        text = re.sub(r"^[•○]\s*", "", text)  # bullet characters typed into list items
        if text:
            self.blocks.append(text)
        self._text = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:  # inline tags (<b>, <u>, <a>) just vanish
        self._text.append(data.replace("\u00a0", " "))


def cell_blocks(cell: str) -> list[str]:
    parser = _CellText()
    parser.feed(cell)
    parser.close()
    parser._flush()
    return parser.blocks


def source_rows() -> list[dict]:
    """Every row of Agenda Item 5's objective tables, with the heading it is printed under."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Sefton Plan 2023 - 2025")  # the appendix to Agenda Item 5
    end = lines.index("# Agenda Item 7")
    rows, heading, in_table = [], None, False
    for number, line in enumerate(lines[start:end], start + 1):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        cells = line.split("\t")
        if "<b>Objective</b>" in cells[0]:
            assert [c.split("</b>")[0].split("<b>")[-1] for c in cells] == [
                "Objective", "Impact", "Timeframe"], number
            in_table = True
        elif in_table and len(cells) == 3:
            objective, impacts, timeframe = (cell_blocks(c) for c in cells)
            rows.append({"line": number, "heading": heading, "objective": "\n\n".join(objective),
                         "impacts": impacts, "timeframe": "\n\n".join(timeframe)})
        else:
            assert len(cells) == 1 or not in_table, f"line {number}: a row that is not 3 cells"
            in_table = False
    return rows


# --- reading the YAML ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plan() -> dict:
    return yaml.safe_load((PLAN / "plan.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def objectives(plan: dict) -> list[dict]:
    """All objectives in the plan's order, each with its area's code and name."""
    found = []
    for group in plan["groups"]:
        for area in group["areas"]:
            document = yaml.safe_load((PLAN / f"{area['id']}.yaml").read_text(encoding="utf-8"))
            for objective in document["objectives"]:
                found.append({**objective, "_code": area["code"], "_area": area["name"]})
    return found


@pytest.fixture(scope="module")
def by_id(objectives: list[dict]) -> dict[str, dict]:
    return {o["id"]: o for o in objectives}


# --- the checks ---------------------------------------------------------------------------------

def test_row_and_objective_counts(objectives: list[dict]) -> None:
    assert len(source_rows()) == SOURCE_ROWS
    assert len(objectives) == OBJECTIVES == SOURCE_ROWS - 1


def test_every_row_is_in_the_yaml_word_for_word_in_order(objectives: list[dict]) -> None:
    """Rows map onto objectives in order; a row repeating the row before joins that objective."""
    groups: list[list[dict]] = []
    for row in source_rows():
        if groups and groups[-1][0]["objective"] == row["objective"]:
            groups[-1].append(row)  # the Ophthalmology row, printed twice
        else:
            groups.append([row])
    assert [len(g) for g in groups].count(2) == 1 and len(groups) == len(objectives)

    for rows, objective in zip(groups, objectives, strict=True):
        where = f"{objective['id']} (source line {rows[0]['line']})"
        assert objective["objective"] == rows[0]["objective"], where
        assert objective["impacts"] == [i for row in rows for i in row["impacts"]], where
        assert objective["timeframe"] == "\n\n".join(row["timeframe"] for row in rows), where
        # printed under its area's heading ("Live Well - Cancer" is headed with a hyphen)
        assert rows[0]["heading"].replace(" - ", " – ") == objective["_area"], where


def test_target_months_are_those_read_from_the_document(objectives: list[dict]) -> None:
    assert {o["id"]: o["target_date"] for o in objectives} == EXPECTED_TARGET_MONTHS


def test_ids_are_unique_and_follow_their_area_code(objectives: list[dict]) -> None:
    ids = [o["id"] for o in objectives]
    assert len(ids) == len(set(ids))
    for objective in objectives:
        assert re.fullmatch(re.escape(objective["_code"]) + r"-\d\d", objective["id"])
    for code in {o["_code"] for o in objectives}:  # numbered 01, 02, ... in order
        numbers = [int(o["id"][-2:]) for o in objectives if o["_code"] == code]
        assert numbers == list(range(1, len(numbers) + 1)), code


def test_every_area_has_a_file_and_every_file_an_area(plan: dict) -> None:
    listed = [area["id"] for group in plan["groups"] for area in group["areas"]]
    codes = [area["code"] for group in plan["groups"] for area in group["areas"]]
    files = {p.stem for p in PLAN.glob("*.yaml")} - {"plan"}
    assert len(listed) == len(set(listed)) == len(set(codes)) == AREAS
    assert set(listed) == files


def test_ophthalmology_keeps_both_published_dates(by_id: dict[str, dict]) -> None:
    ophthalmology = by_id["LW-PC-01"]
    assert ophthalmology["timeframe"] == "March 2024\n\nMarch 2025"
    assert ophthalmology["target_date"] == "2025-03"
    assert [m["due"] for m in ophthalmology["milestones"]] == ["2024-03"]
    assert ophthalmology["notes"]


def test_named_numeric_targets_are_structured(by_id: dict[str, dict]) -> None:
    def targets(objective_id: str) -> list[tuple]:
        return [(t["value"], t["unit"], t["baseline"], t["due"])
                for t in by_id[objective_id]["targets"]]

    fds, early = (75, "percent", None, "2024-03"), (75, "percent", None, "2028")
    assert targets("LW-CAN-01") == [fds, early]
    assert targets("LW-CAN-02") == [early]
    assert targets("LW-CAN-03") == [fds, early]
    assert targets("LW-CAN-04") == [early]
    assert targets("LW-DIA-02") == [(90, "percent", None, "2025-03")]
    assert targets("LW-LDA-01") == [(75, "percent", None, "2024-03")]
    assert targets("LW-LDA-02") == [(6, "count", 8, "2024-03"), (1, "count", 2, "2024-03")]
    assert targets("AW-DEM-01") == [(66.7, "percent", None, "2023-09")]
    assert targets("AA-OB-02") == [(16, "count", None, "2025-03")]
    assert targets("AA-PC-01") == [(14, "days", None, "2024-03"), (1, "days", None, "2024-03")]
    assert targets("AA-EOL-02") == [(0.6, "percent", None, "2025-03")]
    assert [(m["description"], m["due"]) for m in by_id["AA-OB-02"]["milestones"]] == [
        ("Assign ownership of the Healthy Weight Declaration actions", "2023-06")]
    with_targets = {"LW-CAN-01", "LW-CAN-02", "LW-CAN-03", "LW-CAN-04", "LW-DIA-02", "LW-LDA-01",
                    "LW-LDA-02", "AW-DEM-01", "AA-OB-02", "AA-PC-01", "AA-EOL-02"}
    assert {i for i, o in by_id.items() if o["targets"]} == with_targets
    assert {i for i, o in by_id.items() if o["milestones"]} == {"LW-PC-01", "AA-OB-02"}
