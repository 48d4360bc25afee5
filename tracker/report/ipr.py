"""The Integrated Performance Report summary: one row per measure, as NHS Boards read it.

Measure, organisation, latest period and value (with its comparison with the benchmark,
"Similar to England", for a metric that has one), target and who set it, the Making Data
Count variation and assurance icons, a sparkline and a data mark ("No recent data",
"Example data", "Trial limits"), as an HTML table: the dashboard's scorecard page and
the pack both show this one table. Every text from a file is escaped here; the SVGs are
our own (`tracker.spc.icons`).

The table fits a 1366 px screen without sideways scrolling; on a phone (under 640 px)
the secondary columns are hidden, so the name, the value and the icons come first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from tracker.metrics.scorecard_view import MetricView
from tracker.metrics.scorecard_words import (
    benchmark_label,
    format_value,
    latest_period_words,
    point_period_words,
)
from tracker.spc.icons import (
    ASSURANCE_NAMES,
    VARIATION_NAMES,
    assurance_svg,
    sparkline_svg,
    text,
    variation_colour,
    variation_svg,
)
from tracker.spc.palette import COMMON
from tracker.status.rag import TARGET_WORDS

# Secondary columns carry this class: hidden on a phone.
SECONDARY = "ipr-2nd"
CSS = f"""
table.ipr {{ border-collapse: collapse; width: 100%; table-layout: auto; font-size: 0.9rem;
            margin: 0.25rem 0 0.75rem; }}
table.ipr caption {{ text-align: left; font-weight: 600; padding: 0.25rem 0; }}
table.ipr th, table.ipr td {{ border-bottom: 1px solid #c8c8c8; padding: 0.3rem 0.4rem;
                             text-align: left; vertical-align: middle; overflow-wrap: break-word; }}
table.ipr thead th {{ background: #e8edf3; font-weight: 600; vertical-align: bottom; }}
table.ipr tbody th {{ font-weight: 600; }}
table.ipr td.icon {{ text-align: center; width: 3rem; }}
table.ipr td.period {{ white-space: nowrap; }}
table.ipr td.icon svg, table.ipr td.spark svg {{ display: inline-block; vertical-align: middle; }}
table.ipr .sub {{ display: block; font-size: 0.8rem; font-weight: 400; color: #4a4a4a; }}
table.ipr .mark {{ display: inline-block; border: 1px solid #4a4a4a; border-radius: 3px;
                  padding: 0 0.25rem; margin: 0.1rem 0; font-size: 0.78rem; }}
table.ipr .mark.mark-stale {{ border-color: #8a1c12; color: #8a1c12; font-weight: 600; }}
table.ipr .phone {{ display: none; }}
table.icon-key {{ border-collapse: collapse; font-size: 0.85rem; margin: 0.25rem 0; width: 100%; }}
table.icon-key caption {{ text-align: left; font-weight: 600; }}
table.icon-key th, table.icon-key td {{ border-bottom: 1px solid #e0e0e0; padding: 0.15rem 0.4rem;
                                       text-align: left; vertical-align: middle; }}
table.icon-key td.key-icon {{ width: 2.2rem; }}
@media screen and (min-width: 641px) {{
  table.ipr tbody th {{ min-width: 10rem; }}
  table.ipr td:last-child {{ min-width: 6.5rem; }}
}}
@media screen and (max-width: 640px) {{
  table.ipr .{SECONDARY} {{ display: none; }}
  table.ipr .phone {{ display: block; }}
  table.icon-key td:last-child, table.icon-key th:last-child {{ display: none; }}
}}
"""


COLUMNS = (("Measure", ""), ("Organisation", SECONDARY), ("Latest period", SECONDARY),
           ("Latest value", ""), ("Target (set by)", SECONDARY), ("Variation", ""),
           ("Assurance", ""), ("Trend", SECONDARY), ("Data", SECONDARY))


@dataclass(frozen=True)
class SummaryRow:
    """One measure for one organisation, ready to show: every text plain, the SVGs ours."""

    key: str                     # metric id, or id@org for a metric shown for several
    measure: str
    org: str
    latest_period: str
    latest_value: str
    against_target: str | None   # met / within tolerance / missed, in words
    benchmark: str | None        # e.g. "Similar to England"; None for a metric without a benchmark
    target: str
    target_set_by: str | None
    variation_kind: str | None
    variation_name: str          # the icon's standard name, or why there is none
    assurance_kind: str | None
    assurance_name: str
    sparkline: str               # our SVG
    marks: tuple[tuple[str, str], ...]  # (css class, words): no recent data, example, trial limits


def _no_icon(view: MetricView, what: str) -> str:
    """Why a measure has no variation or assurance icon, in a few words."""
    if view.is_stale:
        return "Not judged: no recent data"
    if view.latest_value is None:
        return "No data"
    if view.method == "run_chart":
        return "Run chart: no SPC icons"
    if view.method == "target_only":
        return "Too few points for SPC"
    if view.method != "spc":
        return "No data"
    return "No target" if what == "assurance" else "—"


def _marks(view: MetricView) -> tuple[tuple[str, str], ...]:
    marks = []
    if view.latest_period is None:
        marks.append(("mark-stale", "No data"))
    elif view.is_stale:
        marks.append(("mark-stale", f"No recent data (latest {latest_period_words(view)})"))
    if view.is_example:
        marks.append(("mark-example", "Example data"))
    if "trial_limits" in view.points and len(view.points) and bool(view.points["trial_limits"].iloc[-1]):
        marks.append(("mark-trial", "Trial limits"))
    return tuple(marks)


def compared_with(view: MetricView) -> str | None:
    """The latest point's comparison with the benchmark in the scorecard's words
    (`benchmark_label`: one rule, one wording), or None for a metric without one (or not judged)."""
    return benchmark_label(view) if view.benchmark is not None and view.benchmark_name else None


def summary_rows(views: Sequence[MetricView], keys: Sequence[str] | None = None) -> list[SummaryRow]:
    """One row per view, in the views' order (`keys` name them; default: the metric ids)."""
    rows = []
    for i, view in enumerate(views):
        values = [float(v) for v in pd.to_numeric(view.points["value"], errors="coerce")]
        name = view.name + (" (example)" if view.is_example else "")
        span = ""
        if view.latest_period is not None and len(view.points):
            span = (f": {len(values)} points, {point_period_words(view.points, 0)} to "
                    f"{latest_period_words(view)}")
        kind = view.variation_icon
        rows.append(SummaryRow(
            key=keys[i] if keys is not None else view.metric_id,
            measure=name, org=view.org or "—",
            latest_period=latest_period_words(view),
            latest_value=("No recent data" if view.is_stale
                          else format_value(view.latest_value, view.unit)
                          if view.latest_period is not None else "No data"),
            against_target=TARGET_WORDS[view.rag] if view.rag and not view.is_stale else None,
            benchmark=compared_with(view),
            target=format_value(view.target, view.unit) if view.target is not None else "None set",
            target_set_by=view.target_set_by if view.target is not None else None,
            variation_kind=kind,
            variation_name=VARIATION_NAMES[kind] if kind else _no_icon(view, "variation"),
            assurance_kind=view.assurance_icon,
            assurance_name=(ASSURANCE_NAMES[view.assurance_icon] if view.assurance_icon
                            else _no_icon(view, "assurance")),
            sparkline=sparkline_svg(values, f"Trend of {view.name}{span}", width=80, colour=COMMON,
                                    last_colour=variation_colour(kind) if kind else None)
            if values else "",
            marks=_marks(view),
        ))
    return rows


def _icon_cell(kind: str | None, name: str, draw: Callable[[str, int], str]) -> str:
    if kind is None:
        return f'<td class="icon"><span class="sub">{text(name)}</span></td>'
    return f'<td class="icon">{draw(kind, 36)}</td>'


def _row(row: SummaryRow) -> str:
    e = text
    set_by = f'<span class="sub">set by {e(row.target_set_by)}</span>' if row.target_set_by else ""
    against = f'<span class="sub">{e(row.against_target)}</span>' if row.against_target else ""
    compared = f'<span class="sub benchmark">{e(row.benchmark)}</span>' if row.benchmark else ""
    marks = "".join(f'<span class="mark {e(cls)}">{e(words)}</span> ' for cls, words in row.marks)
    return (
        f'<tr data-key="{e(row.key)}">'
        f'<th scope="row">{e(row.measure)}<span class="sub phone">{e(row.org)} · '
        f"{e(row.latest_period)}</span></th>"
        f'<td class="{SECONDARY}">{e(row.org)}</td>'
        f'<td class="{SECONDARY} period">{e(row.latest_period)}</td>'
        f'<td class="num">{e(row.latest_value)}{against}{compared}</td>'
        f'<td class="{SECONDARY}">{e(row.target)}{set_by}</td>'
        + _icon_cell(row.variation_kind, row.variation_name, variation_svg)
        + _icon_cell(row.assurance_kind, row.assurance_name, assurance_svg)
        + f'<td class="{SECONDARY} spark">{row.sparkline}</td>'
        f'<td class="{SECONDARY}">{marks or "Current data"}</td></tr>'
    )


def summary_table_html(rows: Sequence[SummaryRow], caption: str) -> str:
    """The summary as one HTML table (styles in `CSS`); `caption` is escaped."""
    head = "".join(f'<th scope="col" class="{cls}">{label}</th>' if cls else f'<th scope="col">{label}</th>'
                   for label, cls in COLUMNS)
    return (f'<table class="ipr"><caption>{text(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(_row(r) for r in rows)}</tbody></table>")


def icons_html(view: MetricView, size: int = 44) -> str:
    """A measure's two icons side by side, each with its standard name also written beside it
    (for a measure's detail: its chart and explanation follow)."""
    cells = []
    if view.variation_icon:
        cells.append((variation_svg(view.variation_icon, size), VARIATION_NAMES[view.variation_icon]))
    if view.assurance_icon:
        cells.append((assurance_svg(view.assurance_icon, size), ASSURANCE_NAMES[view.assurance_icon]))
    if not cells:
        return ""
    return ('<div class="mdc-icons" style="display:flex;flex-wrap:wrap;gap:0.5rem 1.5rem;'
            'align-items:center;margin:0.25rem 0">'
            + "".join(f'<span style="display:inline-flex;align-items:center;gap:0.4rem">{svg}'
                      f"<span>{text(name)}</span></span>" for svg, name in cells)
            + "</div>")
