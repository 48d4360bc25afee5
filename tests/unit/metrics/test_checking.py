"""Metric definitions checked as the build checks them (what `validate` runs): every
expression the build refuses is refused with its file and line, against the column names
the build would read, taken from the file's head."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.unit.metrics.test_extracts import REPO, TESTDATA, _metric, _project
from tests.unit.metrics.test_extracts_hostile import HOSTILE_EXPRESSIONS
from tracker.db.build import build
from tracker.metrics.checking import DefinitionCheck, check_definitions
from tracker.metrics.definitions import load_metrics
from tracker.metrics.extract_reading import raw_columns, read_header, read_raw
from tracker.project import Project

BAD_ROWS = TESTDATA / "bad_rows.csv"  # columns: period, org, seen, total
# Expressions `test_sqlguard.py` and `test_extracts.py` show refused, beyond the hostile ones.
BROKEN_EXPRESSIONS = [
    "seen +", "seen + secret", "extract_rows.seen", "sum(seen)", "sum(seen) over ()", "$1", "*",
    "x -> x", "seen::struct(a int)", "1), (2", "seen) from read_csv('x') where (1", "attach 'x.db'",
    "seen -- comment", "exists (select 1)", "lpad(org, total, 'x')", "length(repeat(org, 20))",
    "Seen / Totl",
]


def _block(metric_id: str, file: str = "extracts/bad_rows.csv", **fields: str) -> str:
    """A definition in block style, one field a line (so each has its own line number)."""
    body = "".join(f"\n      {key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items())
    return _metric(metric_id, f"\n      file: {file}{body}")


def _checked(project: Project) -> DefinitionCheck:
    placed, problems = load_metrics(project)
    assert problems == []
    return check_definitions(project, placed)


def _line_of(project: Project, text: str, occurrence: int = 1) -> int:
    """The line of the metric file holding `text` (its `occurrence`-th such line)."""
    lines = (project.data_dir / "metrics" / "test.yaml").read_text().splitlines()
    found = [n for n, line in enumerate(lines, start=1) if text in line]
    return found[occurrence - 1]


def test_a_good_definition_passes_without_notes(tmp_path: Path) -> None:
    project = _project(tmp_path, {"bad_rows.csv": BAD_ROWS}, _block(
        "good", period="period", org="ORG", numerator="100 * Seen", denominator="total",
        filter="org <> 'B'"))
    assert _checked(project) == DefinitionCheck([], [])


@pytest.mark.parametrize("role", ["value", "filter"])
@pytest.mark.parametrize("expression", HOSTILE_EXPRESSIONS + BROKEN_EXPRESSIONS)
def test_each_refused_expression_is_named_with_its_file_and_line(
    tmp_path: Path, role: str, expression: str
) -> None:
    text = expression.format(secret=tmp_path / "secret.txt")
    fields = {"value": text} if role == "value" else {"value": "seen", "filter": text}
    project = _project(tmp_path / "p", {"bad_rows.csv": BAD_ROWS},
                       _block("broken", period="period", org="org", **fields))
    found = _checked(project)
    line = _line_of(project, f"      {role}: ")
    assert [(p.path, p.line) for p in found.problems] == [("data/metrics/test.yaml", line)], found
    assert found.problems[0].message.startswith(f"metric broken: the {role} expression "), found
    assert found.notes == []


def test_validate_refuses_exactly_the_metrics_the_build_refuses(tmp_path: Path) -> None:
    """One rule in one place: the same definitions, checked and built."""
    expressions = HOSTILE_EXPRESSIONS + BROKEN_EXPRESSIONS
    good = ["seen", "100 * seen / total", "round(seen, 1)", "coalesce(nullif(seen, 0), total)", "SEEN"]
    metrics = "".join(_block(f"m{n}", period="period", org="org", value=text.format(secret=tmp_path / "s"))
                      for n, text in enumerate(expressions + good))
    metrics += _block("bad-period", period="month", org="org", value="seen")
    project = _project(tmp_path / "p", {"bad_rows.csv": BAD_ROWS}, metrics)
    flagged = {p.message.split(":")[0].removeprefix("metric ") for p in _checked(project).problems}
    result = build(project)
    refused = {f["metric_id"] for f in result.extracts.files if f["status"] != "loaded"}
    assert flagged == refused
    assert len(refused) == len(expressions) + 1


def test_an_unknown_column_lists_the_nearest_names_in_the_header_or_its_first(tmp_path: Path) -> None:
    project = _project(tmp_path, {"bad_rows.csv": BAD_ROWS}, _block(
        "typo", period="Period", org="organisation", numerator="seen + totl", denominator="total"))
    found = _checked(project)
    assert [str(p) for p in found.problems] == [
        f"data/metrics/test.yaml:{_line_of(project, 'org: ')}: metric typo: the org column 'organisation' "
        "is not in data/extracts/bad_rows.csv: its header has period, org, seen, total",
        f"data/metrics/test.yaml:{_line_of(project, 'numerator: ')}: metric typo: the numerator expression "
        "names 'totl', which is not a column of data/extracts/bad_rows.csv: the nearest in its header: total",
    ]


def test_an_unquoted_multi_word_column_says_how_to_quote_it(tmp_path: Path) -> None:
    project = _project(tmp_path, {"ae.csv": TESTDATA / "nhse_ae_monthly.csv"}, _block(
        "ae", file="extracts/ae.csv", period="Period", org="Org Code",
        value="Attendances over 4hrs Type 1 + Attendances over 4hrs Type 2",
        filter="Period <> 'TOTAL'") + _block(
        "as-named", file="extracts/ae.csv", period="Period", org="Org Code",
        value="Attendances over 4hrs Type 1"))
    [problem] = _checked(project).problems
    assert problem.line == _line_of(project, "value: ")
    assert problem.message.startswith('metric ae: the value expression is not valid SQL: ')
    assert problem.message.endswith(
        'Column names with spaces or signs go in double quotes: write '
        '"Attendances over 4hrs Type 1" + "Attendances over 4hrs Type 2"')


def test_a_misspelt_multi_word_column_lists_the_nearest(tmp_path: Path) -> None:
    project = _project(tmp_path, {"ae.csv": TESTDATA / "nhse_ae_monthly.csv"}, _block(
        "ae", file="extracts/ae.csv", period="Period", org="Org Code", value="Attendances over 4 hrs Type 1"))
    [problem] = _checked(project).problems
    assert problem.message.startswith("metric ae: the value expression is not valid SQL")
    assert ("If it is meant to be a column's name, the nearest in its header: "
            '"Attendances over 4hrs Type 1"') in problem.message


def test_without_the_file_syntax_and_the_guard_are_checked_and_a_note_says_so(tmp_path: Path) -> None:
    project = _project(tmp_path, {}, _block(
        "absent", file="extracts/later.csv", period="period", org="org", value="read_csv('x')")
        + _block("absent-ok", file="extracts/later.csv", period="period", org="org",
                 numerator="seen + nosuch", denominator="Attendances over 4hrs Type 1"))
    found = _checked(project)
    assert [str(p) for p in found.problems] == [
        f"data/metrics/test.yaml:{_line_of(project, 'value: ')}: metric absent: the value expression may not "
        "call read_csv(): only simple functions such as round, coalesce, nullif, abs, lower and strptime "
        "are allowed (found: read_csv('x'))"]
    file_lines = [_line_of(project, "file: ", n) for n in (1, 2)]
    not_checked = ("data/extracts/later.csv is not there, so the column names were not checked (only the "
                   "expressions' syntax and what they may use)")
    assert [str(p) for p in found.notes] == [
        f"data/metrics/test.yaml:{file_lines[0]}: metric absent: {not_checked}",
        f"data/metrics/test.yaml:{file_lines[1]}: metric absent-ok: {not_checked}",
        f"data/metrics/test.yaml:{_line_of(project, 'denominator: ')}: metric absent-ok: 'Attendances over "
        "4hrs Type 1' is not valid SQL, so the build reads it as a column's name, which could not be "
        "checked; inside a longer expression such a name goes in double quotes: "
        '"Attendances over 4hrs Type 1"',
    ]


def test_a_file_that_cannot_be_read_as_defined_is_a_problem_at_the_line_at_fault(tmp_path: Path) -> None:
    project = _project(tmp_path, {"book.xlsx": TESTDATA / "finance_month6.xlsx"}, _block(
        "no-sheet", file="extracts/book.xlsx", sheet="Month 6", period="Month", value="x"))
    [problem] = _checked(project).problems
    assert str(problem) == (
        f"data/metrics/test.yaml:{_line_of(project, 'sheet: ')}: metric no-sheet: data/extracts/book.xlsx "
        "has no sheet named 'Month 6' (sheets: M6 Position)")
    (project.data_dir / "extracts" / "book.xlsx").write_text("period,value\n")
    [problem] = _checked(project).problems
    assert str(problem).startswith(f"data/metrics/test.yaml:{_line_of(project, 'file: ')}: metric no-sheet: "
                                   "the file data/extracts/book.xlsx is not a readable XLSX workbook")


LAYOUTS = [  # (file, how the definition reads it)
    ("bad_rows.csv", {}), ("title_rows.csv", {"header_row": 3}), ("semicolon.csv", {}),
    ("windows1252_pound_header.csv", {"header_row": 3}),
    ("windows1252_pound_header.csv", {"header_row": 3, "encoding": "windows-1252"}),
    ("nhse_ae_monthly.csv", {}), ("fingertips_export.csv", {}), ("finance_month6.csv", {"header_row": 4}),
    ("finance_month6.xlsx", {"header_row": 5, "sheet": "M6 Position"}),
    ("finance_month6.xls", {"header_row": 5}),
    ("finance_month6.ods", {"header_row": 5}), ("nhse_ae_timeseries.xls", {"header_row": 14}),
    ("example_nctr.parquet", {}), ("example_cip_2023_24.xlsx", {"sheet": "CIP delivery"}),
]


@pytest.mark.parametrize(("name", "reading"), LAYOUTS)
def test_the_header_read_from_the_head_names_the_columns_the_build_reads(
    tmp_path: Path, name: str, reading: dict[str, object]
) -> None:
    source = TESTDATA / name if (TESTDATA / name).exists() else REPO / "data" / "extracts" / name
    lines = "".join(f"\n      {key}: {value}" for key, value in reading.items())
    project = _project(tmp_path, {name: source}, _metric(
        "m", f"\n      file: extracts/{name}\n      period: p\n      value: v{lines}"))
    [placed], _ = load_metrics(project)
    path = project.data_dir / "extracts" / name
    whole, head = duckdb.connect(), duckdb.connect()
    read_raw(whole, path, placed.metric, name)
    assert read_header(head, path, placed.metric, name) == raw_columns(whole)
    assert len(raw_columns(whole)) > 1
