"""pydantic's errors rewritten in plain English, each with its file and line, all of them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from tracker.plans.validation import validate_document, validate_items
from tracker.plans.yamlio import parse_yaml_text


class Update(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quarter: str
    rag: Literal["red", "amber", "green"]


class Objective(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    target_date: str | None = None
    score: float = 0
    updates: list[Update] = []


class Area(BaseModel):
    model_config = ConfigDict(extra="forbid")
    objectives: list[Objective]


def _messages(text: str) -> list[str]:
    _, problems = validate_document(parse_yaml_text(text, "area.yaml"), Area)
    return [str(p) for p in problems]


def test_every_error_is_reported_with_its_line_in_plain_english() -> None:
    text = ("objectives:\n"
            "  - id: A-01\n"
            "    target_dte: 2024-03\n"
            "    score: lots\n"
            "    updates:\n"
            "      - quarter: 2023-24 Q1\n"
            "        rag: purple\n"
            "  - target_date: 2024-06\n")
    assert _messages(text) == [
        "area.yaml:3: unknown key 'target_dte'; did you mean 'target_date'?",
        "area.yaml:4: 'score' should be a number, not 'lots'",
        "area.yaml:7: rag 'purple' is not allowed: use 'red', 'amber' or 'green'",
        "area.yaml:8: 'id' is missing: add it (it is required here)",
    ]


def test_an_unknown_key_with_no_near_name_lists_the_allowed_ones() -> None:
    assert _messages("objectives: []\nzzz: 1\n") == [
        "area.yaml:2: unknown key 'zzz'; allowed here: objectives"]


def test_an_empty_file_says_what_it_should_hold() -> None:
    assert _messages("") == ["area.yaml:1: should be a set of 'key: value' lines, but is empty"]


def test_a_list_where_keys_belong_is_described_in_words() -> None:
    assert _messages("objectives:\n  - id: [A, B]\n") == ["area.yaml:2: 'id' should be text, not a list"]


def test_one_bad_item_costs_only_that_item() -> None:
    doc = parse_yaml_text("objectives:\n  - id: A-01\n  - id: A-02\n    rag: red\n  - id: A-03\n",
                          "area.yaml")
    problems, items = validate_items(doc, Area, "objectives")
    assert problems == [] and items is not None
    assert [item.parsed.id if item.parsed else None for item in items] == ["A-01", None, "A-03"]
    assert [(loc, str(p)) for loc, p in items[1].errors] == [
        (("rag",), "area.yaml:4: unknown key 'rag'; allowed here: id, target_date, score, updates")]
