"""Draw a metric's chart from its table: plotly for the dashboard, SVG for the report.

Drawing only: every number comes from `tracker.metrics.scorecard` / `tracker.spc.xmr`.
Special-cause points carry a shape as well as a colour (Making Data Count's
blue for improvement, orange for concern, grey otherwise), so the chart
reads in black and white and for colour-blind readers.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from tracker.metrics.scorecard_view import MetricView
from tracker.metrics.scorecard_words import format_value, latest_period_words, point_period_words
from tracker.spc.icons import ASSURANCE_NAMES, VARIATION_NAMES
from tracker.spc.palette import POINT_COLOURS

COLOURS = POINT_COLOURS  # one palette with the icons: see tracker.spc.palette
SYMBOLS = {"special_cause_improvement": "triangle-up", "special_cause_concern": "x",
           "special_cause_neutral_high": "diamond", "special_cause_neutral_low": "diamond",
           "common_cause": "circle"}
NAMES = {"special_cause_improvement": "Special cause: improving",
         "special_cause_concern": "Special cause: concerning",
         "special_cause_neutral_high": "Special cause (neutral)",
         "special_cause_neutral_low": "Special cause (neutral)",
         "common_cause": "Common cause"}


def _finite(value: Any) -> float | None:
    """A number the chart can draw, or None: NaN or infinity in a path or an axis range
    blanks the chart (and in the PDF the next chart and the footer with it)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _drawable(points: pd.DataFrame) -> pd.DataFrame:
    """The chart's table with every number that is not finite made a gap (None)."""
    points = points.copy()
    for column in ("value", "mean", "lpl", "upl"):
        if column in points:
            # As objects: in a float column pandas would turn the None back into NaN.
            points[column] = pd.Series([_finite(v) for v in points[column]], index=points.index,
                                       dtype=object)
    return points


def _target(view: MetricView) -> float | None:
    return None if view.target is None else _finite(view.target)


def plotly_text(text: object) -> str:
    """Text from a file, made literal for plotly, which reads its labels as HTML.

    Plotly draws `<a href>` as a link, `<br>` as a new line and `<b>`, `<i>`, `<span
    style>` as formatting in titles, axis labels, point labels and hover text. Escaped,
    every `<` and `&` is shown as typed (plotly turns the entities back into characters
    only after it has looked for tags).
    """
    return escape(str(text), quote=True)


EVENT_COLOUR = "#3d3d3d"
REBASE_COLOUR = "#6f6f6f"
LABEL_CHARACTERS = 40  # an event's label on the chart; the list under the chart has all its words


def event_lines(view: MetricView) -> list[str]:
    """The chart's events as the list under it says them, numbered as the chart marks them."""
    return [f"{number}. {event.period:%B %Y}: {event.text}"
            for number, event in enumerate(view.events, start=1)]


def _short(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 3].rstrip() + "..."


def _segments(points: pd.DataFrame) -> list[pd.DataFrame]:
    """The chart's rows cut at each rebase, so mean and limit lines break there (as
    NHSRplotthedots draws them) instead of joining old limits to new."""
    if "rebase_group" not in points or points.empty:
        return [points]
    return [part for _, part in points.groupby("rebase_group", sort=True)]


def _mark_months(figure: go.Figure, view: MetricView) -> None:
    """A vertical line at each rebase and each event, with its label (text escaped)."""
    for note in view.rebases:
        figure.add_shape(type="line", x0=note.period, x1=note.period, xref="x", y0=0, y1=1,
                         yref="paper", line={"color": REBASE_COLOUR, "width": 1.5})
        figure.add_annotation(x=note.period, y=0, xref="x", yref="paper", showarrow=False,
                              text="Limits recalculated", xanchor="left", yanchor="bottom",
                              font={"size": 10, "color": REBASE_COLOUR},
                              hovertext=plotly_text(note.text or "No reason given"))
    for number, event in enumerate(view.events, start=1):
        figure.add_shape(type="line", x0=event.period, x1=event.period, xref="x", y0=0, y1=1,
                         yref="paper", line={"color": EVENT_COLOUR, "width": 1, "dash": "dot"})
        figure.add_annotation(x=event.period, y=1, xref="x", yref="paper", showarrow=False,
                              text=plotly_text(f"{number}. {_short(event.text)}"), textangle=-90,
                              xanchor="right", yanchor="top", font={"size": 10, "color": EVENT_COLOUR},
                              hovertext=plotly_text(f"{event.period:%B %Y}: {event.text}"))


def chart_summary(view: MetricView) -> str:
    """The chart in words: its text alternative in the dashboard and in the pack.

    What is charted, over which months, the latest value and target, and what the
    chart says (variation and assurance), so a reader who cannot see it loses nothing.
    """
    points = _drawable(view.points)
    values = points[points["value"].notna()] if "value" in points else points.iloc[0:0]
    name = view.name + (f" ({view.org})" if view.org else "")
    if values.empty:
        return f"Chart: {name}: no data to chart."
    first, last = (point_period_words(values, i) for i in (0, -1))
    n = len(values)
    words = [f"{n} point{'' if n == 1 else 's'} from {first} to {last}"]
    if view.latest_value is not None and view.latest_period is not None:
        words.append(f"latest {format_value(view.latest_value, view.unit)} "
                     f"({latest_period_words(view)})")
    if _target(view) is not None:
        words.append(f"target {format_value(_target(view), view.unit)}")
    said = [VARIATION_NAMES[view.variation_icon].lower()] if view.variation_icon else []
    said += [ASSURANCE_NAMES[view.assurance_icon].lower()] if view.assurance_icon else []
    return f"Chart: {name}: {', '.join(words)}" + (f"; {'; '.join(said)}" if said else "") + "."


def plotly_chart(view: MetricView) -> go.Figure:
    """An XmR chart (or run chart) in the Making Data Count style."""
    points = _drawable(view.points)
    target = _target(view)
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=points["period"], y=points["value"], mode="lines",
                                line={"color": "#5a5a5a", "width": 1.5}, name="Value",
                                hoverinfo="skip"))
    if "point_type" in points:
        for point_type, part in points.groupby("point_type", sort=False):
            kind = str(point_type)  # one of the point types of tracker.spc.xmr
            figure.add_trace(go.Scatter(
                x=part["period"], y=part["value"], mode="markers", name=NAMES[kind],
                marker={"color": COLOURS[kind], "symbol": SYMBOLS[kind], "size": 9},
                # a pooled period in the publisher's words ("2019 - 21"), any other as its month
                customdata=[point_period_words(part, i) for i in range(len(part))],
                hovertemplate="%{customdata}: %{y:,.2f}<extra>" + NAMES[kind] + "</extra>",
            ))
        for column, name, dash in (("mean", "Mean", "solid"), ("lpl", "Lower process limit", "dash"),
                                   ("upl", "Upper process limit", "dash")):
            for number, part in enumerate(_segments(points)):
                figure.add_trace(go.Scatter(x=part["period"], y=part[column], mode="lines", name=name,
                                            legendgroup=column, showlegend=number == 0,
                                            line={"color": "#231f20", "dash": dash, "width": 1}))
    else:
        figure.add_trace(go.Scatter(x=points["period"], y=points["value"], mode="markers",
                                    name="Value", marker={"color": "#7f7f7f", "size": 7},
                                    customdata=[point_period_words(points, i) for i in range(len(points))],
                                    hovertemplate="%{customdata}: %{y:,.2f}<extra>Value</extra>"))
        median = _finite(pd.to_numeric(points["value"]).median()) if len(points) else None
        if median is not None:
            figure.add_hline(y=median, line={"color": "#231f20", "width": 1},
                             annotation_text="Median", annotation_position="top left")
    if target is not None:
        figure.add_hline(y=target, line={"color": "#c0392b", "dash": "dot", "width": 2},
                         annotation_text=f"Target {format_value(target, view.unit)}",
                         annotation_position="bottom right")
    _mark_months(figure, view)
    figure.update_layout(
        height=360, margin={"l": 10, "r": 10, "t": 30, "b": 10}, hovermode="x unified",
        legend={"orientation": "h", "y": -0.2}, title={"text": plotly_text(view.name), "font": {"size": 14}},
        yaxis_title=plotly_text(view.unit), plot_bgcolor="white",
    )
    figure.update_xaxes(showgrid=False)
    figure.update_yaxes(gridcolor="#eeeeee")
    return figure


def svg_chart(view: MetricView, width: int = 640, height: int = 220) -> str:
    """The same chart as a small inline SVG: vector, so it prints sharply; no browser needed."""
    points = _drawable(view.points)
    target = _target(view)
    if points.empty:
        return ""
    pad_l, pad_r, pad_t, pad_b = 48, 12, 12, 28
    values: list[float | None] = list(points["value"])  # finite or None: see _drawable
    extra = [c for c in ("lpl", "upl") if c in points]
    lows: list[float] = [v for v in values + [v for c in extra for v in points[c]] + [target]
                         if v is not None]
    if not lows:
        return ""
    low, high = min(lows), max(lows)
    if high == low:
        high, low = high + 1, low - 1
    span = high - low
    if not math.isfinite(span * 1.1):  # numbers near the float limits: no scale can hold them
        return ""
    low, high = low - span * 0.05, high + span * 0.05
    n = len(points)

    def x(i: int) -> float:
        return pad_l + (width - pad_l - pad_r) * (i / max(n - 1, 1))

    def y(v: float) -> float:
        return pad_t + (height - pad_t - pad_b) * (1 - (v - low) / (high - low))

    summary = escape(chart_summary(view))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{summary}">',
             f"<title>{escape(view.name)} chart</title><desc>{summary}</desc>",
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>']
    dashed = ' stroke-dasharray="5,3"'
    starts = _group_starts(points)

    def path(series: list[float | None], breaks: frozenset[int] = frozenset()) -> str:
        """Line segments through the points, with a gap at each missing one (and at `breaks`)."""
        steps, pen_down = [], False
        for i, v in enumerate(series):
            if v is None:
                pen_down = False
                continue
            steps.append(f"{'L' if pen_down and i not in breaks else 'M'}{x(i):.1f},{y(v):.1f}")
            pen_down = True
        return " ".join(steps)

    for column, dash in (("mean", ""), ("lpl", dashed), ("upl", dashed)):
        if column in points and path(list(points[column]), starts):
            parts.append(f'<path d="{path(list(points[column]), starts)}" fill="none" stroke="#231f20" '
                         f'stroke-width="1"{dash}/>')
    periods = [pd.Timestamp(p).date() for p in points["period"]]
    top, bottom = pad_t, height - pad_b
    for i in sorted(starts):
        rx = (x(i - 1) + x(i)) / 2
        parts.append(f'<line x1="{rx:.1f}" y1="{top}" x2="{rx:.1f}" y2="{bottom}" '
                     f'stroke="{REBASE_COLOUR}" stroke-width="1.2"/>')
        parts.append(f'<text x="{rx + 2:.1f}" y="{bottom - 3}" font-size="8" fill="{REBASE_COLOUR}">'
                     'Limits recalculated</text>')
    for number, event in enumerate(view.events, start=1):
        at = _position(periods, event.period)
        if at is None:
            continue
        ex = x(0) + (x(1) - x(0)) * at if n > 1 else x(0)
        parts.append(f'<g><title>{escape(f"{event.period:%B %Y}: {event.text}")}</title>'
                     f'<line x1="{ex:.1f}" y1="{top}" x2="{ex:.1f}" y2="{bottom}" stroke="{EVENT_COLOUR}" '
                     'stroke-width="1" stroke-dasharray="1,2"/>'
                     f'<text x="{ex + 2:.1f}" y="{top + 8}" font-size="9" font-weight="bold" '
                     f'fill="{EVENT_COLOUR}">{number}</text></g>')
    if target is not None:
        ty = y(target)
        parts.append(f'<line x1="{pad_l}" y1="{ty:.1f}" x2="{width - pad_r}" y2="{ty:.1f}" '
                     'stroke="#c0392b" stroke-width="1.5" stroke-dasharray="2,2"/>')
        parts.append(f'<text x="{width - pad_r}" y="{ty - 3:.1f}" font-size="9" text-anchor="end">'
                     f'Target {escape(format_value(target, view.unit))}</text>')
    parts.append(f'<path d="{path(values)}" fill="none" stroke="#5a5a5a" stroke-width="1.2"/>')
    kinds = list(points["point_type"]) if "point_type" in points else ["common_cause"] * n
    for i, (v, kind) in enumerate(zip(values, kinds, strict=True)):
        if v is not None:
            parts.append(_marker(x(i), y(v), kind))
    for v in (low + span * 0.05, high - span * 0.05):
        parts.append(f'<text x="{pad_l - 4}" y="{y(v) + 3:.1f}" font-size="9" text-anchor="end">'
                     f'{escape(format_value(v, view.unit))}</text>')
    for i in (0, n - 1):
        label = escape(point_period_words(points, i))  # a pooled period as published
        parts.append(f'<text x="{x(i):.1f}" y="{height - 8}" font-size="9" '
                     f'text-anchor="{"start" if i == 0 else "end"}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _group_starts(points: pd.DataFrame) -> frozenset[int]:
    """The row of each rebase group's first point (after the first group)."""
    if "rebase_group" not in points or len(points) < 2:
        return frozenset()
    groups = list(points["rebase_group"])
    return frozenset(i for i in range(1, len(groups)) if groups[i] != groups[i - 1])


def _position(periods: list[dt.date], day: dt.date) -> float | None:
    """Where `day` falls along the chart's points, as a (fractional) row number, or None
    if it is outside them: the report's chart spaces points evenly, not by date."""
    if not periods or day < periods[0] or day > periods[-1]:
        return None
    for i in range(len(periods) - 1):
        if periods[i] <= day <= periods[i + 1]:
            gap = (periods[i + 1] - periods[i]).days
            return i + ((day - periods[i]).days / gap if gap else 0.0)
    return float(len(periods) - 1)


def _marker(cx: float, cy: float, kind: str) -> str:
    colour = COLOURS[kind]
    if kind == "special_cause_improvement":
        return (f'<polygon points="{cx:.1f},{cy - 4.5:.1f} {cx - 4:.1f},{cy + 3:.1f} '
                f'{cx + 4:.1f},{cy + 3:.1f}" fill="{colour}" stroke="#000" stroke-width="0.5"/>')
    if kind == "special_cause_concern":
        return (f'<path d="M{cx - 3.5:.1f},{cy - 3.5:.1f} L{cx + 3.5:.1f},{cy + 3.5:.1f} '
                f'M{cx - 3.5:.1f},{cy + 3.5:.1f} L{cx + 3.5:.1f},{cy - 3.5:.1f}" '
                f'stroke="{colour}" stroke-width="2.2"/>')
    if kind.startswith("special_cause_neutral"):
        return (f'<rect x="{cx - 3:.1f}" y="{cy - 3:.1f}" width="6" height="6" fill="{colour}" '
                f'transform="rotate(45 {cx:.1f} {cy:.1f})"/>')
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.2" fill="{colour}"/>'
