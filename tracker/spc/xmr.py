"""Statistical process control (XmR) as NHS England's Making Data Count defines it.

The reference is NHSRplotthedots 0.2.2; `../shared/reference/SPC-RULES.md`
gives its rules with file and line references, and the tests run its cases.
The small helpers below mirror the package's own helpers one for one, so that
each rule can be checked against the case that pins it:

- mean of the points; moving ranges screened once at 3.267 x their mean;
  process limits at mean +/- 2.66 x the (screened) mean moving range;
- special causes, in precedence order: outside the limits; a 7-point trend
  (6 strictly rising or falling steps); 2 of 3 points beyond two sigma on one
  side (points beyond the limits do not count, unless the November 2023 Making
  Data Count variant is asked for); a 7-point shift on one side of the mean
  (a point exactly on the mean breaks it);
- the variation icon from the last point, the assurance icon from the target
  against the last point's limits, strictly.

Calculation only: this returns a table, one row per point. Charts are drawn
from the table elsewhere (`tracker.report.charts`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

Direction = Literal["increase", "decrease", "neutral"]
DIRECTIONS: dict[str, Direction] = {
    "increase": "increase", "decrease": "decrease", "neutral": "neutral",
    "higher_is_better": "increase", "lower_is_better": "decrease",
}
MR_SCREEN = 3.267
LIMIT_FACTOR = 2.66
TWO_SIGMA_FACTOR = 2 * LIMIT_FACTOR / 3
RUN = 7
TRIAL_LIMIT_THRESHOLD = 13  # the package's default: groups of fewer than 13 points
COMMON = "Common Cause"


# --- options ------------------------------------------------------------------------


def improvement_direction(value: str | None) -> Direction:
    """'increase' by default; the metric YAML's higher/lower_is_better are accepted too."""
    if value is None:
        return "increase"
    if value not in DIRECTIONS:
        raise ValueError(
            f"improvement direction '{value}' is not one of increase, decrease, neutral"
        )
    return DIRECTIONS[value]


def check_fix_after_n_points(value: object) -> int | None:
    """None (use every point) or a single whole number of at least 12."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 12:
        raise ValueError("fix_after_n_points must be a single number of at least 12")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("fix_after_n_points must be a whole number")
    return int(value)


# --- the package's rule helpers, one for one --------------------------------------


def rebase_markers(dates: Sequence[dt.date], rebase: Sequence[dt.date]) -> list[int]:
    """1 on each point whose date is a rebase date: it starts a new group."""
    wanted = set(rebase)
    return [1 if d in wanted else 0 for d in dates]


def trend_end_markers(y: Sequence[float]) -> list[int]:
    """+1 / -1 at the last point of every 7 points that rise (fall) strictly at each step."""
    markers = [0] * len(y)
    for end in range(RUN - 1, len(y)):
        steps = [y[i] - y[i - 1] for i in range(end - RUN + 2, end + 1)]
        if all(s > 0 for s in steps):
            markers[end] = 1
        elif all(s < 0 for s in steps):
            markers[end] = -1
    return markers


def shift_end_markers(relative_to_mean: Sequence[int]) -> list[int]:
    """1 at the last point of every 7 points on the same side of the mean (never on it)."""
    markers = [0] * len(relative_to_mean)
    for end in range(RUN - 1, len(relative_to_mean)):
        window = relative_to_mean[end - RUN + 1: end + 1]
        if window[0] != 0 and all(v == window[0] for v in window):
            markers[end] = 1
    return markers


def run_membership(end_markers: Sequence[int]) -> list[int]:
    """1 for every point inside a 7-point run that some end marker closes."""
    n = len(end_markers)
    return [1 if any(end_markers[j] != 0 for j in range(i, min(i + RUN, n))) else 0
            for i in range(n)]


def two_in_three_window(close: Sequence[int], relative_to_mean: Sequence[int]) -> list[int]:
    """1 for every point of a window of 3 with 2+ close points, all strictly on one side."""
    n = len(close)
    member = [0] * n
    for start in range(n - 2):
        sides = relative_to_mean[start: start + 3]
        if sum(1 for c in close[start: start + 3] if c) >= 2 and sides[0] != 0 \
                and all(s == sides[0] for s in sides):
            member[start: start + 3] = [1, 1, 1]
    return member


def two_in_three_flags(window: Sequence[int], close: Sequence[int]) -> list[int]:
    """Of the points in a qualifying window, only the close ones are flagged."""
    return [1 if w and c else 0 for w, c in zip(window, close, strict=True)]


def special_cause_labels(
    y: Sequence[float], relative_to_mean: Sequence[int], outside: Sequence[int],
    trend_member: Sequence[int], shift_member: Sequence[int], two_in_three_member: Sequence[int],
) -> list[str]:
    """The package's label per point, by precedence: outside > trend > 2 in 3 > shift."""
    labels = []
    n = len(y)
    for i in range(n):
        above = relative_to_mean[i] > 0
        if outside[i]:
            labels.append("Above UCL" if relative_to_mean[i] == 1 else "Below LCL")
        elif trend_member[i]:
            labels.append(f"7 Point Trend ({_trend_direction(y, trend_member, i)})")
        elif two_in_three_member[i]:
            labels.append(f"2 in 3 {'Above' if above else 'Below'} CL")
        elif shift_member[i]:
            labels.append(f"7 Points {'Above' if above else 'Below'} CL")
        else:
            labels.append(COMMON)
    return labels


def _trend_direction(y: Sequence[float], trend_member: Sequence[int], i: int) -> str:
    """The step to the next point if it is in the trend too, else the step from the previous."""
    if i + 1 < len(y) and trend_member[i + 1]:
        step = y[i + 1] - y[i]
    else:
        step = y[i] - y[i - 1] if i > 0 else 0
    return "Increasing" if step > 0 else "Decreasing"


def point_type(label: str, direction: Direction) -> str:
    """Improvement, concern or neutral, from the label's side and the metric's direction."""
    score = 1 if ("Above" in label or "Increasing" in label) else \
        -1 if ("Below" in label or "Decreasing" in label) else 0
    if score == 0:
        return "common_cause"
    if direction == "neutral":
        return "special_cause_neutral_high" if score > 0 else "special_cause_neutral_low"
    signed = score * (1 if direction == "increase" else -1)
    return "special_cause_improvement" if signed > 0 else "special_cause_concern"


def variation_icon(last_point_type: str, direction: Direction) -> str:
    """The icon from the last point's type (earlier special causes do not matter)."""
    high = direction == "increase"
    return {
        "common_cause": "common_cause",
        "special_cause_improvement": "improvement_high" if high else "improvement_low",
        "special_cause_concern": "concern_low" if high else "concern_high",
        "special_cause_neutral_high": "neutral_high",
        "special_cause_neutral_low": "neutral_low",
    }[last_point_type]


def assurance_icon(direction: Direction, target: float | None, lpl: float, upl: float) -> str | None:
    """Whether the process will meet the target: pass, fail, or hit and miss (strictly)."""
    if target is None or direction == "neutral" or _missing(target):
        return None
    if target > upl:
        return "consistent_fail" if direction == "increase" else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if direction == "increase" else "consistent_fail"
    return "inconsistent"


def sustained_shift_start(relative_to_mean: Sequence[int], run: int = RUN) -> int | None:
    """Where a run of at least `run` points on one side of the mean that reaches the latest
    point begins, or None.

    Our rule for suggesting a rebase (NHSRplotthedots has none: it never rebases on its
    own): the shift rule's run length, continuing to the latest point, within the latest
    group and not the whole of it (a run that fills the group would leave nothing before
    it). A point exactly on the mean ends the run, as it does for the shift rule.
    """
    if not relative_to_mean or relative_to_mean[-1] == 0:
        return None
    start = len(relative_to_mean) - 1
    while start > 0 and relative_to_mean[start - 1] == relative_to_mean[-1]:
        start -= 1
    if start == 0 or len(relative_to_mean) - start < run:
        return None
    return start


def short_group_warning(n: int, threshold: int = TRIAL_LIMIT_THRESHOLD) -> bool:
    """Trial limits: a group of fewer than `threshold` points."""
    return n < threshold


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# --- limits and the whole calculation ------------------------------------------------


@dataclass(frozen=True)
class Limits:
    mean: float
    mean_moving_range: float

    @property
    def lpl(self) -> float:
        return self.mean - LIMIT_FACTOR * self.mean_moving_range

    @property
    def upl(self) -> float:
        return self.mean + LIMIT_FACTOR * self.mean_moving_range

    @property
    def lower_two_sigma(self) -> float:
        return self.mean - TWO_SIGMA_FACTOR * self.mean_moving_range

    @property
    def upper_two_sigma(self) -> float:
        return self.mean + TWO_SIGMA_FACTOR * self.mean_moving_range


def limits(values: Sequence[float], screen_outliers: bool = True) -> Limits:
    """Mean and (screened) mean moving range of the points the limits are built from."""
    mean = sum(values) / len(values)
    ranges = [abs(values[i] - values[i - 1]) for i in range(1, len(values))]
    if not ranges:
        return Limits(mean, float("nan"))
    average = sum(ranges) / len(ranges)
    if screen_outliers:
        kept = [r for r in ranges if r < MR_SCREEN * average]
        average = sum(kept) / len(kept) if kept else float("nan")
    return Limits(mean, average)


@dataclass(frozen=True)
class SpcResult:
    """One row per point, and the two icons for the series."""

    points: pd.DataFrame
    direction: Direction
    variation_icon: str | None
    assurance_icon: str | None

    @property
    def has_trial_limits(self) -> bool:
        return bool(self.points["trial_limits"].any()) if not self.points.empty else False


def spc(
    periods: Sequence[dt.date],
    values: Sequence[float],
    *,
    direction: str | None = "increase",
    target: float | None = None,
    rebase: Sequence[dt.date] = (),
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    two_in_three_counts_outside: bool = False,
    trial_limit_threshold: int = TRIAL_LIMIT_THRESHOLD,
) -> SpcResult:
    """The XmR chart's table for one series: mean, limits and point type for every point.

    Periods must be distinct; points are sorted by period first. Missing values
    are not allowed (the reference leaves them undefined): drop or reject them
    before calling.
    """
    way = improvement_direction(direction)
    fixed = check_fix_after_n_points(fix_after_n_points)
    frame = _series(periods, values)
    frame["rebase_group"] = pd.Series(
        rebase_markers(list(frame["period"]), list(rebase)), dtype="int64"
    ).cumsum().to_numpy()
    parts = [
        _group_points(group, way, fixed, screen_outliers, two_in_three_counts_outside,
                      trial_limit_threshold)
        for _, group in frame.groupby("rebase_group", sort=True)
    ]
    points = pd.concat(parts, ignore_index=True) if parts else _empty()
    if points.empty:
        return SpcResult(points, way, None, None)
    last = points.iloc[-1]
    return SpcResult(
        points=points, direction=way,
        variation_icon=variation_icon(last["point_type"], way),
        assurance_icon=assurance_icon(way, target, last["lpl"], last["upl"]),
    )


def _series(periods: Sequence[dt.date], values: Sequence[float]) -> pd.DataFrame:
    if len(periods) != len(values):
        raise ValueError("periods and values must be the same length")
    frame = pd.DataFrame({"period": list(periods), "value": [float(v) for v in values]})
    if frame["value"].isna().any():
        raise ValueError("a value is missing: SPC needs a number for every period")
    duplicated = frame["period"][frame["period"].duplicated()]
    if not duplicated.empty:
        raise ValueError(f"duplicate rows found in the periods: {duplicated.iloc[0]} appears twice")
    return frame.sort_values("period", kind="stable").reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[
        "period", "value", "rebase_group", "mean", "lpl", "upl", "lower_two_sigma",
        "upper_two_sigma", "relative_to_mean", "outside_limits", "close_to_limits",
        "special_cause_type", "special_cause_flag", "point_type", "trial_limits",
    ])


def _group_points(
    group: pd.DataFrame, direction: Direction, fixed: int | None, screen: bool,
    count_outside: bool, threshold: int,
) -> pd.DataFrame:
    y = list(group["value"])
    basis = y[:fixed] if fixed else y
    lim = limits(basis, screen)
    relative = [(v > lim.mean) - (v < lim.mean) for v in y]
    outside = [1 if (v > lim.upl or v < lim.lpl) else 0 for v in y]
    beyond_two_sigma = [1 if (v < lim.lower_two_sigma or v > lim.upper_two_sigma) else 0 for v in y]
    close = beyond_two_sigma if count_outside else [
        1 if b and not o else 0 for b, o in zip(beyond_two_sigma, outside, strict=True)
    ]
    trend = run_membership(trend_end_markers(y))
    shift = run_membership(shift_end_markers(relative))
    two_in_three = two_in_three_flags(two_in_three_window(close, relative), close)
    labels = special_cause_labels(y, relative, outside, trend, shift, two_in_three)
    out = group.copy()
    out["mean"] = lim.mean
    out["lpl"] = lim.lpl
    out["upl"] = lim.upl
    out["lower_two_sigma"] = lim.lower_two_sigma
    out["upper_two_sigma"] = lim.upper_two_sigma
    out["relative_to_mean"] = relative
    out["outside_limits"] = [bool(o) for o in outside]
    out["close_to_limits"] = [bool(c) for c in close]
    out["special_cause_type"] = labels
    out["special_cause_flag"] = [label != COMMON for label in labels]
    out["point_type"] = [point_type(label, direction) for label in labels]
    out["trial_limits"] = short_group_warning(len(y), threshold)
    return out
