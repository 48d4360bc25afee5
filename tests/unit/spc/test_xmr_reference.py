"""Every NHSRplotthedots 0.2.2 case (tests/testdata/spc/plotthedots_cases.json) as a test.

'expected' holds what the package's own tests, snapshots and vignettes assert
(rounded as 'tolerance' says); 'derived' holds values computed from the rules
(SPC-RULES.md beside it) for edge cases. Both are checked: limits within 1e-9
relative where the case gives full precision, identical labels, point types
and icons.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from tracker.spc import xmr as S

CASES = json.loads(
    (Path(__file__).resolve().parents[2] / "testdata/spc/plotthedots_cases.json").read_text()
)["cases"]
SERIES = [c for c in CASES if c["kind"] == "series"]
HELPERS = [c for c in CASES if c["kind"] == "rule_helper"]
RELATIVE = 1e-9


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _run(case: dict[str, Any], **overrides: Any) -> S.SpcResult:
    options = dict(case.get("options") or {})
    dates = [_date(d) for d in case["dates"]]
    if "rebase_dates" in options:
        rebase = [_date(d) for d in options["rebase_dates"]]
    else:
        rebase = [dates[i] for i in options.get("rebase_at_index", [])]
    kwargs: dict[str, Any] = {
        "direction": case["improvement_direction"], "target": case["target"], "rebase": rebase,
        "fix_after_n_points": options.get("fix_after_n_points"),
        "screen_outliers": options.get("screen_outliers", True),
        "trial_limit_threshold": options.get("trial_limit_threshold", S.TRIAL_LIMIT_THRESHOLD),
    }
    kwargs.update(overrides)
    return S.spc(dates, case["values"], **kwargs)


def _close(actual: float, expected: float, absolute: float | None) -> bool:
    if absolute is not None:
        return abs(actual - expected) <= absolute
    return abs(actual - expected) <= RELATIVE * max(abs(expected), 1e-12)


def _check_limits(points: Any, expected: dict[str, Any], absolute: float | None) -> None:
    last = points.iloc[-1]
    for key in ("mean", "lpl", "upl"):
        if key in expected:
            assert _close(last[key], expected[key], absolute), (key, last[key], expected[key])


def _check_common(result: S.SpcResult, expected: dict[str, Any], absolute: float | None) -> None:
    points = result.points
    _check_limits(points, expected, absolute)
    if "special_cause_type" in expected:
        assert list(points["special_cause_type"]) == expected["special_cause_type"]
    if "special_cause_flag" in expected:
        assert list(points["special_cause_flag"]) == expected["special_cause_flag"]
    if "point_type" in expected:
        assert list(points["point_type"]) == expected["point_type"]
    if "variation_icon" in expected:
        assert result.variation_icon == expected["variation_icon"]
    if "assurance_icon" in expected:
        assert result.assurance_icon == expected["assurance_icon"]
    if "short_group_warning" in expected:
        assert bool(points["trial_limits"].iloc[-1]) is expected["short_group_warning"]


@pytest.mark.parametrize("case", SERIES, ids=[c["name"][:60] for c in SERIES])
def test_series_case(case: dict[str, Any]) -> None:
    result = _run(case)
    points = result.points
    expected = case["expected"]
    absolute = (case.get("tolerance") or {}).get("mean_lpl_upl_abs")
    if absolute is not None and absolute <= 1e-9:
        absolute = None  # full precision: compare relatively
    _check_common(result, expected, absolute)
    for key, column in (("relative_to_mean_prefix", "relative_to_mean"),
                        ("outside_limits_prefix", "outside_limits"),
                        ("close_to_limits_prefix", "close_to_limits")):
        if key in expected:
            prefix = expected[key]
            assert list(points[column])[: len(prefix)] == prefix, key
    if "n_points" in expected:
        assert len(points) == expected["n_points"]
    if "n_common_cause" in expected:
        assert int((points["point_type"] == "common_cause").sum()) == expected["n_common_cause"]
    if "n_special_cause_improvement" in expected:
        improvement = int((points["point_type"] == "special_cause_improvement").sum())
        assert improvement == expected["n_special_cause_improvement"]
    if "variation_icon_without_target" in expected:
        assert _run(case, target=None).variation_icon == expected["variation_icon_without_target"]
    if "range_wider_than_screened" in expected:
        screened = _run(case, screen_outliers=True).points.iloc[-1]
        last = points.iloc[-1]
        assert last["upl"] - last["lpl"] > screened["upl"] - screened["lpl"]
    if "lpl_differs_from_unfixed" in expected:
        unfixed = _run(case, fix_after_n_points=None).points.iloc[-1]
        assert points.iloc[-1]["lpl"] != unfixed["lpl"]
        assert points.iloc[-1]["upl"] != unfixed["upl"]
    if "point_type_last2" in expected:
        assert list(points["point_type"])[-2:] == expected["point_type_last2"]
    if "point_5_type" in expected:
        types = list(points["point_type"])
        assert types[4] == expected["point_5_type"]
        assert set(types[:4] + types[5:]) == {expected["other_points"]}
    if "rebase_groups" in expected:
        assert sorted(points["rebase_group"].unique()) == expected["rebase_groups"]
    if "rebase_group_per_point" in expected:  # the group starting at the rebase date, as R's cumsum
        groups = list(points["rebase_group"])
        assert [g - groups[0] for g in groups] == expected["rebase_group_per_point"]
    if expected.get("limits_shift_at_rebase"):
        first, *_, last = [g.iloc[0] for _, g in points.groupby("rebase_group", sort=True)]
        assert (first["mean"], first["lpl"], first["upl"]) != (last["mean"], last["lpl"], last["upl"])
    if "run_of_8_consecutive_special_cause_improvement_by_7_points_one_side_rule" in expected:
        run = best = 0
        for label, kind in zip(points["special_cause_type"], points["point_type"], strict=True):
            one_side = label.startswith("7 Points") and kind == "special_cause_improvement"
            run = run + 1 if one_side else 0
            best = max(best, run)
        assert best >= 8
    _check_segments(points, expected, absolute)
    if "derived" in case:
        _check_common(result, case["derived"], None)
        _check_segments(points, case["derived"], None)
    if "derived_mdc_2023_variant" in case:
        variant = _run(case, two_in_three_counts_outside=True)
        _check_common(variant, case["derived_mdc_2023_variant"], None)


def _check_segments(points: Any, expected: dict[str, Any], absolute: float | None) -> None:
    segments = expected.get("segments")
    groups = [g for _, g in points.groupby("rebase_group", sort=True)]
    if isinstance(segments, int):
        assert len(groups) == segments
    elif isinstance(segments, list):
        assert len(groups) == len(segments)
        for group, want in zip(groups, segments, strict=True):
            assert len(group) == want["n"]
            _check_limits(group, want, absolute)
            assert bool(group["trial_limits"].iloc[0]) is want["short_group_warning"]
    if "points_per_segment" in expected:
        assert {len(g) for g in groups} == {expected["points_per_segment"]}
    if "short_group_caption_shown" in expected:
        assert bool(points["trial_limits"].any()) is expected["short_group_caption_shown"]


def _helper(case: dict[str, Any]) -> Any:
    given = case["input"]
    rule = case["rule"]
    if rule == "trend_7_end_marker":
        return S.trend_end_markers(given["y"])
    if rule == "run_membership_7":
        return S.run_membership(given["end_markers"])
    if rule == "shift_7_end_marker":
        return S.shift_end_markers(given["relative_to_mean"])
    if rule == "two_in_three_window":
        return S.two_in_three_window(given["close_to_limits"], given["relative_to_mean"])
    if rule == "two_in_three_flag":
        window = S.two_in_three_window(given["close_to_limits"], given["relative_to_mean"])
        return S.two_in_three_flags(window, given["close_to_limits"])
    if rule == "precedence":
        return S.special_cause_labels(given["y"], given["relative_to_mean"], given["outside_limits"],
                                      given["trend_member"], given["shift_member"],
                                      given["two_in_three_member"])
    if rule == "rebase":
        return S.rebase_markers([_date(d) for d in given["dates"]], [_date(d) for d in given["rebase"]])
    if rule == "rebase_group_sizes":
        markers = S.rebase_markers([_date(d) for d in given["dates"]], [_date(d) for d in given["rebase"]])
        groups = list(itertools.accumulate(markers))
        sizes = [groups.count(g) for g in sorted(set(groups))]
        return {"group_sizes": sizes, "short_group_caption_shown":
                any(S.short_group_warning(n, given["threshold"]) for n in sizes)}
    if rule == "short_group_warning":
        if "group_sizes" in given:
            return [S.short_group_warning(n, given["threshold"]) for n in given["group_sizes"]]
        return S.short_group_warning(given["n"], given["threshold"])
    if rule == "assurance":
        return _assurance(given)
    if rule == "validation":
        return _validation(given)
    raise AssertionError(f"no test for rule {rule}")


def _assurance(given: dict[str, Any]) -> list[str | None]:
    direction = S.improvement_direction(given["improvement_direction"])
    if "row_orders" in given:  # the last row's limits decide
        return [S.assurance_icon(direction, given["target"], rows[-1]["lpl"], rows[-1]["upl"])
                for rows in given["row_orders"]]
    if "limits" not in given:
        return [S.assurance_icon(direction, given["target"], 0.0, 1.0)]
    return [S.assurance_icon(direction, given["target"], lim["lpl"], lim["upl"])
            for lim in given["limits"]]


def _validation(given: dict[str, Any]) -> Any:
    if "fix_after_n_points" in given:
        outcomes = []
        for value in given["fix_after_n_points"]:
            try:
                S.check_fix_after_n_points(value)
                outcomes.append("ok")
            except (ValueError, TypeError):
                outcomes.append("error")
        return outcomes
    try:
        S.improvement_direction(given["bad"])
        bad = "ok"
    except ValueError:
        bad = "error"
    return {"default": S.improvement_direction(given["default"]), "bad": bad}


@pytest.mark.parametrize("case", HELPERS, ids=[c["name"][:60] for c in HELPERS])
def test_rule_helper_case(case: dict[str, Any]) -> None:
    assert _helper(case) == case["expected"]


def test_every_case_is_run() -> None:
    assert len(SERIES) + len(HELPERS) == len(CASES) == 86


@pytest.mark.parametrize(("relative_to_mean", "start"), [
    ([-1] * 5 + [1] * 7, 5),                 # 7 above to the latest point: from the first of them
    ([-1] * 5 + [1] * 6, None),              # 6 are not a shift
    ([-1] * 5 + [1] * 7 + [-1], None),       # the latest point has gone back: no longer sustained
    ([1] * 3 + [0] + [1] * 7, 4),            # a point on the mean ends the run, as for the shift rule
    ([1] * 12, None),                        # the whole group: nothing before it to rebase from
    ([-1, 1] * 6 + [0], None),
])
def test_a_sustained_shift_to_the_latest_point_is_where_a_rebase_is_suggested(
    relative_to_mean: list[int], start: int | None,
) -> None:
    assert S.sustained_shift_start(relative_to_mean) == start
