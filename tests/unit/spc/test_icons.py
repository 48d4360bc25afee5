"""The Making Data Count icons: each says its standard name, and the right one is drawn for a
series (the NHSRplotthedots icon cases in tests/testdata/spc/)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tracker.metrics.scorecard_view import MetricView
from tracker.report import charts
from tracker.spc import palette
from tracker.spc.icons import (
    ASSURANCE_NAMES,
    VARIATION_NAMES,
    assurance_svg,
    icon_key_html,
    sparkline_svg,
    variation_svg,
)
from tracker.spc.xmr import spc

CASES = {c["name"].split(":")[0]: c for c in json.loads(
    (Path(__file__).resolve().parents[2] / "testdata/spc/plotthedots_cases.json").read_text())["cases"]}

STANDARD_VARIATION = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improving variation, high",
    "improvement_low": "Special cause improving variation, low",
    "concern_high": "Special cause concerning variation, high",
    "concern_low": "Special cause concerning variation, low",
    "neutral_high": "Special cause neither improving nor concerning variation, high",
    "neutral_low": "Special cause neither improving nor concerning variation, low",
}
STANDARD_ASSURANCE = {
    "consistent_pass": "The system is expected to consistently pass the target",
    "consistent_fail": "The system is expected to consistently fail the target",
    "inconsistent": "The system may achieve or fail the target subject to random variation",
}


def _alt(svg: str) -> tuple[str, str, str]:
    """(role, aria-label, title) of an icon."""
    role = re.search(r'<svg[^>]* role="([^"]*)"', svg)
    label = re.search(r'<svg[^>]* aria-label="([^"]*)"', svg)
    title = re.search(r"<title>([^<]*)</title>", svg)
    assert role and label and title, svg[:200]
    return role.group(1), label.group(1), title.group(1)


def _letters(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


@pytest.mark.parametrize(("kind", "name"), sorted(STANDARD_VARIATION.items()))
def test_each_variation_icon_says_its_standard_name(kind: str, name: str) -> None:
    assert _alt(variation_svg(kind)) == ("img", name, name)
    assert VARIATION_NAMES[kind] == name


@pytest.mark.parametrize(("kind", "name"), sorted(STANDARD_ASSURANCE.items()))
def test_each_assurance_icon_says_its_standard_name(kind: str, name: str) -> None:
    assert _alt(assurance_svg(kind)) == ("img", name, name)
    assert ASSURANCE_NAMES[kind] == name


def test_the_icons_are_drawn_to_the_design() -> None:
    """H above rising points or L below falling ones, in the kind's colour; P, F or ?."""
    colours = {"improvement": palette.IMPROVEMENT, "concern": palette.CONCERN,
               "neutral": palette.NEUTRAL}
    for kind in STANDARD_VARIATION:
        svg = variation_svg(kind)
        if kind == "common_cause":
            assert _letters(svg) == []
            assert f'stroke="{palette.COMMON}"' in svg and "#0072c6" not in svg
            continue
        colour = colours[kind.split("_")[0]]
        assert _letters(svg) == (["H"] if kind.endswith("high") else ["L"])
        assert f'<circle cx="50" cy="50" r="45" fill="#ffffff" stroke="{colour}"' in svg
        assert svg.count(f'r="5.5" fill="{colour}"') == 2  # the last two points are coloured
    assert [_letters(assurance_svg(k)) for k in STANDARD_ASSURANCE] == [["P"], ["F"], ["?"]]
    assert f'stroke="{palette.IMPROVEMENT}"' in assurance_svg("consistent_pass")
    assert f'stroke="{palette.CONCERN}"' in assurance_svg("consistent_fail")


def test_an_unknown_kind_is_an_error_not_a_blank_icon() -> None:
    with pytest.raises(KeyError):
        variation_svg("improving")


def _case(name: str, negate: bool = False, direction: str | None = None) -> Any:
    case = CASES[name]
    values = [-v for v in case["values"]] if negate else case["values"]
    target = case["target"]
    return spc([dt.date.fromisoformat(d) for d in case["dates"]], values,
               direction=direction or case["improvement_direction"],
               target=-target if negate and target is not None else target)


@pytest.mark.parametrize(("case", "negate", "variation", "assurance"), [
    ("icons s2", False, "Common cause variation",
     "The system may achieve or fail the target subject to random variation"),
    ("icons s5", False, "Special cause improving variation, high",
     "The system is expected to consistently pass the target"),
    ("icons s6", False, "Special cause concerning variation, high",
     "The system is expected to consistently fail the target"),
    ("icons s7", False, "Special cause concerning variation, low",
     "The system is expected to consistently fail the target"),
    ("icons s8", False, "Special cause improving variation, low",
     "The system is expected to consistently pass the target"),
    ("icons s9", False, "Special cause neither improving nor concerning variation, low", None),
    ("icons s9", True, "Special cause neither improving nor concerning variation, high", None),
])
def test_the_icon_for_a_known_series_has_the_right_name(
    case: str, negate: bool, variation: str, assurance: str | None,
) -> None:
    result = _case(case, negate)
    assert _alt(variation_svg(result.variation_icon))[1] == variation
    if assurance is None:
        assert result.assurance_icon is None
    else:
        assert _alt(assurance_svg(result.assurance_icon))[1] == assurance


def test_a_metric_s_words_are_its_icon_s_name() -> None:
    """The scorecard's words and the icon's text alternative come from one mapping."""
    view = MetricView("m", "M", None, "percent", "higher_is_better", False, "spc", "", points=None)  # type: ignore[arg-type]
    view.variation_icon, view.assurance_icon = "concern_low", "consistent_fail"
    assert view.variation_label == _alt(variation_svg("concern_low"))[1]
    assert view.assurance_label == _alt(assurance_svg("consistent_fail"))[1]
    assert not re.search("[〰⬆⬇]", view.variation_label)  # no glyph that needs a font we lack


def test_charts_colour_points_with_the_icons_palette() -> None:
    assert charts.COLOURS == palette.POINT_COLOURS
    assert charts.COLOURS["special_cause_improvement"] == palette.IMPROVEMENT
    assert charts.COLOURS["special_cause_concern"] == palette.CONCERN


def test_the_key_names_every_icon() -> None:
    key = icon_key_html()
    for name in [*STANDARD_VARIATION.values(), *STANDARD_ASSURANCE.values()]:
        assert f'aria-label="{name}"' in key and f'<th scope="row">{name}</th>' in key


def test_a_sparkline_escapes_its_label_and_marks_the_latest_point() -> None:
    svg = sparkline_svg([1.0, 3.0, float("nan"), 2.0], 'Trend of <b onclick="x">A&E</b>',
                        last_colour=palette.CONCERN)
    assert "<b" not in svg and "&lt;b onclick=&quot;x&quot;&gt;A&amp;E" in svg
    assert svg.count(" M") + svg.count('"M') == 2  # the missing point leaves a gap
    assert f'fill="{palette.CONCERN}"' in svg
