"""Metric definitions: how analysts describe a published extract, in YAML only.

Each file under `data/metrics/` holds a `metrics:` list (so analysts do not
collide in one file). A definition says what the metric is (unit, direction,
frequency, target) and where its numbers come from: the extract file, its
period and organisation columns, and the value as a column or an SQL
expression over the extract's columns (checked by `tracker.metrics.sqlguard`); in a long
file, each side of a ratio picks its rows, and organisations may be combined
(`tracker.metrics.long_forms`).

Each definition is validated on its own, so one mistake costs that metric,
not its neighbours in the file; every problem of every file is reported as
`path:line: message`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from tracker.metrics.benchmark_definition import Benchmark, check_benchmark_org
from tracker.metrics.definition_checks import definition_problems
from tracker.metrics.long_forms import Combine, Side, check_long_and_combined, side_where
from tracker.plans.models import Month, Strict, Text, Unit, _editor_pattern
from tracker.plans.problems import Problem, SourceError, display_path
from tracker.plans.validation import validate_document
from tracker.plans.yamlio import LocatedDocument, read_yaml
from tracker.project import Project

logger = logging.getLogger(__name__)

_METRIC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EXTRACT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".ods", ".parquet")
WORKBOOKS = (".xlsx", ".xls", ".ods")


def _check_metric_id(value: str) -> str:
    if not _METRIC_ID.match(value):
        raise ValueError(f"'{value}' should be lower-case letters, digits and dashes, "
                         "for example dementia-diagnosis-rate")
    return value


MetricId = Annotated[
    str, AfterValidator(_check_metric_id),
    _editor_pattern(_METRIC_ID.pattern, "dementia-diagnosis-rate"),
]


class TrajectoryPoint(Strict):
    """A planned value for one month."""

    period: Month
    value: float


class MetricTarget(Strict):
    """A fixed target, a target by a date, or a trajectory of values by period."""

    value: float | None = Field(None, description="The target value, in the metric's unit.")
    due: Month | None = Field(None, description="The month by which the target applies.")
    set_by: Text | None = Field(
        None, description="Who set the target, e.g. NHS England planning guidance or the "
                          "Partnership Board (shown beside it on the scorecard).",
    )
    trajectory: list[TrajectoryPoint] = Field(
        default_factory=list, description="Planned values by month, e.g. a recovery path."
    )

    @model_validator(mode="after")
    def _has_something(self) -> MetricTarget:
        if self.value is None and not self.trajectory:
            raise ValueError("needs a value or a trajectory")
        periods = [point.period for point in self.trajectory]
        repeated = sorted({p for p in periods if periods.count(p) > 1})
        if repeated:
            raise ValueError(f"names {', '.join(repeated)} twice in its trajectory: keep one value a month")
        return self


class RebasePoint(Strict):
    """A month from which the SPC limits are recalculated, and why the process changed there."""

    period: Month = Field(description="The first month of the new limits, YYYY-MM.")
    reason: Text | None = Field(
        None, description="What changed then (a new service, a new definition): shown with the chart."
    )


def _plain_month_as_rebase(value: object) -> object:
    """The older form, a plain month (`rebase: [2023-10]`), read as a rebase without a reason."""
    if isinstance(value, str | dt.date):
        return {"period": value}
    return value


Rebase = Annotated[
    RebasePoint, BeforeValidator(_plain_month_as_rebase, json_schema_input_type=Month | RebasePoint)
]


def _once_a_month(points: list[RebasePoint]) -> list[RebasePoint]:
    periods = [point.period for point in points]
    repeated = sorted({p for p in periods if periods.count(p) > 1})
    if repeated:
        raise ValueError(f"names {', '.join(repeated)} twice: the limits restart once a month "
                         "at most, so keep one entry (with its reason)")
    return points


class MetricEvent(Strict):
    """Something that happened, drawn on the chart as a marked month with its words."""

    period: Month = Field(description="The month it happened, YYYY-MM.")
    text: Text = Field(description="What happened, in a few words, e.g. 'New memory clinic opened'.")


def _event_needs_words(value: object) -> object:
    """A bare month says nothing to the Board: ask for the words with it."""
    if isinstance(value, str | dt.date):
        month = value.strftime("%Y-%m") if isinstance(value, dt.date) else value
        raise ValueError(f"'{month}' needs its words: write {{period: {month}, text: \"what happened\"}}")
    return value


Event = Annotated[MetricEvent, BeforeValidator(_event_needs_words)]


class Source(Strict):
    """Where the metric's numbers come from, in the extract's own layout."""

    file: Text = Field(description="The extract, relative to data/ (CSV, XLSX, XLS, ODS or Parquet).")
    sheet: str | None = Field(None, description="The sheet of a workbook (else the first).")
    period: Text = Field(description="The column holding the date, month or quarter.")
    org: str | None = Field(None, description="The column holding the organisation code.")
    default_org: str = Field("Sefton", description="The organisation when there is no org column.")
    value: str | None = Field(None, description="A column name or an SQL expression over the columns.")
    numerator: Side | None = Field(
        None, description="A column or expression: the ratio's top; in a long file, "
                          "{value: VALUE, where: \"MEASURE = 'DEMENTIA_REGISTER_65_PLUS'\"} reads the rows "
                          "`where` picks, matched with the denominator's by organisation and period.",
    )
    denominator: Side | None = Field(
        None, description="A column or expression: the ratio's bottom; in a long file, "
                          "{value: VALUE, where: \"MEASURE = 'DEMENTIA_ESTIMATE_65_PLUS'\"}.",
    )
    filter: str | None = Field(None, description="An SQL condition choosing the rows to use.")
    encoding: Literal["utf-8", "windows-1252"] | None = Field(
        None, description="Force a CSV's encoding (found automatically otherwise)."
    )
    delimiter: str | None = Field(
        None, min_length=1, max_length=1, description="Force a CSV's delimiter (found automatically)."
    )
    header_row: int = Field(
        1, ge=1, le=1000,
        description="The line (CSV) or row (XLSX) holding the column names, below any title rows.",
    )
    suppressed: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=20,
        description="Marks the publisher writes for a suppressed number, e.g. ['*', '[c]', '..']: "
                    "a row with one where the metric reads a number is counted as suppressed, "
                    "neither loaded nor rejected.",
    )
    nil: str | None = Field(
        None, min_length=1, max_length=40,
        description="The mark the publisher writes for nil, read as 0 where a number is read, "
                    "e.g. '-' (only when given here).",
    )
    combine: Combine | None = Field(
        None, description="Organisations added into one, e.g. {SEFTON: [01T, 01V]}: their numerators "
                          "and denominators (or counts) are added per period; a period missing a part "
                          "is rejected. Refused for a rate given as 'value' (any unit but count or "
                          "currency).",
    )

    @model_validator(mode="after")
    def _fits_the_format(self) -> Source:
        suffix = Path(self.file).suffix.lower()
        if suffix not in EXTRACT_SUFFIXES:
            raise ValueError(f"file '{self.file}' is not a CSV, XLSX, XLS, ODS or Parquet file "
                             f"(it should end {', '.join(EXTRACT_SUFFIXES)})")
        if self.sheet is not None and suffix not in WORKBOOKS:
            raise ValueError("'sheet' is only for workbooks (XLSX, XLS, ODS): remove it")
        if (self.encoding or self.delimiter) and suffix not in (".csv", ".txt"):
            raise ValueError("'encoding' and 'delimiter' are only for CSV files: remove them")
        if self.header_row != 1 and suffix == ".parquet":
            raise ValueError("'header_row' is not for Parquet files, whose columns are named")
        marks = [m.strip() for m in self.suppressed]
        if self.nil is not None and self.nil.strip() in marks:
            raise ValueError(f"'{self.nil}' is both 'nil' and 'suppressed': a mark means one of them")
        return self

    @model_validator(mode="after")
    def _value_or_ratio(self) -> Source:
        has_ratio = self.numerator is not None or self.denominator is not None
        if self.value is None and not has_ratio:
            raise ValueError("needs 'value', or 'numerator' and 'denominator'")
        if self.value is not None and has_ratio:
            raise ValueError("needs 'value' or 'numerator' and 'denominator', not both")
        if has_ratio and (self.numerator is None or self.denominator is None):
            raise ValueError("needs both 'numerator' and 'denominator' for a ratio")
        check_long_and_combined(self.numerator, self.denominator, self.org, self.combine)
        return self


class Metric(Strict):
    """One metric: what it measures, how to judge it, and where its numbers are."""

    id: MetricId = Field(description="Lower-case words and dashes, unique across all files.")
    name: Text
    description: str | None = None
    unit: Unit
    direction: Literal["higher_is_better", "lower_is_better", "neutral"]
    frequency: Literal["monthly", "quarterly", "annual"]
    target: MetricTarget | None = None
    tolerance: float | None = Field(None, ge=0, description="Amber band, in the metric's units.")
    objectives: list[Text] = Field(default_factory=list, description="Ids of objectives it evidences.")
    benchmark: Benchmark | None = None
    rebase: Annotated[list[Rebase], AfterValidator(_once_a_month)] = Field(
        default_factory=list,
        description="Months from which the SPC limits are recalculated, each with its reason: "
                    "[{period: 2023-10, reason: ...}] (a plain month, [2023-10], is accepted too).",
    )
    events: list[Event] = Field(
        default_factory=list,
        description="Events drawn on the chart and listed under it: [{period: 2023-06, text: ...}].",
    )
    fix_after_n_points: int | None = Field(
        None, ge=12, le=10_000,  # (a 24-digit number stopped the build: no database column holds it)
        description="Compute SPC limits from the first n points only (at least 12)."
    )
    headline: bool = Field(False, description="Shown on the Board's balanced scorecard.")
    owner: str | None = Field(None, description="The analyst responsible for the data.")
    owner_email: str | None = None
    example: bool = Field(False, description="True for invented example data (always labelled).")
    orgs: list[Text] | None = Field(
        None, min_length=1,
        description="The place's organisations this metric is shown for, as the extract names "
                    "them (default: the place_orgs setting).",
    )
    freshness_months: int | None = Field(
        None, ge=0, le=120,
        description="How many months old the latest data may be and still be shown as current "
                    "(default: the freshness_months_<frequency> setting).",
    )
    source: Source

    @model_validator(mode="after")
    def _benchmark_fits_the_source(self) -> Metric:
        check_benchmark_org(self.benchmark, self.source.org, self.orgs)
        several_rows = side_where(self.source.numerator) is not None or self.source.combine is not None
        if self.benchmark is not None and self.benchmark.org is not None and several_rows:
            # The benchmark organisation's own point would have to be put together from its
            # rows as the area's are; until it is, say so rather than show a wrong benchmark.
            raise ValueError(f"benchmark org '{self.benchmark.org}' is not yet read from a long file "
                             "or from combined organisations: give the benchmark as a column of the "
                             "area's rows (benchmark: {value: <column>}) or leave it out")
        return self


class MetricFile(Strict):
    """A file under data/metrics/: a list of metric definitions."""

    metrics: list[Metric]


@dataclass(frozen=True)
class PlacedMetric:
    """A metric with the file and line it was defined at."""

    metric: Metric
    path: str
    line: int | None

    @property
    def rebase_dates(self) -> list[dt.date]:
        return [dt.date(int(p.period[:4]), int(p.period[5:]), 1) for p in self.metric.rebase]


def metric_files(project: Project) -> list[Path]:
    """The metric definition files, in a stable order."""
    folder = project.data_dir / "metrics"
    return sorted(folder.glob("*.y*ml")) if folder.is_dir() else []


def extract_path(project: Project, relative: str) -> Path | None:
    """The extract's real path, or None if it would lie outside data/ (or be a link out, or
    a link that leads round in a loop)."""
    if Path(relative).is_absolute() or "\\" in relative or relative.startswith("~"):
        return None
    try:
        data = project.data_dir.resolve()
        candidate = (project.data_dir / relative).resolve()
    except (RuntimeError, OSError):  # a link loop ("Symlink loop from ..."): nothing to read
        logger.info("extract %s cannot be resolved", relative, exc_info=True)
        return None
    if candidate != data and data not in candidate.parents:
        return None
    return candidate


def load_metrics(project: Project) -> tuple[list[PlacedMetric], list[Problem]]:
    """Read and check every metric file: every problem of every file, as `path:line: message`.

    Valid definitions are returned even when others have problems, so the build goes on
    with them. A definition whose extract lies outside data/ is a problem and left out; of
    two definitions with one id, both are reported and the first is kept.
    """
    read: list[_Read] = []
    problems: list[list[Problem]] = []  # in the order found, a list per definition
    for path in metric_files(project):
        _load_file(project, path, read, problems)
    refused = definition_problems([item.metric for item in read])
    placed: list[PlacedMetric] = []
    for item, found in zip(read, refused, strict=True):
        if found:  # found in every file's definitions at once, each put in its place
            problems[item.slot] += [item.problem(place, message) for place, message in found]
        else:
            placed.append(PlacedMetric(item.metric, item.shown, item.doc.line_of(("metrics", item.index))))
    flat = [problem for slot in problems for problem in slot]
    flat.extend(_duplicates(placed))
    return _first_of_each(placed), flat


@dataclass
class _Read:
    """A definition read and valid on its own, before the checks made of all definitions at once."""

    metric: Metric
    shown: str
    doc: LocatedDocument
    index: int
    slot: int  # where its problems go in the list of problems

    def problem(self, place: tuple[str, ...], message: str) -> Problem:
        """A problem at `place` under the definition's `source`."""
        return Problem(self.shown, self.doc.line_of(("metrics", self.index, "source", *place)),
                       f"metric {self.metric.id}: {message}")


def _load_file(project: Project, path: Path, read: list[_Read], problems: list[list[Problem]]) -> None:
    """Read one metric file's definitions into `read`, its problems into `problems`."""
    shown = display_path(path, project.root)
    try:
        doc = read_yaml(path, shown)
    except SourceError as exc:
        problems.append([exc.problem])
        return
    for index, metric, found in _definitions(doc):
        problems.append(list(found))
        if metric is None:
            continue
        if extract_path(project, metric.source.file) is None:
            problems[-1].append(Problem(shown, doc.line_of(("metrics", index, "source", "file")),
                                        f"metric {metric.id}: {_unreachable(project, metric.source.file)}"))
            continue
        read.append(_Read(metric, shown, doc, index, len(problems) - 1))


def _unreachable(project: Project, relative: str) -> str:
    """Why an extract cannot be read where it is, in words."""
    try:
        (project.data_dir / relative).resolve()
    except (RuntimeError, OSError):
        return (f"file '{relative}' is a link that leads round in a loop: replace it with the "
                "extract itself, or a link to it")
    return f"file '{relative}' is outside data/: extracts must be inside the data folder"


def _definitions(doc: LocatedDocument) -> list[tuple[int, Metric | None, list[Problem]]]:
    """Each definition of a file validated on its own, with its line numbers kept."""
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), list):
        _, problems = validate_document(doc, MetricFile)
        return [(-1, None, problems)]
    results: list[tuple[int, Metric | None, list[Problem]]] = []
    others = {k: v for k, v in data.items() if k != "metrics"}
    if others:  # unknown top-level keys, reported as such
        _, problems = validate_document(_part(doc, {**others, "metrics": []}, None), MetricFile)
        results.append((-1, None, problems))
    for index, item in enumerate(data["metrics"]):
        parsed, problems = validate_document(_part(doc, {"metrics": [item]}, index), MetricFile)
        metric = parsed.metrics[0] if isinstance(parsed, MetricFile) else None
        results.append((index, metric, problems))
    return results


def _part(doc: LocatedDocument, data: dict[str, Any], index: int | None) -> LocatedDocument:
    """A view of `doc` holding one definition (as item 0), with that definition's lines."""
    lines = {loc: line for loc, line in doc.lines.items() if len(loc) < 2 or loc[0] != "metrics"}
    if index is not None:
        lines.update({("metrics", 0, *loc[2:]): line for loc, line in doc.lines.items()
                      if loc[:2] == ("metrics", index)})
    return LocatedDocument(path=doc.path, data=data, lines=lines)


def _duplicates(placed: list[PlacedMetric]) -> list[Problem]:
    where: dict[str, list[PlacedMetric]] = defaultdict(list)
    for item in placed:
        where[item.metric.id].append(item)
    problems = []
    for metric_id, items in where.items():
        for item in items if len(items) > 1 else []:
            others = ", ".join(f"{o.path}:{o.line}" for o in items if o is not item)
            problems.append(Problem(item.path, item.line,
                                    f"metric id '{metric_id}' is used again at {others}: "
                                    "give each metric its own id"))
    return problems


def _first_of_each(placed: list[PlacedMetric]) -> list[PlacedMetric]:
    """One definition per id: a duplicate is a reported problem, and the first one is kept."""
    seen: set[str] = set()
    kept = []
    for item in placed:
        if item.metric.id not in seen:
            seen.add(item.metric.id)
            kept.append(item)
    return kept
