"""A source's long-file sides and combined organisations as YAML (tracker/metrics/long_forms.py):
what is refused says why, with the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.metrics.test_definitions import _problems, _project
from tracker.metrics.definitions import load_metrics
from tracker.metrics.long_forms import RowsPick, combine_refusal, side_value, side_where

REGISTER = "{value: 100 * VALUE, where: \"MEASURE = 'DEMENTIA_REGISTER_65_PLUS'\"}"
ESTIMATE = "{value: VALUE, where: \"MEASURE = 'DEMENTIA_ESTIMATE_65_PLUS'\"}"


def _metric(source: str, unit: str = "percent") -> str:
    return (f"metrics:\n  - id: m\n    name: M\n    unit: {unit}\n    direction: neutral\n"
            f"    frequency: monthly\n    source:\n      file: extracts/x.csv\n      period: ACH_DATE\n"
            f"{source}")


def test_both_forms_of_a_side_are_read(tmp_path: Path) -> None:
    text = _metric(f"      org: ORG_CODE\n      numerator: {REGISTER}\n      denominator: {ESTIMATE}\n"
                   "      combine: {SEFTON: [01T, 01V]}\n")
    [placed], problems = load_metrics(_project(tmp_path, {"m.yaml": text}))
    assert problems == []
    source = placed.metric.source
    assert source.numerator == RowsPick(value="100 * VALUE", where="MEASURE = 'DEMENTIA_REGISTER_65_PLUS'")
    assert (side_value(source.numerator), side_where(source.denominator)) == (
        "100 * VALUE", "MEASURE = 'DEMENTIA_ESTIMATE_65_PLUS'")
    assert (side_value("seen"), side_where("seen")) == ("seen", None)  # value and filter: plain text
    assert source.combine == {"SEFTON": ["01T", "01V"]}


@pytest.mark.parametrize(("source", "line", "message"), [
    (f"      org: ORG_CODE\n      numerator: {REGISTER}\n      denominator: VALUE\n", 7,
     "source gives 'where' to one side of the ratio only: in a long file give both 'numerator' and "
     "'denominator' their own {value: ..., where: ...}, or neither"),
    ("      value: VALUE\n      combine: {SEFTON: [01T, 01V]}\n", 7,
     "source 'combine' needs the organisation column: give 'org'"),
    ("      org: ORG_CODE\n      value: VALUE\n      combine: {SEFTON: [01T, 01V], SOUTH: [01T]}\n", 7,
     "source 'combine' lists 01T more than once: each organisation goes into one combined "
     "organisation at most, once"),
    ("      org: ORG_CODE\n      value: VALUE\n      combine: {SEFTON: []}\n", 12,
     "'SEFTON' must not be empty"),
    (f"      org: ORG_CODE\n      numerator: {{value: VALUE}}\n      denominator: {ESTIMATE}\n", 7,
     "source gives 'where' to one side of the ratio only"),
    (f"      org: ORG_CODE\n      numerator: {{value: VALUE, where: x, when: y}}\n"
     f"      denominator: {ESTIMATE}\n", 11, "unknown key 'when'; did you mean 'where'?"),
    ("      org: ORG_CODE\n      numerator: {where: x}\n      denominator: VALUE\n", 11,
     "'value' is missing"),
])
def test_what_cannot_be_read_is_refused_with_its_line(tmp_path: Path, source: str, line: int,
                                                       message: str) -> None:
    [problem] = _problems(tmp_path, {"m.yaml": _metric(source, unit="count")})
    assert problem.startswith(f"data/metrics/m.yaml:{line}: ")
    assert message in problem


def test_a_where_too_deep_to_check_is_named_with_its_line_and_side(tmp_path: Path) -> None:
    deep = "+".join(["V"] * 340) + " > 0"
    text = _metric(f"      org: ORG_CODE\n      numerator: {REGISTER}\n"
                   f"      denominator:\n        value: VALUE\n        where: \"{deep}\"\n")
    assert _problems(tmp_path, {"m.yaml": text}) == [
        "data/metrics/m.yaml:14: metric m: the denominator's where expression has more than 100 "
        "operators or functions inside one another: add fewer terms in one expression, or compute "
        "a total in the extract"]


@pytest.mark.parametrize(("unit", "value", "refused"), [
    ("count", "VALUE", False), ("currency", "VALUE", False), ("percent", "VALUE", True),
    ("rate", "VALUE", True), ("days", "VALUE", True), ("ratio", "VALUE", True), ("score", "VALUE", True),
    ("percent", None, False),  # a numerator and denominator: added, then divided
])
def test_only_counts_given_as_value_are_added(unit: str, value: str | None, refused: bool) -> None:
    assert (combine_refusal(unit, value, {"SEFTON": ["01T", "01V"]}) is not None) == refused
    assert combine_refusal(unit, value, None) is None


@pytest.mark.parametrize("source", [
    f"      org: ORG_CODE\n      numerator: {REGISTER}\n      denominator: {ESTIMATE}\n",
    "      org: ORG_CODE\n      value: VALUE\n      combine: {SEFTON: [01T, 01V]}\n",
])
def test_a_benchmark_from_an_organisations_rows_is_refused_where_points_take_several_rows(
        tmp_path: Path, source: str) -> None:
    """England's own point would have to be put together as the area's is; until it is, the
    definition is refused rather than a wrong benchmark shown."""
    text = _metric(source, unit="count") + "    benchmark: {org: E92000001}\n"
    [problem] = _problems(tmp_path, {"m.yaml": text})
    assert problem.startswith("data/metrics/m.yaml:")
    assert "benchmark org 'E92000001' is not yet read from a long file or from combined" in problem
