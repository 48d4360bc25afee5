"""The commands that read the database (built first by the entry point): each objective's
status, the Board's report, one metric's SPC table, and the rejected extract rows."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from tracker.cli.shared import health_of, known_metric, known_plan, quarter_type, warn_of_problems
from tracker.plans.problems import display_path
from tracker.project import Project

# New fields go at the end, so existing readers of the CSV keep their columns.
STATUS_FIELDS = ["id", "plan", "group", "area", "target_date", "reported_rag", "derived_status",
                 "reasons", "rosier_than_evidence", "movement", "overdue",
                 "reported_is_example", "reported_quarter", "has_real_update",
                 "movement_involves_example"]


STATUS_FLAGS = ["reported_is_example", "has_real_update", "rosier_than_evidence",
                "movement_involves_example", "overdue"]


def cmd_status(args: argparse.Namespace, project: Project) -> int:
    """Print one record per objective: reported and derived status, reasons, movement."""
    from tracker.csvsafe import inert
    from tracker.status.objectives import objective_status

    known_plan(project, args.plan)  # a mistyped id must not print an empty list
    fields = [*STATUS_FIELDS, "problem"]
    frame = objective_status(project, args.quarter, args.plan)
    health = health_of(project, args.plan)
    exit_code = warn_of_problems(health, len(frame))
    frame = frame.assign(problem=frame["id"].map(health.objective_problems))[fields]
    records: list[dict[str, Any]] = [
        {str(k): (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]
    for record in records:
        record["reasons"] = list(record["reasons"])
        record.update({flag: bool(record[flag]) for flag in STATUS_FLAGS})
    if args.format == "json":
        json.dump(records, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: inert(v) for k, v in {**r, "reasons": "; ".join(r["reasons"])}.items()}
                         for r in records)
    return exit_code


def status_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quarter", required=True, type=quarter_type, help='e.g. "2023-24 Q3"')
    command.add_argument("--plan", help="one plan's id (default: every plan)")
    command.add_argument("--format", choices=("json", "csv"), default="json")


def cmd_report(args: argparse.Namespace, project: Project) -> int:
    """Write the quarterly Board report as PDF or HTML."""
    from tracker.report.pack import build_report_data, freeze_report, render_html, render_pdf
    from tracker.report.snapshots import SnapshotExists

    known_plan(project, args.plan)
    data = build_report_data(project, args.plan, args.quarter, args.meeting_date)
    exit_code = warn_of_problems(data.health, len(data.appendix))
    out = args.out or Path(f"{args.plan}-{str(args.quarter).replace(' ', '-')}.{args.format}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.format == "html":
        out.write_text(render_html(data), encoding="utf-8")
    else:
        out.write_bytes(render_pdf(data))
    print(f"Wrote {out}" + (" (contains EXAMPLE data)" if data.uses_examples else "") + ".")
    if data.revisions:
        print(f"{len(data.revisions)} item(s) revised since the Board saw {args.quarter}:")
        for revision in data.revisions:
            print(f"  {revision.sentence()}")
    if data.snapshot_problem:
        print(data.snapshot_problem, file=sys.stderr)
        return 1
    if args.freeze:
        try:
            path = freeze_report(project, data)
        except SnapshotExists as exc:
            print(f"Not frozen: {exc}.", file=sys.stderr)
            return 1
        print(f"Froze {args.quarter} as the Board saw it: {display_path(path, project.root)} "
              "(commit it).")
    return exit_code


def board_report_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--plan", required=True, help="the plan's id, e.g. sefton-plan-2023-25")
    command.add_argument("--quarter", required=True, type=quarter_type, help='e.g. "2023-24 Q3"')
    command.add_argument("--format", choices=("pdf", "html"), default="pdf")
    command.add_argument("--out", type=Path, help="the file to write")
    command.add_argument("--meeting-date",
                         help="the Board meeting's date for the cover, e.g. 2024-05-15 (default: "
                              "the first of the board_meeting_dates setting after the quarter)")
    command.add_argument("--freeze", action="store_true",
                         help="record this pack as the Board saw it (data/snapshots/)")


def cmd_spc(args: argparse.Namespace, project: Project) -> int:
    """Print one metric's SPC table and icons as JSON; each point with its benchmark, the
    area's 95% interval and the comparison (`tracker.metrics.benchmarking`), and its
    `period_label`: a pooled period's words as published ("2019 - 21"), else null."""
    import pandas as pd

    from tracker.metrics.benchmarking import POINT_COLUMNS
    from tracker.metrics.scorecard import metric_views

    as_at = args.quarter.end_date if args.quarter else dt.date.max
    found = metric_views(project, as_at, [args.metric], args.org)
    if not found:
        print(f"Not found: there is no metric '{args.metric}'.", file=sys.stderr)
        return 1
    if len(found) > 1:  # several of the place's organisations: never pick one silently
        print(f"Metric {args.metric} has data for {len(found)} of the place's organisations: "
              f"{', '.join(str(v.org) for v in found)}. Choose one with --org, e.g. "
              f"--org \"{found[0].org}\".", file=sys.stderr)
        return 1
    [view] = found
    if view.latest_value is None:
        print(f"Not found: metric {args.metric} has no data for organisation '{args.org}'."
              if args.org else f"Not found: metric {args.metric}: {view.explanation} Or choose an "
              "organisation with --org.", file=sys.stderr)
        return 1
    table = view.points.reindex(columns=["period", "value", "rebase_group", "mean", "lpl", "upl",
                                         "point_type", *POINT_COLUMNS, "period_label"])
    points = []
    for row in table.to_dict(orient="records"):
        row["period"] = pd.Timestamp(row["period"]).date().isoformat()
        points.append({k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()})
    record = {
        "metric": view.metric_id, "org": view.org,
        "latest_period": view.latest_period.isoformat() if view.latest_period else None,
        "stale": view.is_stale, "variation_icon": view.variation_icon,
        "assurance_icon": view.assurance_icon, "method": view.method,
        "explanation": view.explanation, "special_causes": view.flagged,
        "rebases": [{"period": f"{n.period:%Y-%m}", "reason": n.text} for n in view.rebases],
        "rebase_suggestion": view.rebase_suggestion,
        "events": [{"period": f"{n.period:%Y-%m}", "text": n.text} for n in view.events],
        "points": points,
    }
    json.dump(record, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


def spc_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--metric", required=True, help="the metric's id")
    command.add_argument("--org", help="the organisation code (default: the place's organisation "
                                       "with data, from place_orgs or the metric's orgs:)")
    command.add_argument("--quarter", type=quarter_type,
                         help="as at the end of this quarter (default: all data)")
    command.add_argument("--format", choices=("json",), default="json")


def cmd_rejects(args: argparse.Namespace, project: Project) -> int:
    """List the rejected extract rows of the last build: file, line, every reason, the row."""
    from tracker.metrics.rejects import format_rejects, rejected_rows

    file = args.file
    if file and not file.startswith("data/"):  # as the analyst sees it, or as the table keeps it
        file = f"data/{file}"
    known_metric(project, args.metric)  # else "No rejected rows." for a mistyped id
    rows = rejected_rows(project, args.metric, file)
    sys.stdout.write(format_rejects(rows, args.format))
    return 0


def rejects_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--metric", help="one metric's id (default: every metric)")
    command.add_argument("--file", help="one extract, e.g. data/extracts/ae.csv (default: every file)")
    command.add_argument("--format", choices=("table", "csv", "json"), default="table")
