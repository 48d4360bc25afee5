"""Metric definitions: strict, every problem as `path:line: message`, extracts inside data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.metrics.definitions import load_metrics
from tracker.project import Project, load_project

GOOD = """\
  - id: {id}
    name: Dementia diagnosis rate
    unit: percent
    direction: higher_is_better
    frequency: monthly
    target: {{value: 66.7, due: 2023-09}}
    objectives: [AW-DEM-01]
    source:
      file: {file}
      period: month
      numerator: diagnosed
      denominator: register
"""


def _project(root: Path, files: dict[str, str]) -> Project:
    folder = root / "data" / "metrics"
    folder.mkdir(parents=True, exist_ok=True)
    (root / "objectives").mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_project(root)


def _problems(root: Path, files: dict[str, str]) -> list[str]:
    _, problems = load_metrics(_project(root, files))
    return [str(p) for p in problems]


def test_a_valid_definition_loads_with_its_place(tmp_path: Path) -> None:
    project = _project(tmp_path, {"dementia.yaml": "# Dementia\nmetrics:\n"
                                  + GOOD.format(id="dementia-rate", file="extracts/x.csv")})
    placed, problems = load_metrics(project)
    assert problems == []
    [metric] = placed
    assert (metric.metric.id, metric.path, metric.line) == ("dementia-rate", "data/metrics/dementia.yaml", 3)
    assert metric.metric.source.default_org == "Sefton"
    assert metric.metric.target is not None and metric.metric.target.due == "2023-09"


def test_every_mistake_in_every_file_is_reported_with_its_line(tmp_path: Path) -> None:
    broken = """\
metrics:
  - id: Dementia-Rate
    name: Dementia
    unit: percentage
    direction: higher_is_better
    frequency: monthly
    target: {value: 66.7, due: 2023-13}
    source: {file: extracts/x.xlsb, period: month, value: v}
  - id: checks
    name: Health checks
    unit: percent
    direction: higher_is_better
    frequency: monthly
    tolerence: 2
    source: {file: extracts/x.csv, period: month, numerator: n}
"""
    assert _problems(tmp_path, {"a.yaml": broken, "b.yaml": "metrics:\n  - id: [unclosed\n"}) == [
        "data/metrics/a.yaml:2: id 'Dementia-Rate' should be lower-case letters, digits and dashes, "
        "for example dementia-diagnosis-rate",
        "data/metrics/a.yaml:4: unit 'percentage' is not allowed: use 'percent', 'count', 'rate', "
        "'days', 'currency', 'ratio' or 'score'",
        "data/metrics/a.yaml:7: due '2023-13' is not a month: write it as YYYY-MM, for example 2024-03",
        "data/metrics/a.yaml:8: source file 'extracts/x.xlsb' is not a CSV, XLSX, XLS, ODS or Parquet "
        "file (it should end .csv, .txt, .xlsx, .xls, .ods, .parquet)",
        "data/metrics/a.yaml:14: unknown key 'tolerence'; did you mean 'tolerance'?",
        "data/metrics/a.yaml:15: source needs both 'numerator' and 'denominator' for a ratio",
        "data/metrics/b.yaml:3: is not valid YAML: expected ',' or ']', but got '<stream end>'",
    ]


@pytest.mark.parametrize(("source", "message"), [
    ("{file: extracts/x.csv, period: m, value: v, numerator: n, denominator: d}",
     "source needs 'value' or 'numerator' and 'denominator', not both"),
    ("{file: extracts/x.csv, period: m}", "source needs 'value', or 'numerator' and 'denominator'"),
    ("{file: extracts/x.csv, sheet: Data, period: m, value: v}",
     "source 'sheet' is only for workbooks (XLSX, XLS, ODS): remove it"),
    ("{file: extracts/x.parquet, encoding: windows-1252, period: m, value: v}",
     "source 'encoding' and 'delimiter' are only for CSV files: remove them"),
    ("{file: extracts/x.csv, delimiter: ';;', period: m, value: v}", "delimiter"),
    ("{file: extracts/x.csv, period: m, value: v, header_row: 0}", "header_row"),
    ("{file: extracts/x.csv, period: m, value: v, nil: '-', suppressed: ['*', ' - ']}",
     "source '-' is both 'nil' and 'suppressed': a mark means one of them"),
    ("{file: extracts/x.csv, period: m, value: v, suppressed: ['*', '  ']}",
     "'suppressed': String should have at least 1 character"),
])
def test_a_source_must_fit_its_file(tmp_path: Path, source: str, message: str) -> None:
    text = f"metrics:\n  - id: m\n    name: M\n    unit: count\n    direction: neutral\n" \
           f"    frequency: monthly\n    source: {source}\n"
    [problem] = _problems(tmp_path, {"m.yaml": text})
    assert problem.startswith("data/metrics/m.yaml:7: ")
    assert message in problem


def test_a_trajectory_names_each_month_once(tmp_path: Path) -> None:
    text = ("metrics:\n" + GOOD.format(id="inpatients", file="extracts/x.csv")
            + "    tolerance: 1\n").replace(
        "target: {value: 66.7, due: 2023-09}",
        "target:\n      trajectory: [{period: 2023-04, value: 8}, {period: 2023-04, value: 7}]")
    [problem] = _problems(tmp_path, {"m.yaml": text})
    assert problem == ("data/metrics/m.yaml:7: target names 2023-04 twice in its trajectory: "
                       "keep one value a month")


def test_one_bad_definition_does_not_cost_its_neighbours(tmp_path: Path) -> None:
    ids = ("first", "Bad Id", "third")
    text = "metrics:\n" + "".join(GOOD.format(id=i, file="extracts/x.csv") for i in ids)
    placed, problems = load_metrics(_project(tmp_path, {"m.yaml": text}))
    assert [p.metric.id for p in placed] == ["first", "third"]
    assert [p.line for p in problems] == [14]


def test_duplicate_ids_across_files_name_both_places_and_the_first_is_kept(tmp_path: Path) -> None:
    project = _project(tmp_path, {
        "a.yaml": "metrics:\n" + GOOD.format(id="dementia-rate", file="extracts/a.csv"),
        "b.yaml": "metrics:\n" + GOOD.format(id="other", file="extracts/b.csv")
                  + GOOD.format(id="dementia-rate", file="extracts/b.csv"),
    })
    placed, problems = load_metrics(project)
    assert [(p.metric.id, p.path) for p in placed] == [
        ("dementia-rate", "data/metrics/a.yaml"), ("other", "data/metrics/b.yaml")]
    assert [str(p) for p in problems] == [
        "data/metrics/a.yaml:2: metric id 'dementia-rate' is used again at data/metrics/b.yaml:14: "
        "give each metric its own id",
        "data/metrics/b.yaml:14: metric id 'dementia-rate' is used again at data/metrics/a.yaml:2: "
        "give each metric its own id",
    ]


@pytest.mark.parametrize("file", ["../secret.csv", "extracts/../../secret.csv", "/etc/passwd.csv",
                                  "~/secret.csv", "extracts\\..\\..\\secret.csv"])
def test_an_extract_outside_data_is_refused(tmp_path: Path, file: str) -> None:
    placed, problems = load_metrics(_project(tmp_path, {"m.yaml": "metrics:\n" + GOOD.format(
        id="sneaky", file=f"'{file}'")}))
    assert placed == []
    assert [str(p) for p in problems] == [
        f"data/metrics/m.yaml:10: metric sneaky: file '{file}' is outside data/: "
        "extracts must be inside the data folder"]


def test_a_link_out_of_data_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text("month,diagnosed,register\n2023-04,1,2\n")
    project = _project(tmp_path / "project", {"m.yaml": "metrics:\n" + GOOD.format(
        id="linked", file="extracts/link.csv")})
    (project.data_dir / "extracts").mkdir()
    (project.data_dir / "extracts" / "link.csv").symlink_to(outside)
    placed, problems = load_metrics(project)
    assert placed == [] and "file 'extracts/link.csv' is outside data/" in str(problems[0])


def test_a_file_that_is_not_a_metrics_list_says_so(tmp_path: Path) -> None:
    assert _problems(tmp_path, {"m.yaml": "metric:\n  - id: x\n"}) == [
        "data/metrics/m.yaml:1: 'metrics' is missing: add it (it is required here)",
        "data/metrics/m.yaml:1: unknown key 'metric'; did you mean 'metrics'?",
    ]


@pytest.mark.hostile
@pytest.mark.parametrize("role", ["numerator", "denominator"])
def test_an_expression_too_deep_to_check_is_named_with_its_line(tmp_path: Path, role: str) -> None:
    """A value of some 340 terms stopped the build (maximum recursion depth exceeded) and
    `validate` said nothing."""
    deep = '"' + " + ".join(["d"] * 340) + '"'
    text = "metrics:\n" + GOOD.format(id="deep", file="extracts/x.csv").replace(
        "numerator: diagnosed", f"numerator: {deep if role == 'numerator' else 'diagnosed'}").replace(
        "denominator: register", f"denominator: {deep if role == 'denominator' else 'register'}")
    text += GOOD.format(id="fine", file="extracts/x.csv")
    project = _project(tmp_path, {"m.yaml": text})
    placed, problems = load_metrics(project)
    line = 12 if role == "numerator" else 13
    assert [str(p) for p in problems] == [
        f"data/metrics/m.yaml:{line}: metric deep: the {role} expression has more than 100 operators "
        "or functions inside one another: add fewer terms in one expression, or compute a total in "
        "the extract"]
    assert [p.metric.id for p in placed] == ["fine"]


@pytest.mark.hostile
def test_an_extract_behind_a_link_loop_is_a_problem_of_that_metric(tmp_path: Path) -> None:
    """A link loop stopped `validate` and `build` (Python's 'Symlink loop from ...')."""
    text = ("metrics:\n" + GOOD.format(id="looped", file="extracts/loop.csv")
            + GOOD.format(id="fine", file="extracts/x.csv"))
    project = _project(tmp_path, {"m.yaml": text})
    (tmp_path / "data" / "extracts").mkdir()
    (tmp_path / "data" / "extracts" / "loop.csv").symlink_to("loop.csv")
    placed, problems = load_metrics(project)
    assert [str(p) for p in problems] == [
        "data/metrics/m.yaml:10: metric looped: file 'extracts/loop.csv' is a link that leads round "
        "in a loop: replace it with the extract itself, or a link to it"]
    assert [p.metric.id for p in placed] == ["fine"]


@pytest.mark.hostile
@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("target: {{value: 66.7, due: 2023-09}}", "target: {{value: .inf, due: 2023-09}}", 7,
     "'value' should be a finite number (not .inf or .nan), not 'inf'"),
    ("target: {{value: 66.7, due: 2023-09}}",
     "target: {{trajectory: [{{period: 2023-04, value: .nan}}]}}", 7,
     "'value' should be a finite number (not .inf or .nan), not 'nan'"),
    ("objectives: [AW-DEM-01]", "tolerance: .inf\n    objectives: [AW-DEM-01]", 8,
     "'tolerance' should be a finite number (not .inf or .nan), not 'inf'"),
    ("objectives: [AW-DEM-01]", "benchmark: {{value: -.inf}}\n    objectives: [AW-DEM-01]", 8,
     "value '-inf' is not a finite number: write a number or a column name"),
])
def test_a_number_that_is_not_finite_is_a_problem(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    """`target: {value: .inf}` passed and wrote `nan` into the PDF's charts."""
    text = "metrics:\n" + GOOD.replace(old, new).format(id="m", file="extracts/x.csv")
    assert _problems(tmp_path, {"m.yaml": text}) == [f"data/metrics/m.yaml:{line}: {message}"]


@pytest.mark.hostile
def test_a_number_too_large_for_the_database_is_a_problem(tmp_path: Path) -> None:
    """A 24-digit `fix_after_n_points` passed `validate` and stopped the build ('Python int too
    large to convert to C long')."""
    text = "metrics:\n" + GOOD.replace("objectives: [AW-DEM-01]", "fix_after_n_points: "
                                       "100000000000000000000000\n    objectives: [AW-DEM-01]"
                                       ).format(id="m", file="extracts/x.csv")
    assert _problems(tmp_path, {"m.yaml": text}) == [
        "data/metrics/m.yaml:8: 'fix_after_n_points': Input should be less than or equal to 10000"]


def test_rebase_with_a_reason_and_events_load_and_a_plain_month_is_still_a_rebase(tmp_path: Path) -> None:
    text = ("metrics:\n" + GOOD.format(id="dementia-rate", file="extracts/x.csv")
            + "    rebase: [2023-04, {period: 2023-10, reason: New memory service}]\n"
              "    events:\n      - {period: 2023-06, text: Coordinators started}\n")
    placed, problems = load_metrics(_project(tmp_path, {"m.yaml": text}))
    assert problems == []
    [metric] = placed
    assert [(r.period, r.reason) for r in metric.metric.rebase] == [
        ("2023-04", None), ("2023-10", "New memory service")]
    assert [(e.period, e.text) for e in metric.metric.events] == [("2023-06", "Coordinators started")]


def test_a_bad_rebase_or_event_is_named_with_its_line_and_how_to_write_it(tmp_path: Path) -> None:
    text = ("metrics:\n" + GOOD.format(id="dementia-rate", file="extracts/x.csv")
            + "    rebase:\n"
              "      - {period: 2023-13, reason: New service}\n"
              "      - {period: 2023-10, reasons: typo}\n"
              "      - {reason: no month}\n"
              "    events:\n"
              "      - 2023-08\n"
              "      - {period: 2023-06}\n"
              "  - id: twice\n    name: Twice\n    unit: count\n    direction: neutral\n"
              "    frequency: monthly\n    rebase: [2023-10, {period: 2023-10, reason: x}]\n"
              "    source: {file: extracts/x.csv, period: m, value: v}\n")
    assert _problems(tmp_path, {"m.yaml": text}) == [
        "data/metrics/m.yaml:15: period '2023-13' is not a month: write it as YYYY-MM, "
        "for example 2024-03",
        "data/metrics/m.yaml:16: unknown key 'reasons'; did you mean 'reason'?",
        "data/metrics/m.yaml:17: 'period' is missing: add it (it is required here)",
        "data/metrics/m.yaml:19: events '2023-08' needs its words: write "
        '{period: 2023-08, text: "what happened"}',
        "data/metrics/m.yaml:20: 'text' is missing: add it (it is required here)",
        "data/metrics/m.yaml:26: rebase names 2023-10 twice: the limits restart once a month at "
        "most, so keep one entry (with its reason)",
    ]
