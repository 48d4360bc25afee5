"""The Sefton Plan 2023-25 YAML against the published Board pack, row by row.

The source is the public document pack (docs/sources/), Agenda Item 5: every
row of every "Objective / Impact / Timeframe" table must be in the YAML with
its words, impacts and timeframe, and with the target month a person reads
from it. The expected months below were written by hand from the document,
not generated from the YAML.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "docs/sources/sefton-plan-2023-25-and-send-jcp-board-pack.md"
PLAN = REPO / "objectives/sefton-plan-2023-25"

EXPECTED_TARGET_MONTHS = {
    "CC-SCT-01": None, "CC-SCT-02": None,
    "CC-CF-01": "2025-03", "CC-CF-02": "2025-03", "CC-CF-03": "2025-03", "CC-CF-04": "2025-03",
    "CC-CF-05": "2025-03", "CC-CF-06": "2025-03",
    "SW-CYP-01": "2024-03", "SW-CYP-02": "2024-03", "SW-CYP-03": "2024-03",
    "SW-EH-01": "2024-04", "SW-EH-02": "2025-03", "SW-EH-03": "2025-03",
    "SW-MAT-01": "2024-03", "SW-MAT-02": "2025-03", "SW-MAT-03": "2025-03", "SW-MAT-04": "2025-03",
    "LW-CAN-01": "2023-06", "LW-CAN-02": "2024-03", "LW-CAN-03": "2025-03", "LW-CAN-04": "2025-03",
    "LW-CL-01": "2024-03", "LW-CL-02": "2024-03", "LW-CL-03": "2024-03",
    "LW-DIA-01": "2025-03", "LW-DIA-02": "2025-03", "LW-DIA-03": "2025-03", "LW-DIA-04": "2025-03",
    "LW-LDA-01": "2024-03", "LW-LDA-02": "2024-03", "LW-LDA-03": "2024-03", "LW-LDA-04": "2024-03",
    "LW-LTC-01": "2024-03", "LW-LTC-02": "2025-03", "LW-LTC-03": "2025-03", "LW-LTC-04": "2025-03",
    "LW-MH-01": "2024-03", "LW-MH-02": "2024-03", "LW-MH-03": "2024-03",
    "LW-PC-01": "2025-03", "LW-PC-02": "2025-03",
    "LW-WH-01": "2025-03", "LW-WH-02": "2025-03", "LW-WH-03": "2025-03",
    "AW-CS-01": "2024-12", "AW-CS-02": "2024-12", "AW-CS-03": "2024-12", "AW-CS-04": "2024-12",
    "AW-DEM-01": "2023-09", "AW-DEM-02": "2023-06", "AW-DEM-03": "2024-03",
    "AW-UEC-01": "2023-09", "AW-UEC-02": "2023-09", "AW-UEC-03": "2023-09", "AW-UEC-04": "2024-03",
    "AW-UEC-05": "2024-03",
    "AA-CAR-01": "2025-03",
    "AA-OB-01": "2023-06", "AA-OB-02": "2025-03", "AA-OB-03": None,
    "AA-PC-01": "2024-03", "AA-PC-02": "2024-03", "AA-PC-03": "2025-03",
    "AA-EOL-01": "2024-03", "AA-EOL-02": "2025-03", "AA-EOL-03": "2025-03", "AA-EOL-04": "2025-03",
    "EN-CCL-01": "2023-07", "EN-CCL-02": "2023-09", "EN-CCL-03": "2025-03",
    "EN-CE-01": "2023-06", "EN-CE-02": "2024-03", "EN-CE-03": "2024-03", "EN-CE-04": "2024-03",
    "EN-DIG-01": "2024-03", "EN-DIG-02": "2024-03", "EN-DIG-03": "2025-03", "EN-DIG-04": "2025-03",
    "EN-DIG-05": "2025-03", "EN-DIG-06": "2025-03",
    "EN-EST-01": "2023-06", "EN-EST-02": "2023-07", "EN-EST-03": "2023-10", "EN-EST-04": "2024-03",
    "EN-MO-01": "2024-03", "EN-MO-02": "2024-03", "EN-MO-03": "2024-03", "EN-MO-04": "2024-03",
    "EN-OD-01": "2023-10", "EN-OD-02": "2024-01", "EN-OD-03": "2024-01",
    "EN-PHM-01": "2023-09", "EN-PHM-02": "2024-03", "EN-PHM-03": "2024-03",
    "EN-WF-01": "2023-10", "EN-WF-02": "2023-10", "EN-WF-03": "2024-03", "EN-WF-04": "2025-03",
}


def _clean(fragment: str) -> str:
    fragment = re.sub(r"</?(b|u|i|em|strong|span)\b[^>]*>", "", fragment)
    fragment = re.sub(r"<[^>]+>", " ", fragment)
    return " ".join(html.unescape(fragment).replace("\u00a0", " ").split())


def _items(cell: str) -> list[str]:
    """A cell's paragraphs and list items, in order, each cleaned, bullets dropped."""
    items = []
    for part in re.split(r"</p>|</li>", cell):
        before, _, item = part.partition("<li")
        for text in (_clean(before), _clean("<li" + item) if item else ""):
            text = re.sub(r"^•\s*", "", text)
            if text:
                items.append(text)
    return items


def source_rows() -> list[dict[str, list[str]]]:
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    start = lines.index("# Our objectives for 2025")
    end = lines.index("# Delivering our objectives")
    rows = []
    for line in lines[start:end]:
        cells = line.split("\t")
        if len(cells) == 3 and "What are we trying to achieve" not in line:
            rows.append({"objective": _items(cells[0]), "impacts": _items(cells[1]),
                         "timeframe": _items(cells[2])})
    return rows


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def plan() -> dict:
    return yaml.safe_load((PLAN / "plan.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def objectives(plan: dict) -> dict[str, dict]:
    found = {}
    for group in plan["groups"]:
        for area in group["areas"]:
            document = yaml.safe_load((PLAN / f"{area['id']}.yaml").read_text(encoding="utf-8"))
            for objective in document["objectives"]:
                found[objective["id"]] = {**objective, "_code": area["code"]}
    return found


def test_every_source_row_is_counted(objectives: dict[str, dict]) -> None:
    rows = source_rows()
    assert len(rows) == 100  # 99 objectives; Ophthalmology is printed twice
    assert len(objectives) == 99


def test_every_row_is_in_the_yaml_word_for_word(objectives: dict[str, dict]) -> None:
    by_text: dict[str, list[dict]] = {}
    for objective in objectives.values():
        by_text.setdefault(_flat(objective["objective"]), []).append(objective)
    for row in source_rows():
        text = " ".join(row["objective"])
        assert text in by_text, f"objective not found: {text[:80]}"
        [objective] = by_text[text]
        if row["impacts"]:
            assert row["impacts"] == objective["impacts"], objective["id"]
        assert " ".join(row["timeframe"]) in _flat(objective["timeframe"]), objective["id"]


def test_target_months_are_those_read_from_the_document(objectives: dict[str, dict]) -> None:
    assert {k: v["target_date"] for k, v in objectives.items()} == EXPECTED_TARGET_MONTHS


def test_ophthalmology_keeps_both_published_dates(objectives: dict[str, dict]) -> None:
    ophthalmology = objectives["LW-PC-01"]
    assert ophthalmology["target_date"] == "2025-03"
    assert [m["due"] for m in ophthalmology["milestones"]] == ["2024-03"]
    assert "March 2024" in ophthalmology["timeframe"] and "March 2025" in ophthalmology["timeframe"]


def test_named_numeric_targets_are_structured(objectives: dict[str, dict]) -> None:
    def targets(objective_id: str) -> list[tuple]:
        return [(t["value"], t["unit"], t["baseline"], str(t["due"]))
                for t in objectives[objective_id]["targets"]]

    assert targets("LW-CAN-01") == [(75, "percent", None, "2024-03"), (75, "percent", None, "2028")]
    assert targets("AW-DEM-01") == [(66.7, "percent", None, "2023-09")]
    assert targets("LW-LDA-01") == [(75, "percent", None, "2024-03")]
    assert targets("LW-LDA-02") == [(6, "count", 8, "2024-03"), (1, "count", 2, "2024-03")]
    assert targets("LW-DIA-02") == [(90, "percent", None, "2025-03")]


def test_ids_follow_their_area_code_and_files_match_the_plan(
    plan: dict, objectives: dict[str, dict]
) -> None:
    for objective_id, objective in objectives.items():
        assert re.fullmatch(re.escape(objective["_code"]) + r"-\d\d", objective_id)
    listed = {area["id"] for group in plan["groups"] for area in group["areas"]}
    files = {p.stem for p in PLAN.glob("*.yaml")} - {"plan"}
    assert listed == files
    assert len(listed) == 28
