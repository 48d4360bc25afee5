"""The scorecard in plain words: values as a table shows them, and the sentences that say
why a metric's chart, target, icons and special causes are what they are.

Kept apart from the judging (`scorecard`) so the wording can be read, and
changed, in one place; the dashboard and the pack show these sentences as they are.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import pandas as pd

from tracker.metrics.scorecard_view import MetricView
from tracker.spc.icons import VARIATION_NAMES
from tracker.spc.xmr import sustained_shift_start

ASSURANCE_REASONS = {
    "consistent_pass": " Assurance: the target lies outside the process limits on the good side, "
                       "so it will be met consistently.",
    "consistent_fail": " Assurance: the target lies outside the process limits on the wrong side, "
                       "so it will be missed without a change to the process.",
    "inconsistent": " Assurance: the target lies between the process limits, so it will be hit "
                    "and miss.",
}


# The comparison with the benchmark in words, with the benchmark's name (England, by default).
BENCHMARK_WORDS = {"better": "Better than {name}", "similar": "Similar to {name}",
                   "worse": "Worse than {name}", "not_compared": "Not compared with {name}"}


def benchmark_label(view: MetricView) -> str:
    """The latest point's comparison with the benchmark as the scorecard shows it ('Similar to
    England'), or a dash for a metric without a benchmark or not judged (no recent data)."""
    if view.benchmark is None or view.benchmark_name is None:
        return "—"
    return BENCHMARK_WORDS[view.benchmark].format(name=view.benchmark_name)


def latest_label(view: MetricView) -> str:
    """The latest value as a table shows it: the value and its period, or why there is none."""
    if view.latest_period is None:
        return "No data"
    if view.is_stale:
        return f"No recent data (latest {latest_period_words(view)})"
    return f"{format_value(view.latest_value, view.unit)} ({latest_period_words(view)})"


def period_words(period: dt.date, label: object = None) -> str:
    """A point's period as a table shows it: a pooled period in the publisher's words
    ("2019 - 21", though it is stored at 2021), any other as its month ("Apr 2023")."""
    return label if isinstance(label, str) and label else f"{period:%b %Y}"


def point_period_words(points: pd.DataFrame, index: int) -> str:
    """The period of a table's point (by position, -1 the latest) in words (`period_words`)."""
    label = points["period_label"].iloc[index] if "period_label" in points else None
    return period_words(pd.Timestamp(points["period"].iloc[index]).date(), label)


def latest_period_words(view: MetricView) -> str:
    """The latest point's period in words (`period_words`); a dash when there is none."""
    if view.latest_period is None:
        return "—"
    if not len(view.points):
        return period_words(view.latest_period)
    return point_period_words(view.points, -1)


def format_value(value: float | None, unit: str) -> str:
    """A value in its unit, as the tables, charts and sentences show it (a dash for none)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "currency":
        return f"£{value:,.0f}k" if abs(value) < 100_000 else f"£{value:,.0f}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _month(day: dt.date) -> str:
    return day.strftime("%B %Y")


def explanation(view: MetricView, reason: str, unmatched: list[dt.date]) -> str:
    """Why the metric is shown and judged as it is: the chart's reason, then the target, the
    rebases (applied or not), the icons and any rebase to consider, in that order."""
    return " ".join(s for s in [reason, _target_sentence(view), _rebase_sentence(view),
                                _unmatched_sentence(unmatched), _icon_sentence(view),
                                view.rebase_suggestion] if s)


def _rebase_sentence(view: MetricView) -> str:
    """Where the limits restart and why, so a reader knows the icons rest on the latest limits."""
    if not view.rebases:
        return ""
    where = "; ".join(_month(n.period) + (f" ({n.text})" if n.text else "") for n in view.rebases)
    return (f"The limits are recalculated from {where}: variation and assurance are judged on "
            "the latest limits.")


def _unmatched_sentence(months: list[dt.date]) -> str:
    """A rebase month the series has no point for is not applied: say so, not silently."""
    if not months:
        return ""
    named = ", ".join(_month(m) for m in months)
    return (f"The rebase at {named} is not applied: there is no point for that month (a rebase "
            "must name a month with data).")


def rebase_suggestion(points: pd.DataFrame, definition_path: object = None) -> str | None:
    """A rebase point in words where a sustained shift reaches the latest point
    (`tracker.spc.xmr.sustained_shift_start`); the chart is never rebased on its own."""
    if points.empty or "rebase_group" not in points:
        return None
    latest = points[points["rebase_group"] == points["rebase_group"].iloc[-1]]
    start = sustained_shift_start([int(v) for v in latest["relative_to_mean"]])
    if start is None:
        return None
    first = pd.Timestamp(latest["period"].iloc[start]).date()
    side = "above" if latest["relative_to_mean"].iloc[-1] > 0 else "below"
    where = f" in {definition_path}" if isinstance(definition_path, str) else " in the metric's YAML"
    return (f"The last {len(latest) - start} points are all {side} the mean, since "
            f"{_month(first)}: if a change was made then, consider "
            f"`rebase: [{{period: {first:%Y-%m}, reason: ...}}]`{where} to recalculate the "
            "limits from there (nothing is rebased until you do).")


def stale_explanation(latest: dt.date, fresh_from: dt.date, reason: str) -> str:
    """Why a metric whose latest data are too old is shown but not judged."""
    return (
        f"No recent data: the latest is for {_month(latest)}, and data older than "
        f"{_month(fresh_from)} are not shown as current, so nothing is judged on it and it is "
        f"not used as evidence. The chart shows the history. {reason}")


def _icon_sentence(view: MetricView) -> str:
    """Why the icons are what they are, in one or two sentences."""
    if view.variation_icon is None:
        return ""
    sentence = f"Variation: {VARIATION_NAMES[view.variation_icon].lower()} (judged on the latest point)."
    if "trial_limits" in view.points and bool(view.points["trial_limits"].iloc[-1]):
        sentence += (" The latest limits are trial limits: they rest on fewer than 13 points, so "
                     "read them with care.")
    return sentence + ASSURANCE_REASONS.get(view.assurance_icon or "", "")


def _target_sentence(view: MetricView) -> str:
    # the latest value and its month are set together: both are named for the type checker
    if view.target is None or view.latest_value is None or view.latest_period is None:
        return ""
    words = {"met": "meets", "within_tolerance": "is just short of (within tolerance)",
             "missed": "misses"}[view.rag] if view.rag else "is compared with"
    due = f" (due {_month(view.target_due)})" if view.target_due else ""
    return (f"The latest value, {format_value(view.latest_value, view.unit)} in "
            f"{_month(view.latest_period)}, {words} the target of "
            f"{format_value(view.target, view.unit)}{due}.")


class _Point(NamedTuple):
    """One row of an SPC table, as the special-cause sentences read it."""

    period: pd.Timestamp
    special_cause_type: str
    point_type: str
    relative_to_mean: int


def _points(table: pd.DataFrame) -> list[_Point]:
    return [_Point(*row) for row in zip(table["period"], table["special_cause_type"],
                                        table["point_type"], table["relative_to_mean"], strict=True)]


def explain_special_causes(points: pd.DataFrame, direction: str) -> list[str]:
    """One sentence per block of consecutive special-cause points on the same side, e.g.
    "7 points in a row above the average since May 2023: special cause, improving"."""
    blocks: list[tuple[tuple[str, str | int], list[_Point]]] = []
    previous_index = None
    for index, row in enumerate(_points(points)):
        if row.special_cause_type == "Common Cause":
            continue
        trend = row.special_cause_type.startswith("7 Point Trend")
        key: tuple[str, str | int] = (row.point_type, "trend" if trend else row.relative_to_mean)
        outside = row.special_cause_type in ("Above UCL", "Below LCL")
        joins = blocks and previous_index == index - 1 and (
            blocks[-1][0] == key or (outside and blocks[-1][0][0] == row.point_type))
        if joins:
            blocks[-1][1].append(row)
        else:
            blocks.append((key, [row]))
        previous_index = index
    return [_block_sentence(rows) for _, rows in blocks]


def _block_sentence(rows: list[_Point]) -> str:
    labels = [r.special_cause_type for r in rows]
    verdict = {"special_cause_improvement": "special cause, improving",
               "special_cause_concern": "special cause, concerning"}.get(rows[0].point_type,
                                                                          "special cause")
    since = _month(pd.Timestamp(rows[0].period).date())
    above = rows[0].relative_to_mean > 0
    outside = sum(1 for label in labels if label in ("Above UCL", "Below LCL"))
    beyond = (f", {outside} of them beyond the {'upper' if above else 'lower'} process limit"
              if outside and outside < len(rows) else "")
    if any(label.startswith("7 Points") for label in labels):
        return (f"{len(rows)} points in a row {'above' if above else 'below'} the average "
                f"since {since}{beyond}: {verdict}.")
    if any(label.startswith("7 Point Trend") for label in labels):
        rising = any("Increasing" in label for label in labels)
        return (f"{len(rows)} points in a row {'rising' if rising else 'falling'} since "
                f"{since}: {verdict}.")
    if any(label.startswith("2 in 3") for label in labels):
        return (f"2 of 3 points close to the {'upper' if above else 'lower'} process limit "
                f"around {since}: {verdict}.")
    side = "above the upper" if above else "below the lower"
    if len(rows) == 1:
        return f"{since} is {side} process limit: {verdict}."
    return f"{len(rows)} points in a row from {since} are {side} process limit: {verdict}."
