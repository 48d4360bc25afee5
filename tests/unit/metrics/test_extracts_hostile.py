"""Arbitrary and hostile extracts: every row accounted for, no analyst SQL escapes its sandbox.

`test_extracts.py` covers the published layouts and four refused expressions;
`test_sqlguard.py` the guard's sentences; `test_definitions.py` paths outside data/ and
a link to a file outside it. These add property tests (any rows: read = loaded +
rejected, and the tables say which row went where), every way to reach files,
extensions or settings from SQL, in a real build beside a metric that still loads,
and a linked folder inside data/.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import db_rows
from tests.unit.metrics.test_extracts import _load, _metric, _project
from tracker.db.build import build
from tracker.metrics.definitions import extract_path, load_metrics
from tracker.metrics.extracts import ExtractReport
from tracker.metrics.sandbox import lock_sandbox, open_sandbox
from tracker.metrics.sqlguard import UnsafeExpression, check_expression
from tracker.project import load_project

pytestmark = pytest.mark.hostile

REPO = Path(__file__).resolve().parents[3]
BOUNDED = settings(max_examples=25, deadline=None, database=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SECRET = "TOP-SECRET-7f3a"  # noqa: S105 - a marker to look for, not a password

# --- property tests: any rows are loaded or rejected, and the tables agree -------------------

PERIODS = st.sampled_from(["2023-04", "Apr-23", "2023-24 Q2", "01/05/2023", "June 2023", "2023-13",
                           "", " ", "Q5 23/24", "31/02/2023"])
ORGS = st.sampled_from(["A", "B", " C ", "", "  "])
VALUES = st.sampled_from(["1", "-2.5", "£1,200", "12%", " 7 ", "", "n/a", "1e3", "0", "- ", "inf"])
# Cells that test the CSV reader: quotes, delimiters, formula starts, non-Latin text.
ODD_TEXT = st.text(alphabet=st.sampled_from(list("ab1 ,;\"'=+-@£€%.\té😀")), max_size=12)
ROWS = st.lists(st.tuples(PERIODS | ODD_TEXT, ORGS | ODD_TEXT, VALUES | ODD_TEXT), max_size=25)


def _number(text: str) -> float | None:
    """What a published number means, when it plainly is one (an oracle for the loader)."""
    cleaned = re.sub(r"[£$€,%\s]", "", text)
    if not re.fullmatch(r"-?\d+(\.\d+)?([eE]\d+)?", cleaned):
        return None
    return float(cleaned)


def _check_accounted_for(con: duckdb.DuckDBPyConnection, report: ExtractReport,
                         rows: list[tuple[str, str, str]], row_numbers: list[int]) -> None:
    """Every input row is loaded or rejected with a reason, once; counts and tables agree."""
    [file] = report.files
    assert file["status"] == "loaded", file
    assert file["rows_read"] == len(rows)
    assert file["rows_read"] == file["rows_loaded"] + file["rows_rejected"] and file["rows_filtered"] == 0
    loaded = dict(((r[0]), r[1:]) for r in con.execute(
        "select source_row, org, value from metric_values").fetchall())
    rejected = dict(con.execute("select source_row, reason from extract_rejects").fetchall())
    assert len(loaded) == file["rows_loaded"] and len(rejected) == file["rows_rejected"]
    assert loaded.keys().isdisjoint(rejected) and {*loaded, *rejected} == set(row_numbers)
    assert all(reason for reason in rejected.values())
    by_number = dict(zip(row_numbers, rows, strict=True))
    for number, (org, value) in loaded.items():
        _, org_text, value_text = by_number[number]
        assert org == org_text.strip(" ")  # DuckDB's trim() takes spaces only: see the test below
        expected = _number(value_text)
        if expected is not None:
            assert value == pytest.approx(expected)
        assert math.isfinite(value) or value_text.strip().lower().endswith("inf")
    assert con.execute((REPO / "queries/metrics/extracts/check_reconciled.sql").read_text()).fetchall() == []


def _csv(rows: list[tuple[str, str, str]]) -> tuple[str, list[int]]:
    """The rows as a CSV file, and the line each row starts on (cells may hold line breaks)."""
    out, numbers, line = io.StringIO(), [], 2
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "org", "value"])
    for row in rows:
        numbers.append(line)
        before = out.tell()
        writer.writerow(row)
        line += out.getvalue()[before:].count("\n")
    return out.getvalue(), numbers


CSV_METRIC = _metric("m", "{file: extracts/x.csv, period: period, org: org, value: value, delimiter: ','}")


@BOUNDED
@given(rows=ROWS)
def test_any_csv_rows_are_each_loaded_or_rejected_with_a_reason(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, str]]
) -> None:
    text, numbers = _csv(rows)
    project = _project(tmp_path_factory.mktemp("csv"), {"x.csv": text}, CSV_METRIC)
    con, report = _load(project)
    _check_accounted_for(con, report, rows, numbers)


@settings(BOUNDED, max_examples=12)
@given(rows=st.lists(st.tuples(PERIODS | ODD_TEXT, ORGS | ODD_TEXT,
                               VALUES | ODD_TEXT | st.text(max_size=8)), max_size=25))
def test_any_parquet_rows_are_each_loaded_or_rejected_with_a_reason(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, str]]
) -> None:
    project = _project(tmp_path_factory.mktemp("parquet"), {}, _metric(
        "m", "{file: extracts/x.parquet, period: period, org: org, value: value}"))
    columns = list(zip(*rows, strict=True)) if rows else [(), (), ()]
    pq.write_table(pa.table({name: pa.array(list(values), pa.string())
                             for name, values in zip(("period", "org", "value"), columns, strict=True)}),
                   project.data_dir / "extracts" / "x.parquet")
    con, report = _load(project)
    _check_accounted_for(con, report, rows, list(range(1, len(rows) + 1)))


@settings(BOUNDED, max_examples=8)
@given(rows=st.lists(st.tuples(PERIODS.filter(str.strip), ORGS, VALUES), min_size=1, max_size=15))
def test_any_xlsx_rows_are_each_loaded_or_rejected_with_a_reason(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, str]]
) -> None:
    from openpyxl import Workbook

    project = _project(tmp_path_factory.mktemp("xlsx"), {}, _metric(
        "m", "{file: extracts/x.xlsx, period: period, org: org, value: value}"))
    book = Workbook()
    book.active.append(["period", "org", "value"])
    for row in rows:
        book.active.append([cell or None for cell in row])
    book.save(project.data_dir / "extracts" / "x.xlsx")
    con, report = _load(project)
    _check_accounted_for(con, report, [(p, o or "", v or "") for p, o, v in rows],
                         list(range(2, len(rows) + 2)))


@settings(BOUNDED, max_examples=5)
@given(rows=ROWS)
def test_a_real_build_keeps_the_same_account_in_the_database_file(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, str]]
) -> None:
    text, numbers = _csv(rows)
    project = _project(tmp_path_factory.mktemp("build"), {"x.csv": text}, CSV_METRIC)
    result = build(project)
    [file] = result.extracts.files
    assert file["rows_read"] == len(rows) == file["rows_loaded"] + file["rows_rejected"]
    assert db_rows(project, "select rows_read, rows_loaded, rows_rejected from extract_files") == [
        (file["rows_read"], file["rows_loaded"], file["rows_rejected"])]
    loaded = {r[0] for r in db_rows(project, "select source_row from metric_values")}
    rejected = {r[0] for r in db_rows(project, "select source_row from extract_rejects")}
    assert loaded.isdisjoint(rejected) and loaded | rejected == set(numbers)


def test_an_organisation_of_only_tabs_is_no_organisation(tmp_path: Path) -> None:
    con, _ = _load(_project(tmp_path, {"x.csv": "period,org,value\n2023-04,A,1\n2023-05,\t,2\n"},
                                 CSV_METRIC))
    assert con.execute("select source_row, reason from extract_rejects").fetchall() == [
        (3, "no organisation code")]


def test_an_empty_line_inside_a_quoted_cell_does_not_shift_row_numbers(tmp_path: Path) -> None:
    text = 'period,org,value\n2023-04,A,"x\n\ny"\n2023-05,A,2\n'
    con, _ = _load(_project(tmp_path, {"x.csv": text}, CSV_METRIC))
    # The second record is spreadsheet row 3 and starts on text line 5: either is fair, 4 is neither.
    assert con.execute("select source_row from metric_values").fetchall() in ([(3,)], [(5,)])


# --- analyst SQL that tries to leave the extract ---------------------------------------------

HOSTILE_EXPRESSIONS = [
    "read_text('{secret}')", "(select content from read_text('{secret}'))", "read_blob('{secret}')",
    "length(read_text('{secret}'))", "READ_TEXT('{secret}')", "\"read_text\"('{secret}')",
    "main.read_text('{secret}')", "system.main.read_text('{secret}')", "read_csv_auto('{secret}')",
    "read_json('{secret}')", "glob('{secret}')", "sniff_csv('{secret}')",
    "(select 1 from '{secret}')", "getenv('HOME')", "current_setting('enable_external_access')",
    "seen; install httpfs", "seen; load httpfs", "seen; attach '{secret}' as x",
    "seen; copy extract_rows to '{secret}.out'", "seen; pragma enable_profiling",
    "seen; set enable_external_access = true", "seen) from extract_rows; select (1",
    "seen /* ; */", "install", "pragma", "seen::json", "list_value(seen)", "query('select 1')",
    "(with t as (select 1) select * from t)", "seen in (from read_text('{secret}'))",
    "if(true, seen, (select 1))", "coalesce(seen, (table extract_rows))",
    "nextval('s')", "random()", "setseed(0.5)", "uuid()", "now()", "error('boom')",
    "regexp_replace(seen, '.*', (select content from read_text('{secret}')))",
]


@pytest.mark.parametrize("role", ["value", "filter"])
@pytest.mark.parametrize("expression", HOSTILE_EXPRESSIONS)
def test_no_way_out_of_the_extract_passes_the_guard(tmp_path: Path, role: str, expression: str) -> None:
    text = expression.format(secret=tmp_path / "secret.txt")
    with pytest.raises(UnsafeExpression) as caught:
        check_expression(text, ["period", "org", "seen", "total"], role)
    assert str(caught.value).startswith(f"the {role} expression ")


def test_hostile_definitions_are_refused_in_a_real_build_and_the_good_metric_loads(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    good = "{file: extracts/bad_rows.csv, period: period, org: org, value: total}"
    hostile = {
        "reads-text": "value: \"read_text('{s}')\"", "reads-blob": "value: \"read_blob('{s}')\"",
        "reads-csv": "value: \"read_csv('{s}')\"", "attaches": "value: \"seen; attach '{s}'\"",
        "installs": "value: \"seen; install httpfs\"", "loads": "value: \"seen; load httpfs\"",
        "copies": "value: \"seen; copy extract_rows to '{s}.csv'\"",
        "pragma": "value: \"seen; pragma database_list\"",
        "sets": "value: \"seen; set enable_external_access = true\"",
        "filter-reads": "value: seen, filter: \"exists (select 1 from read_text('{s}'))\"",
        "filter-stacks": "value: seen, filter: \"true); select 1; select (1\"",
    }
    metrics = _metric("good", good) + "".join(
        _metric(name, f"{{file: extracts/bad_rows.csv, period: period, org: org, {body.format(s=secret)}}}")
        for name, body in hostile.items())
    project = _project(tmp_path / "p", {"bad_rows.csv": REPO / "tests/testdata/extracts/bad_rows.csv"},
                       metrics)
    result = build(project)
    lines = dict(zip([f["metric_id"] for f in result.extracts.files], result.extracts.lines(), strict=True))
    assert lines.pop("good").startswith("data/extracts/bad_rows.csv (good): read 12 = loaded ")
    for name, line in lines.items():
        assert line.startswith(f"data/extracts/bad_rows.csv ({name}): refused: metric {name}: the "), line
    assert db_rows(project, "select distinct metric_id from metric_values") == [("good",)]
    everything = db_rows(project, "select string_agg(coalesce(message, ''), ' ') from extract_files")
    everything += db_rows(project, "select string_agg(raw || reason, ' ') from extract_rejects")
    assert SECRET not in str(everything)
    assert not list(tmp_path.glob("secret.txt.*"))


@pytest.mark.parametrize("sql", [
    "select * from read_text('{secret}')", "select * from read_blob('{secret}')",
    "select * from read_json('{secret}')", "select * from glob('{folder}/*')",
    "select * from sniff_csv('{secret}')", "install httpfs", "load httpfs",
    "export database '{folder}/out'", "import database '{folder}'", "create secret (type s3)",
    "reset enable_external_access", "set lock_configuration = false", "set threads = 8",
])
def test_the_locked_sandbox_refuses_files_extensions_and_settings(tmp_path: Path, sql: str) -> None:
    """The second line of defence, should an expression ever get past the guard."""
    (tmp_path / "secret.txt").write_text(SECRET)
    sandbox = open_sandbox()
    try:
        lock_sandbox(sandbox, load_project(REPO))
        with pytest.raises(duckdb.Error):
            sandbox.execute(sql.format(secret=tmp_path / "secret.txt", folder=tmp_path)).fetchall()
    finally:
        sandbox.close()
    assert not (tmp_path / "out").exists()


def test_a_linked_folder_inside_data_pointing_outside_is_refused_and_the_others_load(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(f"period,value\n2023-04,1\n{SECRET},2\n")
    metrics = (_metric("good", "{file: extracts/bad_rows.csv, period: period, org: org, value: total}")
               + _metric("linked", "{file: extracts/elsewhere/secret.csv, period: period, value: value}"))
    project = _project(tmp_path / "p", {"bad_rows.csv": REPO / "tests/testdata/extracts/bad_rows.csv"},
                       metrics)
    (project.data_dir / "extracts" / "elsewhere").symlink_to(outside, target_is_directory=True)
    placed, problems = load_metrics(project)
    assert [p.metric.id for p in placed] == ["good"]
    assert [str(p) for p in problems] == [
        "data/metrics/test.yaml:15: metric linked: file 'extracts/elsewhere/secret.csv' is outside data/: "
        "extracts must be inside the data folder"]
    result = build(project)
    assert [f["metric_id"] for f in result.extracts.files] == ["good"]
    assert "outside data/" in str(result.problems)
    assert SECRET not in str(db_rows(project, "select * from extract_rejects"))


@pytest.mark.parametrize("file", ["https://example.org/x.csv", "s3://bucket/x.csv", "file:///etc/x.csv",
                                  "extracts/./../../x.csv", "extracts/%2e%2e/x.csv", "C:\\x.csv"])
def test_remote_and_encoded_paths_never_leave_data(tmp_path: Path, file: str) -> None:
    project = _project(tmp_path, {}, _metric("m", f"{{file: '{file}', period: p, value: v}}"))
    placed, problems = load_metrics(project)
    if problems:
        assert placed == [] and "is outside data/" in str(problems[0])
        return
    # Taken as a file name inside data/: nothing is fetched, and the build says it is not there.
    path = extract_path(project, file)
    assert path is not None and project.data_dir.resolve() in path.parents
    [line] = build(project).extracts.lines()
    assert line == f"data/{file} (m): unreadable: the file data/{file} was not found"
