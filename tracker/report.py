"""The quarterly Board report: one HTML file and the PDF made from it.

The report is built from the same status query as the dashboard, so the
Board reads the same figures in the pack as on the screen. The HTML is one
self-contained file (styles inline, charts as inline SVG); user text is
escaped by the template engine, never interpreted. The PDF is the same HTML
printed by WeasyPrint, which installs from pip alone.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from tracker.build import ensure_built
from tracker.charts import svg_chart
from tracker.health import SourceHealth, source_health
from tracker.pdf import Printer, html_to_pdf
from tracker.project import Project
from tracker.quarters import FinancialQuarter
from tracker.queries import connect_read_only, run_query
from tracker.rag import DERIVED_LABELS, MOVEMENT_LABELS, STATUS_STYLES
from tracker.scorecard import MetricView, format_value, metric_views
from tracker.snapshots import Revision, load_snapshot, revisions
from tracker.status import metric_links, status_on

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPORTED_ORDER = ["red", "amber", "green", "blue", "not_reported"]


@dataclass
class CoverSheet:
    """The Board paper's front page, in the style of the council's committee papers."""

    report_to: str
    meeting_date: str
    subject: str
    report_of: str
    purpose: str
    recommendations: list[str]
    assurance: str


@dataclass
class ReportData:
    plan: dict[str, Any]
    quarter: FinancialQuarter
    cover: CoverSheet
    position: str
    counts: list[dict[str, Any]]
    totals: dict[str, int]
    movement: dict[str, int]
    exceptions: list[dict[str, Any]]
    appendix: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    uses_examples: bool
    scorecard: list[dict[str, Any]]
    revisions: list[Revision]
    frozen_on: str | None
    signoff_orgs: list[str]
    awaiting_signoff: dict[str, list[str]]
    fully_signed_off: int
    updates_reported: int
    generated_on: dt.date = field(default_factory=dt.date.today)
    # what the figures leave out or show from an old build: said on page 1
    health: SourceHealth = field(default_factory=SourceHealth)


def _plan(plans: pd.DataFrame, plan_id: str) -> dict[str, Any]:
    match = plans[plans["plan_id"] == plan_id]
    if match.empty:
        known = ", ".join(plans["plan_id"])
        raise LookupError(f"there is no plan '{plan_id}': plans are {known}")
    return match.iloc[0].to_dict()


def position_sentence(frame: pd.DataFrame, quarter: FinancialQuarter) -> str:
    """The plan's position in one sentence, for the cover sheet."""
    counts = frame["reported_rag"].value_counts()
    parts = [f"{counts.get(s, 0)} {STATUS_STYLES[s].word.lower()}" for s in REPORTED_ORDER
             if counts.get(s, 0)]
    overdue = int(frame["overdue"].sum())
    rosier = int(frame["rosier_than_evidence"].sum())
    return (f"As at {quarter.end_date:%-d %B %Y}, of {len(frame)} objectives "
            f"{', '.join(parts)}; {overdue} are past their target date and not complete, and "
            f"{rosier} are reported more positively than the evidence supports.")


def _counts_by_area(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for (group, area), part in frame.groupby(["group", "area"], sort=False):
        counts = part["reported_rag"].value_counts()
        rows.append({"group": group, "area": area, "total": len(part),
                     "overdue": int(part["overdue"].sum()),
                     **{s: int(counts.get(s, 0)) for s in REPORTED_ORDER}})
    return rows


def _scorecard_row(view: MetricView) -> dict[str, Any]:
    return {
        "metric_id": view.metric_id, "unit": view.unit,
        "values": {pd.Timestamp(p).date().isoformat(): float(v)
                   for p, v in zip(view.points["period"], view.points["value"], strict=True)},
        "name": view.name, "example": view.is_example, "org": view.org,
        "latest": (f"{format_value(view.latest_value, view.unit)} ({view.latest_period:%b %Y})"
                   if view.latest_period else "No data"),
        "target": format_value(view.target, view.unit),
        "against_target": {"met": "✔ Met", "within_tolerance": "▲ Within tolerance",
                           "missed": "✖ Missed", None: "– No target"}[view.rag],
        "travel": {"improved": "↑ Improved", "worse": "↓ Worse", "similar": "→ Similar",
                   None: "—"}[view.vs_previous],
        "variation": view.variation_label, "assurance": view.assurance_label,
        "explanation": view.explanation, "special_causes": view.flagged,
        "chart": Markup(svg_chart(view)),  # noqa: S704 - our own SVG; its text is escaped
    }


def _exceptions(frame: pd.DataFrame) -> list[dict[str, Any]]:
    flagged = frame[
        frame["reported_rag"].isin(["red", "amber", "not_reported"]) | frame["overdue"]
        | frame["rosier_than_evidence"] | frame["derived_status"].eq("at_risk")
    ]
    severity = {"red": 0, "amber": 1, "not_reported": 2, "green": 3, "blue": 4}
    flagged = flagged.assign(_order=flagged["reported_rag"].map(severity))
    return [_record(row) for _, row in flagged.sort_values(["_order", "position"]).iterrows()]


def _record(row: pd.Series) -> dict[str, Any]:
    return {
        "id": row["id"], "area": row["area"], "group": row["group"],
        "objective": row["objective"],
        "target_date": row["target_date"] if isinstance(row["target_date"], str) else None,
        "reported": row["reported_rag"], "derived": row["derived_status"],
        "derived_label": DERIVED_LABELS[row["derived_status"]],
        "reasons": list(row["reasons"]), "rosier": bool(row["rosier_than_evidence"]),
        "movement": MOVEMENT_LABELS[row["movement"]],
        "commentary": row["commentary"] if isinstance(row["commentary"], str) else None,
        "mitigations": row["mitigations"] if isinstance(row["mitigations"], str) else None,
        "example": bool(row["is_example"]),
        "signed_off_by": list(row["signed_off_by"]),
        "awaiting_signoff": list(row["awaiting_signoff"]),
    }


def build_report_data(
    project: Project, plan_id: str, quarter: FinancialQuarter, meeting_date: str | None = None
) -> ReportData:
    """Everything the report shows, gathered once.

    One connection serves every query, and each metric is judged once, for the
    scorecard and as evidence for the objectives it is linked to.
    """
    ensure_built(project)
    con = connect_read_only(project.db_path)
    try:
        plan = _plan(run_query(con, project, "plans"), plan_id)
        definitions = run_query(con, project, "metric_definitions")
        headline = definitions[definitions["headline"]]["metric_id"].tolist()
        links = metric_links(con, project)
        wanted = sorted(set(headline) | set(links["metric_id"]))
        judged = metric_views(project, quarter.end_date, wanted, con=con) if wanted else []
        frame = status_on(con, project, quarter, plan_id, links, {v.metric_id: v for v in judged})
        problems = run_query(con, project, "problems").to_dict(orient="records")
        health = source_health(con, project, plan_id)
    finally:
        con.close()
    subject = f"{plan['name']}: progress report, {quarter}"
    cover = CoverSheet(
        report_to="Sefton Partnership Board",
        meeting_date=meeting_date or "To be confirmed",
        subject=subject,
        report_of=f"{plan['owner']} programme leads",
        purpose=(f"To report progress against the objectives of the {plan['name']} as at the end "
                 f"of {quarter}, the exceptions that need the Board's attention, and the "
                 "performance of the headline metrics."),
        recommendations=[
            "Note the position of the plan's objectives as at the end of the quarter.",
            "Consider the exceptions and the mitigations proposed by the leads.",
            "Agree any escalation needed where the reported status is more positive than the "
            "evidence.",
        ],
        assurance=("The Board is asked to take assurance that progress is monitored quarterly "
                   "against published target dates, and that exceptions are identified from "
                   "the evidence as well as from the leads' own reports."),
    )
    appendix = [_record(row) for _, row in frame.iterrows()]
    snapshot = load_snapshot(project, plan_id, quarter)
    scorecard = [_scorecard_row(view) for view in judged if view.metric_id in headline]
    orgs = [str(org) for org in project.settings["signoff_orgs"]]
    reported = frame[frame["reported_rag"].ne("not_reported")]
    awaiting = {org: [row["id"] for _, row in reported.iterrows()
                      if org in list(row["awaiting_signoff"])] for org in orgs}
    return ReportData(
        plan=plan, quarter=quarter, cover=cover, position=position_sentence(frame, quarter),
        counts=_counts_by_area(frame),
        totals={s: int((frame["reported_rag"] == s).sum()) for s in REPORTED_ORDER},
        movement={MOVEMENT_LABELS[m]: int((frame["movement"] == m).sum()) for m in MOVEMENT_LABELS},
        exceptions=_exceptions(frame),
        appendix=appendix,
        problems=problems,
        uses_examples=bool(frame["is_example"].any()) or any(r["example"] for r in scorecard),
        scorecard=scorecard,
        revisions=revisions(snapshot, appendix, scorecard) if snapshot else [],
        frozen_on=snapshot["frozen_on"] if snapshot else None,
        signoff_orgs=orgs, awaiting_signoff=awaiting,
        fully_signed_off=int(reported["awaiting_signoff"].map(len).eq(0).sum()),
        updates_reported=len(reported),
        health=health,
    )


def in_plan_order(rows: list[dict[str, Any]]) -> list[tuple[str, list[tuple[str, list[dict[str, Any]]]]]]:
    """Objectives grouped by group, then area, in the order the plan lists them.

    (Jinja's own groupby sorts the groups alphabetically, which is not the plan's order.)
    """
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for row in rows:
        groups.setdefault(row["group"] or "", {}).setdefault(row["area"], []).append(row)
    return [(group, list(areas.items())) for group, areas in groups.items()]


@functools.cache
def _environment() -> Environment:
    """One environment per process, so the template is compiled once, not for every part.

    Jinja still reloads the template when its file changes.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.globals["styles"] = STATUS_STYLES
    env.filters["in_plan_order"] = in_plan_order
    return env


def render_html(data: ReportData, part: str = "whole", pages: int = 0) -> str:
    """The report as one self-contained HTML document.

    `part` is "whole" for the report itself; the PDF printer also asks for the
    "first" and "second" halves and for "footer" (`pages` blank pages that
    carry only the page footers); see tracker.pdf.
    """
    template = _environment().get_template("report.html.j2")
    return template.render(data=data, REPORTED=REPORTED_ORDER, part=part, pages=pages)


def render_pdf(data: ReportData, printer: Printer | None = None) -> bytes:
    """The same report as a PDF (A4, printed by WeasyPrint).

    With a `printer` (the command line starts one early; see tracker.pdf) the
    halves are printed on two cores; without one, or if it fails, the whole
    document is printed here. A threaded server must not fork, so passes none.
    """
    if printer is not None:
        pdf = printer.print_halves(render_html(data, "first"), render_html(data, "second"),
                                   lambda pages: render_html(data, "footer", pages), TEMPLATES)
        if pdf is not None:
            return pdf
    return html_to_pdf(render_html(data), TEMPLATES)


def freeze_report(project: Project, data: ReportData) -> Path:
    """Store the pack's statuses and figures as the Board sees them (see tracker.snapshots)."""
    from tracker.snapshots import freeze

    return freeze(project, data.plan["plan_id"], data.quarter, data.appendix, data.scorecard)
