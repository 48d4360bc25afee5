"""Each metric judged as at a date: the right chart, its target, its travel, in plain words.

SPC needs enough points: a short series, a quarterly one or tiny counts get a
run chart or a plain comparison with the target instead, and the reason is
said. Everything here is computed from the database's metric tables, as at
the end of a quarter, so the dashboard and the report agree.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb
import pandas as pd

from tracker.db.queries import connect_read_only, run_query
from tracker.project import Project
from tracker.spc.icons import ASSURANCE_NAMES, VARIATION_NAMES
from tracker.spc.xmr import SpcResult, spc, sustained_shift_start

MIN_SPC_POINTS = 12
MIN_RUN_CHART_POINTS = 6
TINY_COUNT = 20  # counts that never reach this are too small for limits to mean much

ASSURANCE_REASONS = {
    "consistent_pass": " Assurance: the target lies outside the process limits on the good side, "
                       "so it will be met consistently.",
    "consistent_fail": " Assurance: the target lies outside the process limits on the wrong side, "
                       "so it will be missed without a change to the process.",
    "inconsistent": " Assurance: the target lies between the process limits, so it will be hit "
                    "and miss.",
}


@dataclass(frozen=True)
class ChartNote:
    """A month marked on a metric's chart: a rebase (with its reason, if one was given) or
    an event (with its words), as the metric's YAML declares them."""

    period: dt.date
    text: str | None = None


@dataclass
class MetricView:
    """One metric for one organisation, as at a date."""

    metric_id: str
    name: str
    org: str | None
    unit: str
    direction: str
    is_example: bool
    method: str                        # spc, run_chart, target_only, no_data
    method_reason: str
    points: pd.DataFrame               # period, value (+ SPC columns when method is spc)
    latest_period: dt.date | None = None
    latest_value: float | None = None
    target: float | None = None
    target_due: dt.date | None = None
    target_set_by: str | None = None   # who set the target, from the metric's YAML
    rag: str | None = None             # met / within_tolerance / missed, None without a target
    vs_previous: str | None = None     # improved / similar / worse
    vs_last_year: str | None = None
    benchmark: str | None = None       # better / no_different / worse than England
    variation_icon: str | None = None
    assurance_icon: str | None = None
    explanation: str = ""
    flagged: list[str] = field(default_factory=list)
    # The latest data is older than the metric's freshness window at the as-at date: it is
    # shown as "no recent data", and not judged (no RAG, travel or icons) nor used as evidence.
    is_stale: bool = False
    rebases: list[ChartNote] = field(default_factory=list)   # the ones that split this chart's limits
    events: list[ChartNote] = field(default_factory=list)    # the ones within this chart's months
    # A sustained shift to the latest point, put in words: where a rebase might go. Never applied.
    rebase_suggestion: str | None = None

    @property
    def variation_label(self) -> str:
        """The variation icon's standard name (the icon's own text alternative), or a dash."""
        return "—" if self.variation_icon is None else VARIATION_NAMES[self.variation_icon]

    @property
    def assurance_label(self) -> str:
        """The assurance icon's standard name (the icon's own text alternative), or a dash."""
        return "—" if self.assurance_icon is None else ASSURANCE_NAMES[self.assurance_icon]


def latest_label(view: MetricView) -> str:
    """The latest value as a table shows it: the value and its month, or why there is none."""
    if view.latest_period is None:
        return "No data"
    if view.is_stale:
        return f"No recent data (latest {view.latest_period:%b %Y})"
    return f"{format_value(view.latest_value, view.unit)} ({view.latest_period:%b %Y})"


def format_value(value: float | None, unit: str) -> str:
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


def choose_method(frequency: str, unit: str, values: list[float]) -> tuple[str, str]:
    """SPC, a run chart, or a target comparison, and why, in plain English."""
    n = len(values)
    if n == 0:
        return "no_data", "There are no data yet."
    if n < MIN_RUN_CHART_POINTS:
        return "target_only", (f"Only {n} data point{'s' if n != 1 else ''}: too few for a chart "
                               "that can show change, so the latest value is compared with the target.")
    if frequency != "monthly" and n < MIN_SPC_POINTS:
        article = "An" if frequency[:1] in "aeiou" else "A"
        return "run_chart", (f"{article} {frequency} series with {n} points: too few for process limits, "
                             "so it is shown as a run chart.")
    if n < MIN_SPC_POINTS:
        return "run_chart", (f"Only {n} points: statistical process control needs at least "
                             f"{MIN_SPC_POINTS}, so it is shown as a run chart.")
    if unit == "count" and max(values) < TINY_COUNT:
        return "run_chart", (f"These are small counts (never {TINY_COUNT} or more), where process limits "
                             "mislead, so it is shown as a run chart against the target.")
    return "spc", (f"{n} points: shown as a Making Data Count SPC chart (XmR), which separates "
                   "real change from the usual ups and downs.")


def _travel(direction: str, now: float, before: float | None) -> str | None:
    if before is None or direction == "neutral":
        return None
    if math.isclose(now, before, rel_tol=1e-9, abs_tol=1e-12):
        return "similar"
    better = now > before if direction == "higher_is_better" else now < before
    return "improved" if better else "worse"


def target_at(definition: dict[str, Any], trajectory: pd.DataFrame, period: dt.date) -> float | None:
    """The target that applies to `period`: the trajectory's value there, else the fixed one."""
    if not trajectory.empty:
        known = trajectory[trajectory["period"] <= pd.Timestamp(period)]
        if not known.empty:
            return float(known.iloc[-1]["value"])
    value = definition.get("target_value")
    return None if value is None or pd.isna(value) else float(value)


def judge(direction: str, value: float, target: float | None, tolerance: float | None) -> str | None:
    """met / within_tolerance / missed against the target (None without one, or for neutral)."""
    if target is None or direction == "neutral":
        return None
    gap = value - target if direction == "higher_is_better" else target - value
    if gap >= 0:
        return "met"
    if tolerance is not None and -gap <= tolerance:
        return "within_tolerance"
    return "missed"


def _benchmark(direction: str, row: pd.Series) -> str | None:
    england = row.get("benchmark_value")
    if england is None or pd.isna(england) or direction == "neutral":
        return None
    lower, upper = row.get("benchmark_lower"), row.get("benchmark_upper")
    value = row["value"]
    if lower is not None and upper is not None and not pd.isna(lower) and not pd.isna(upper):
        if lower <= england <= upper:
            return "no_different"
        above = lower > england
    else:
        if value == england:
            return "no_different"
        above = value > england
    return "better" if above == (direction == "higher_is_better") else "worse"


def evaluate(
    definition: dict[str, Any], series: pd.DataFrame, trajectory: pd.DataFrame,
    rebase: Sequence[dt.date | ChartNote], org: str | None, fresh_from: dt.date | None = None,
    events: Sequence[ChartNote] = (),
) -> MetricView:
    """Judge one metric's series (period, value, benchmark columns), already cut to the as-at date.

    A latest period before `fresh_from` is too old to be shown as current: the view keeps its
    history for the chart but is marked stale and not judged. Limits restart at each `rebase`
    month that is one of the series' periods (as NHSRplotthedots does; others are ignored);
    `events` within the series' months are kept for the chart.
    """
    series = series.sort_values("period").reset_index(drop=True)
    values = [float(v) for v in series["value"]]
    method, reason = choose_method(definition["frequency"], definition["unit"], values)
    view = MetricView(
        metric_id=definition["metric_id"], name=definition["name"], org=org,
        unit=definition["unit"], direction=definition["direction"],
        is_example=bool(definition["is_example"]), method=method, method_reason=reason,
        points=series[["period", "value"]].copy(),
    )
    if series.empty:
        view.explanation = reason
        return view
    last = series.iloc[-1]
    view.latest_period = pd.Timestamp(last["period"]).date()
    view.latest_value = float(last["value"])
    view.target = target_at(definition, trajectory, view.latest_period)
    due = definition.get("target_due")
    view.target_due = None if due is None or pd.isna(due) else pd.Timestamp(due).date()
    set_by = definition.get("target_set_by")
    view.target_set_by = set_by if isinstance(set_by, str) and set_by else None
    tolerance = definition.get("tolerance")
    tolerance = None if tolerance is None or pd.isna(tolerance) else float(tolerance)
    view.rag = judge(view.direction, view.latest_value, view.target, tolerance)
    previous = float(series.iloc[-2]["value"]) if len(series) > 1 else None
    view.vs_previous = _travel(view.direction, view.latest_value, previous)
    year_ago = series[series["period"] == pd.Timestamp(view.latest_period) - pd.DateOffset(years=1)]
    view.vs_last_year = _travel(view.direction, view.latest_value,
                                float(year_ago.iloc[0]["value"]) if not year_ago.empty else None)
    view.benchmark = _benchmark(view.direction, last)
    periods = [pd.Timestamp(p).date() for p in series["period"]]
    view.events = [e for e in events if periods[0] <= e.period <= periods[-1]]
    unmatched: list[dt.date] = []
    if method == "spc":
        fixed = definition.get("fix_after_n_points")
        fixed = None if fixed is None or pd.isna(fixed) else int(fixed)
        notes = [r if isinstance(r, ChartNote) else ChartNote(r) for r in rebase]
        # As NHSRplotthedots: a month with no point is ignored (said below, if within the
        # chart); one at the first point changes nothing, so it is neither drawn nor said.
        view.rebases = [n for n in notes if n.period in set(periods[1:])]
        unmatched = [n.period for n in notes if periods[0] < n.period < periods[-1]
                     and n.period not in set(periods)]
        result = spc(periods, values,
                     direction=view.direction, target=view.target, rebase=[n.period for n in view.rebases],
                     fix_after_n_points=fixed if fixed and fixed <= len(values) else None)
        _apply_spc(view, result)
        view.rebase_suggestion = rebase_suggestion(view.points, definition.get("definition_path"))
    if fresh_from is not None and view.latest_period < fresh_from:
        return _stale(view, reason, fresh_from)
    view.explanation = " ".join(s for s in [reason, _target_sentence(view), _rebase_sentence(view),
                                            _unmatched_sentence(unmatched),
                                            _icon_sentence(view), view.rebase_suggestion] if s)
    return view


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


def _stale(view: MetricView, reason: str, fresh_from: dt.date) -> MetricView:
    """Too old to be the current value: nothing is judged on it, and the reason is said."""
    view.is_stale = True
    view.rag = view.vs_previous = view.vs_last_year = view.benchmark = None
    view.variation_icon = view.assurance_icon = view.rebase_suggestion = None
    view.explanation = (
        f"No recent data: the latest is for {_month(view.latest_period)}, and data older than "
        f"{_month(fresh_from)} are not shown as current, so nothing is judged on it and it is "
        f"not used as evidence. The chart shows the history. {reason}")
    return view


def fresh_from(as_at: dt.date, months: int) -> dt.date:
    """The first month whose data still count as current as at `as_at`: `months` before the
    month of `as_at` (with 3, data for December are current at 31 March; November's are not)."""
    index = as_at.year * 12 + as_at.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def freshness_months(project: Project, definition: dict[str, Any]) -> int:
    """The metric's own window, else the setting for its frequency."""
    own = definition.get("freshness_months")
    if own is not None and not pd.isna(own):
        return int(own)
    return int(project.settings[f"freshness_months_{definition['frequency']}"])


def freshness_parameters(project: Project) -> dict[str, Any]:
    """The settings `queries/stale_metrics.sql` takes, so its rule is the scorecard's."""
    return {
        "place_orgs": [str(o) for o in project.settings["place_orgs"]],
        **{f"freshness_{frequency}": int(project.settings[f"freshness_months_{frequency}"])
           for frequency in ("monthly", "quarterly", "annual")},
    }


def place_orgs(project: Project, definition: dict[str, Any]) -> list[str]:
    """The place's organisations a metric is shown for: its own `orgs:`, else the setting."""
    own = definition.get("orgs")
    if own is not None and not (isinstance(own, float) and pd.isna(own)) and len(own):
        return [str(o) for o in own]
    return [str(o) for o in project.settings["place_orgs"]]


def _icon_sentence(view: MetricView) -> str:
    """Why the icons are what they are, in one or two sentences."""
    if view.variation_icon is None:
        return ""
    sentence = f"Variation: {VARIATION_NAMES[view.variation_icon].lower()} (judged on the latest point)."
    if "trial_limits" in view.points and bool(view.points["trial_limits"].iloc[-1]):
        sentence += (" The latest limits are trial limits: they rest on fewer than 13 points, so "
                     "read them with care.")
    return sentence + ASSURANCE_REASONS.get(view.assurance_icon or "", "")


def _apply_spc(view: MetricView, result: SpcResult) -> None:
    view.points = result.points
    view.variation_icon = result.variation_icon
    view.assurance_icon = result.assurance_icon
    view.flagged = explain_special_causes(result.points, view.direction)


def _target_sentence(view: MetricView) -> str:
    if view.target is None or view.latest_value is None:
        return ""
    words = {"met": "meets", "within_tolerance": "is just short of (within tolerance)",
             "missed": "misses"}[view.rag] if view.rag else "is compared with"
    due = f" (due {_month(view.target_due)})" if view.target_due else ""
    return (f"The latest value, {format_value(view.latest_value, view.unit)} in "
            f"{_month(view.latest_period)}, {words} the target of "
            f"{format_value(view.target, view.unit)}{due}.")


def explain_special_causes(points: pd.DataFrame, direction: str) -> list[str]:
    """One sentence per block of consecutive special-cause points on the same side, e.g.
    "7 points in a row above the average since May 2023: special cause, improving"."""
    blocks: list[list[Any]] = []
    previous_index = None
    for index, row in enumerate(points.itertuples()):
        if row.special_cause_type == "Common Cause":
            continue
        trend = row.special_cause_type.startswith("7 Point Trend")
        key = (row.point_type, "trend" if trend else row.relative_to_mean)
        outside = row.special_cause_type in ("Above UCL", "Below LCL")
        joins = blocks and previous_index == index - 1 and (
            blocks[-1][0] == key or (outside and blocks[-1][0][0] == row.point_type))
        if joins:
            blocks[-1][1].append(row)
        else:
            blocks.append([key, [row]])
        previous_index = index
    return [_block_sentence(rows) for _, rows in blocks]


def _block_sentence(rows: list[Any]) -> str:
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


# --- reading from the database ------------------------------------------------------------


def metric_views(
    project: Project, as_at: dt.date, metric_ids: list[str] | None = None,
    org: str | None = None, con: duckdb.DuckDBPyConnection | None = None,
) -> list[MetricView]:
    """Every (or the named) metric judged as at `as_at`, for `org` or else for each of the
    place's organisations it has data for (see `place_orgs`): one view per metric and
    organisation, in the order the organisations are declared.

    A metric with no data for any of the place's organisations gives one view with no data
    that says so: another organisation's figures are never shown as the place's. `as_at`
    of `date.max` means all data, with no freshness check.
    """
    own = con is None
    con = con or connect_read_only(project.db_path)
    try:
        definitions = run_query(con, project, "metric_definitions")
        if metric_ids is not None:
            definitions = definitions[definitions["metric_id"].isin(metric_ids)]
        values = run_query(con, project, "metric_values_as_at", as_at=as_at)
        trajectories = run_query(con, project, "metric_trajectories")
        rebases = run_query(con, project, "metric_rebases")
        events = run_query(con, project, "metric_events")
    finally:
        if own:
            con.close()
    views = []
    for definition in definitions.to_dict(orient="records"):
        metric_id = definition["metric_id"]
        mine = values[values["metric_id"] == metric_id]
        trajectory = trajectories[trajectories["metric_id"] == metric_id]
        rebase = _notes(rebases[rebases["metric_id"] == metric_id], "reason")
        marked = _notes(events[events["metric_id"] == metric_id], "text")
        start = None if as_at == dt.date.max else fresh_from(as_at, freshness_months(project, definition))
        if org is not None:
            views.append(evaluate(definition, mine[mine["org"] == org], trajectory, rebase, org, start,
                                  marked))
            continue
        place = place_orgs(project, definition)
        present = set(mine["org"])
        shown = [o for o in dict.fromkeys(place) if o in present]
        for chosen in shown:
            views.append(evaluate(definition, mine[mine["org"] == chosen], trajectory, rebase, chosen,
                                  start, marked))
        if not shown:
            view = evaluate(definition, mine.iloc[0:0], trajectory, rebase, None, start, marked)
            if present:
                view.explanation = (
                    f"No data for the place's organisations ({', '.join(place)}): the extract "
                    f"has data for {len(present)} other organisation(s) only. Name the place's "
                    "organisations as the extract does, in the place_orgs setting or the "
                    "metric's orgs list.")
            views.append(view)
    return views


def _notes(rows: pd.DataFrame, column: str) -> list[ChartNote]:
    """A metric's rebase or event rows as chart notes (a missing reason stays None)."""
    return [ChartNote(pd.Timestamp(period).date(), None if pd.isna(text) else str(text))
            for period, text in zip(rows["period"], rows[column], strict=True)]


def evidence_by_metric(views: list[MetricView]) -> dict[str, MetricView]:
    """One view per metric for the status engine's evidence: of a metric shown for several
    organisations, the one that counts most against its objectives (a missed target, then
    assurance that it will fail), named with its organisation so the reason says whose it is.
    Stale views are never chosen over current ones (and are not judged, so are no concern)."""
    def weight(view: MetricView) -> int:
        if view.is_stale or view.latest_value is None:
            return 0
        return 3 if view.rag == "missed" else 2 if view.assurance_icon == "consistent_fail" else 1

    chosen: dict[str, MetricView] = {}
    counts = Counter(view.metric_id for view in views)
    for view in views:
        if view.metric_id not in chosen or weight(view) > weight(chosen[view.metric_id]):
            chosen[view.metric_id] = view
    return {metric_id: replace(view, name=f"{view.name} for {view.org}")
            if counts[metric_id] > 1 and view.org else view for metric_id, view in chosen.items()}
