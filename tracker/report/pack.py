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

from tracker.db.queries import connect_read_only, run_query
from tracker.db.serving import require_database
from tracker.metrics.scorecard import evidence_by_metric, metric_views
from tracker.metrics.scorecard_view import MetricView
from tracker.metrics.scorecard_words import format_value, latest_label
from tracker.plans.problems import no_such_plan
from tracker.project import Project
from tracker.report.charts import event_lines, svg_chart
from tracker.report.cover import cover_fields
from tracker.report.cover import meeting_date as cover_meeting_date
from tracker.report.ipr import CSS as IPR_CSS
from tracker.report.ipr import compared_with, summary_rows, summary_table_html
from tracker.report.pdf import html_to_pdf
from tracker.report.snapshots import Revision, SnapshotUnreadable, load_snapshot, revisions
from tracker.spc.icons import icon_key_html
from tracker.status.health import SourceHealth, source_health
from tracker.status.objectives import (
    exceptions,
    metric_links,
    not_reported_by_lead,
    real_update_counts,
    reported_counts,
    status_on,
)
from tracker.status.quarters import FinancialQuarter
from tracker.status.rag import (
    DERIVED_LABELS,
    MOVEMENT_LABELS,
    NOT_JUDGED,
    REPORTED_STATUSES,
    STATUS_STYLES,
    TARGET_WORDS,
    TRAVEL_WORDS,
)
from tracker.words import count, plural

TEMPLATES = Path(__file__).resolve().parent / "templates"


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
    sponsor: str = ""
    presenter: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)  # the template's optional ones


@dataclass
class ReportData:
    plan: dict[str, Any]
    quarter: FinancialQuarter
    cover: CoverSheet
    position: str
    counts: list[dict[str, Any]]
    totals: dict[str, int]
    example_totals: dict[str, int]      # of `totals`, how many come from example updates
    real_updates: dict[str, int]        # real / example_only / none: see status.real_update_counts
    movement: dict[str, int]
    example_movement: dict[str, int]    # of `movement`, how many compare with an example
    exceptions: list[dict[str, Any]]
    not_reported: list[dict[str, Any]]  # by lead: see status.not_reported_by_lead
    exceptions_include: list[str]
    appendix: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    uses_examples: bool
    scorecard: list[dict[str, Any]]
    revisions: list[Revision]
    frozen_on: str | None
    signoff_orgs: list[str]
    awaiting_signoff: dict[str, list[str]]
    signoff_by_lead: list[dict[str, Any]]
    fully_signed_off: int
    updates_reported: int
    generated_on: dt.date = field(default_factory=dt.date.today)
    snapshot_problem: str | None = None  # the frozen record exists but cannot be read: say so
    # what the figures leave out or show from an old build: said on page 1
    health: SourceHealth = field(default_factory=SourceHealth)


def _plan(plans: pd.DataFrame, plan_id: str) -> dict[str, Any]:
    match = plans[plans["plan_id"] == plan_id]
    if match.empty:
        raise LookupError(no_such_plan(plan_id, plans["plan_id"]))
    return {str(k): v for k, v in match.iloc[0].to_dict().items()}


def position_sentence(frame: pd.DataFrame, quarter: FinancialQuarter) -> str:
    """The plan's position in one sentence, for the cover sheet.

    Statuses from real updates and from example updates are counted apart, so a Board
    member never reads an invented status as a reported one.
    """
    counts = reported_counts(frame)
    real, example = [], []
    for status in REPORTED_STATUSES[:-1]:  # each reported status, without "not reported"
        word = STATUS_STYLES[status].word.lower()
        n_example = counts[status]["example"]
        if counts[status]["all"] - n_example:
            real.append(f"{counts[status]['all'] - n_example} {word}")
        if n_example:
            example.append(f"{n_example} {word}")
    updates = real_update_counts(frame)
    parts = [f"{updates['real']} {plural(updates['real'], 'has', 'have')} a real update "
             f"({', '.join(real)})" if real else "none has a real update"]
    if example:
        n = updates["example_only"]
        parts.append(f"{n} {plural(n, 'shows', 'show')} only an example status, not reported by "
                     f"{plural(n, 'its lead', 'their leads')} ({', '.join(example)})")
    parts.append(f"{updates['none']} {plural(updates['none'], 'is', 'are')} not reported")
    overdue = int(frame["overdue"].sum())
    rosier = int(frame["rosier_than_evidence"].sum())
    return (f"As at {quarter.end_date:%-d %B %Y}, of {count(len(frame), 'objective')} {'; '.join(parts)}. "
            f"{overdue} {plural(overdue, 'is', 'are')} past {plural(overdue, 'its', 'their')} target "
            f"date and not complete, and {rosier} {plural(rosier, 'is', 'are')} reported more "
            "positively than the evidence supports.")


def _counts_by_area(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for (group, area), part in frame.groupby(["group", "area"], sort=False):
        counts = reported_counts(part)
        rows.append({"group": group, "area": area, "total": len(part),
                     "overdue": int(part["overdue"].sum()),
                     **{s: counts[s]["all"] for s in REPORTED_STATUSES},
                     "example": {s: counts[s]["example"] for s in REPORTED_STATUSES}})
    return rows


def _scorecard_row(view: MetricView) -> dict[str, Any]:
    return {
        "metric_id": view.metric_id, "unit": view.unit,
        "values": {pd.Timestamp(p).date().isoformat(): float(v)
                   for p, v in zip(view.points["period"], view.points["value"], strict=True)},
        "name": view.name, "example": view.is_example, "org": view.org,
        "latest": latest_label(view),
        "target": format_value(view.target, view.unit),
        "benchmark": compared_with(view),
        "against_target": NOT_JUDGED if view.is_stale else TARGET_WORDS[view.rag],
        "travel": TRAVEL_WORDS[view.vs_previous],
        "variation": view.variation_label, "assurance": view.assurance_label,
        "explanation": view.board_reading, "special_causes": view.flagged,
        "events": event_lines(view),
        "chart": Markup(svg_chart(view)),  # noqa: S704 - our own SVG; its text is escaped
        "variation_icon": view.variation_icon, "assurance_icon": view.assurance_icon,
        "summary": summary_rows([view], [view.metric_id + (f"@{view.org}" if view.org else "")])[0],
    }


def ipr_table(scorecard: list[dict[str, Any]], caption: str) -> Markup:
    """The pack's Integrated Performance Report summary: the dashboard's table (tracker.report.ipr)."""
    return Markup(summary_table_html([m["summary"] for m in scorecard], caption))  # noqa: S704 - escaped there


def _record(row: pd.Series) -> dict[str, Any]:
    return {
        "id": row["id"], "area": row["area"], "group": row["group"],
        "objective": row["objective"],
        "target_date": row["target_date"] if isinstance(row["target_date"], str) else None,
        "reported": row["reported_rag"], "derived": row["derived_status"],
        "derived_label": DERIVED_LABELS[row["derived_status"]],
        "reasons": list(row["reasons"]), "rosier": bool(row["rosier_than_evidence"]),
        "movement": MOVEMENT_LABELS[row["movement"]],
        "movement_example": bool(row["movement_involves_example"]),
        "commentary": row["commentary"] if isinstance(row["commentary"], str) else None,
        "mitigations": row["mitigations"] if isinstance(row["mitigations"], str) else None,
        "example": bool(row["reported_is_example"]),
        "signed_off_by": list(row["signed_off_by"]),
        "awaiting_signoff": list(row["awaiting_signoff"]),
        "why": list(row["why"]) if "why" in row else [],
    }


def _signoff_by_lead(reported: pd.DataFrame, orgs: list[str]) -> list[dict[str, Any]]:
    """The quarter's updates still waiting for a sign-off, by lead (by the plan's group where
    no lead is named): how many wait for each organisation, and which."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for record in reported.to_dict(orient="records"):
        waiting = list(record["awaiting_signoff"])
        if not waiting:
            continue
        lead = record["lead"] if isinstance(record["lead"], str) and record["lead"] else None
        group = "" if lead else str(record["group"] or "")
        row = rows.setdefault((lead or "No lead named", group),
                              {"lead": lead or "No lead named", "area": group,
                               "ids": [], "by_org": dict.fromkeys(orgs, 0)})
        row["ids"].append(record["id"])
        for org in waiting:
            if org in row["by_org"]:
                row["by_org"][org] += 1
    return list(rows.values())


def build_report_data(
    project: Project, plan_id: str, quarter: FinancialQuarter, meeting_date: str | None = None
) -> ReportData:
    """Everything the report shows, gathered once.

    One connection serves every query, and each metric is judged once, for the
    scorecard and as evidence for the objectives it is linked to.
    """
    require_database(project)
    con = connect_read_only(project.db_path)
    try:
        plan = _plan(run_query(con, project, "plans/plans"), plan_id)
        definitions = run_query(con, project, "metrics/metric_definitions")
        headline = definitions[definitions["headline"]]["metric_id"].tolist()
        links = metric_links(con, project)
        wanted = sorted(set(headline) | set(links["metric_id"]))
        judged = metric_views(project, quarter.end_date, wanted, con=con) if wanted else []
        frame = status_on(con, project, quarter, plan_id, links, evidence_by_metric(judged))
        problems = [{str(k): v for k, v in row.items()}
                    for row in run_query(con, project, "plans/problems").to_dict(orient="records")]
        health = source_health(con, project, plan_id)
    finally:
        con.close()
    subject = f"{plan['name']}: progress report, {quarter}"
    cover = CoverSheet(
        report_to="Sefton Partnership Board",
        meeting_date=cover_meeting_date(meeting_date, project.settings, quarter.end_date),
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
        sponsor=str(project.settings["report_sponsor"]).strip(),
        presenter=str(project.settings["report_presenter"]).strip(),
        fields=cover_fields(project.settings),
    )
    appendix = [_record(row) for _, row in frame.iterrows()]
    snapshot_problem = None
    try:
        snapshot = load_snapshot(project, plan_id, quarter)
    except SnapshotUnreadable as exc:  # logged where it was found
        snapshot, snapshot_problem = None, exc.message(quarter)
    scorecard = [_scorecard_row(view) for view in judged if view.metric_id in headline]
    orgs = [str(org) for org in project.settings["signoff_orgs"]]
    due = frame[frame["signoff_due"]]  # the quarter's own updates (objective_status.sql)
    totals = reported_counts(frame)
    awaiting = {org: [row["id"] for _, row in due.iterrows()
                      if org in list(row["awaiting_signoff"])] for org in orgs}
    include = [str(w) for w in project.settings["exceptions_include"]]
    return ReportData(
        plan=plan, quarter=quarter, cover=cover, position=position_sentence(frame, quarter),
        counts=_counts_by_area(frame),
        totals={s: c["all"] for s, c in totals.items()},
        example_totals={s: c["example"] for s, c in totals.items()},
        real_updates=real_update_counts(frame),
        movement={MOVEMENT_LABELS[m]: int((frame["movement"] == m).sum()) for m in MOVEMENT_LABELS},
        example_movement={MOVEMENT_LABELS[m]: int(((frame["movement"] == m)
                                                   & frame["movement_involves_example"]).sum())
                          for m in MOVEMENT_LABELS},
        exceptions=[_record(row) for _, row in exceptions(frame, str(quarter.previous()),
                                                           include).iterrows()],
        not_reported=not_reported_by_lead(frame),
        exceptions_include=include,
        appendix=appendix,
        problems=problems,
        uses_examples=bool(frame["reported_is_example"].any())
        or any(r["example"] for r in scorecard),
        scorecard=scorecard,
        revisions=revisions(snapshot, appendix, scorecard) if snapshot else [],
        frozen_on=snapshot["frozen_on"] if snapshot else None,
        signoff_orgs=orgs, awaiting_signoff=awaiting,
        signoff_by_lead=_signoff_by_lead(due, orgs),
        fully_signed_off=int(due["awaiting_signoff"].map(len).eq(0).sum()),
        updates_reported=len(due),
        snapshot_problem=snapshot_problem,
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


def groupby_in_order(rows: list[dict[str, Any]], key: str) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Rows grouped by `key` in the order they come (Jinja's groupby sorts them)."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return list(groups.items())


@functools.cache
def _environment() -> Environment:
    """One environment per process, so the template is compiled once, not for every part.

    Jinja still reloads the template when its file changes.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.globals.update(styles=STATUS_STYLES, count=count, plural=plural)
    env.filters["in_plan_order"] = in_plan_order
    env.filters["groupby_in_order"] = groupby_in_order
    env.globals["ipr_table"] = ipr_table
    env.globals["ipr_css"] = Markup(IPR_CSS)  # noqa: S704 - our own style sheet
    env.globals["icon_key"] = Markup(icon_key_html(16, compact=True))  # noqa: S704 - our own SVG and words
    return env


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML document."""
    template = _environment().get_template("report.html.j2")
    return template.render(data=data, REPORTED=REPORTED_STATUSES)


def render_pdf(data: ReportData) -> bytes:
    """The same report as a tagged PDF (A4, printed by WeasyPrint in this process; see
    tracker.report.pdf for why in one process)."""
    return html_to_pdf(render_html(data), TEMPLATES)


def freeze_report(project: Project, data: ReportData) -> Path:
    """Store the pack's statuses and figures as the Board sees them (see tracker.report.snapshots)."""
    from tracker.report.snapshots import freeze

    return freeze(project, data.plan["plan_id"], data.quarter, data.appendix, data.scorecard)
