"""Each metric judged as at a date: the right chart, its target, its travel, in plain words.

SPC needs enough points: a short series, a quarterly one or tiny counts get a
run chart or a plain comparison with the target instead, and the reason is
said. Everything here is computed from the database's metric tables, as at
the end of a quarter, so the dashboard and the report agree.

This module owns the judging and the reading from the database; what a view
holds is `scorecard_view`'s, and the sentences are `scorecard_words`'s. The
names the dashboard, the pack and the status engine take from here (the view,
its value labels) are exported with the judging, so they import from one place.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import duckdb
import pandas as pd

from tracker.db.queries import connect_read_only, run_query
from tracker.metrics.benchmarking import POINT_COLUMNS, compared_points
from tracker.metrics.scorecard_view import ChartNote, MetricView
from tracker.metrics.scorecard_words import (
    explain_special_causes,
    explanation,
    rebase_suggestion,
    stale_explanation,
)
from tracker.project import Project
from tracker.spc.xmr import SpcResult, spc

MIN_SPC_POINTS = 12
MIN_RUN_CHART_POINTS = 6
TINY_COUNT = 20  # counts that never reach this are too small for limits to mean much


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
    latest = pd.Timestamp(last["period"]).date()
    view.latest_period = latest
    view.latest_value = float(last["value"])
    view.target = target_at(definition, trajectory, latest)
    due = definition.get("target_due")
    view.target_due = None if due is None or pd.isna(due) else pd.Timestamp(due).date()
    set_by = definition.get("target_set_by")
    view.target_set_by = set_by if isinstance(set_by, str) and set_by else None
    tolerance = definition.get("tolerance")
    tolerance = None if tolerance is None or pd.isna(tolerance) else float(tolerance)
    view.rag = judge(view.direction, view.latest_value, view.target, tolerance)
    previous = float(series.iloc[-2]["value"]) if len(series) > 1 else None
    view.vs_previous = _travel(view.direction, view.latest_value, previous)
    year_ago = series[series["period"] == pd.Timestamp(latest) - pd.DateOffset(years=1)]
    view.vs_last_year = _travel(view.direction, view.latest_value,
                                float(year_ago.iloc[0]["value"]) if not year_ago.empty else None)
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
    _compare_with_benchmark(view, definition, series)
    if fresh_from is not None and latest < fresh_from:
        return _stale(view, latest, reason, fresh_from)
    view.explanation = explanation(view, reason, unmatched)
    return view


def _compare_with_benchmark(view: MetricView, definition: dict[str, Any], series: pd.DataFrame) -> None:
    """Each point's benchmark, the area's interval and the comparison beside it (not compared
    for a metric with no benchmark), and the latest point's comparison as the view's for a
    metric that names a benchmark."""
    compared = compared_points(view.direction, series)
    for column in POINT_COLUMNS:
        view.points[column] = list(compared[column])
    # a pooled period's words as published ("2019 - 21"), None for any other period
    view.points["period_label"] = (list(series["period_label"]) if "period_label" in series
                                   else [None] * len(series))
    name = definition.get("benchmark_name")
    if isinstance(name, str) and name:
        view.benchmark_name = name
        view.benchmark = str(compared["compared_to_benchmark"].iloc[-1])


def _stale(view: MetricView, latest: dt.date, reason: str, fresh_from: dt.date) -> MetricView:
    """Too old to be the current value: nothing is judged on it, and the reason is said."""
    view.is_stale = True
    view.rag = view.vs_previous = view.vs_last_year = view.benchmark = None
    view.variation_icon = view.assurance_icon = view.rebase_suggestion = None
    view.explanation = stale_explanation(latest, fresh_from, reason)
    return view


def _apply_spc(view: MetricView, result: SpcResult) -> None:
    view.points = result.points
    view.variation_icon = result.variation_icon
    view.assurance_icon = result.assurance_icon
    view.flagged = explain_special_causes(result.points, view.direction)


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
    """The settings `queries/metrics/stale_metrics.sql` takes, so its rule is the scorecard's."""
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
        definitions = run_query(con, project, "metrics/metric_definitions")
        if metric_ids is not None:
            definitions = definitions[definitions["metric_id"].isin(metric_ids)]
        values = run_query(con, project, "metrics/metric_values_as_at", as_at=as_at)
        trajectories = run_query(con, project, "metrics/metric_trajectories")
        rebases = run_query(con, project, "metrics/metric_rebases")
        events = run_query(con, project, "metrics/metric_events")
    finally:
        if own:
            con.close()
    views = []
    for record in definitions.to_dict(orient="records"):
        definition = {str(key): value for key, value in record.items()}  # the columns' names
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
