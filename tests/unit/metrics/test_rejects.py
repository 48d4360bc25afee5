"""Rejected rows read back (tracker/metrics/rejects.py): `build` fails when a metric loads nothing,
and `python -m tracker rejects` lists every rejected row with all its reasons."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.unit.test_cli import run_cli
from tracker.metrics.rejects import format_rejects
from tracker.project import Project

# Finance periods (P01 2023/24) are not a form the tracker reads: every row of `by-period`
# is rejected. Row 4 has three problems at once.
LEDGER = """period,org,spend,budget
P01 2023/24,SEFTON,100,120
P02 2023/24,SEFTON,110,120
P03 2023/24,,=1+1,120
"""
GOOD = "month,org,spend\n2023-04,SEFTON,100\n2023-05,SEFTON,-5\n"


def _metric(metric_id: str, source: str) -> str:
    return (f"  - id: {metric_id}\n    name: {metric_id}\n    unit: count\n    direction: neutral\n"
            f"    frequency: monthly\n    source: {source}\n")


@pytest.fixture
def project(minimal_project: Project) -> Project:
    extracts = minimal_project.data_dir / "extracts"
    extracts.mkdir(parents=True)
    (extracts / "ledger.csv").write_text(LEDGER)
    (extracts / "good.csv").write_text(GOOD)
    (minimal_project.data_dir / "metrics").mkdir()
    (minimal_project.data_dir / "metrics" / "m.yaml").write_text("metrics:\n" + "".join([
        _metric("by-period", "{file: extracts/ledger.csv, period: period, org: org, value: spend}"),
        _metric("none-kept", "{file: extracts/good.csv, period: month, org: org, value: spend, "
                             "filter: \"org = 'WIRRAL'\"}"),
        _metric("spend", "{file: extracts/good.csv, period: month, org: org, value: spend}"),
    ]))
    return minimal_project


def test_build_fails_naming_each_metric_that_loaded_nothing_and_why(project: Project) -> None:
    result = run_cli(project, "build")
    assert result.returncode == 1
    err = result.stderr
    assert ("metric by-period loaded nothing from data/extracts/ledger.csv: all 3 row(s) rejected\n"
            "  2 row(s), the first at line 2: period 'P01 2023/24' is not one a monthly metric reads: "
            "write a date") in err
    assert ("financial quarter (2023-24 Q2, Q2 23/24)\n  1 row(s), the first at line 4: period 'P03 2023/24' "
            "is not one") in err
    assert "(2023-24 Q2, Q2 23/24); no organisation code; '=1+1' in column spend is not a number\n" in err
    assert ("metric none-kept loaded nothing from data/extracts/good.csv: 0 row(s) rejected, "
            "2 filtered out (check its filter)") in err
    assert "metric spend" not in err
    assert err.strip().splitlines()[-1].startswith(
        "2 problem(s) found: 2 metric(s) that loaded nothing. The files with problems")
    assert "data/extracts/good.csv (spend): read 2 = loaded 2 + rejected 0" in result.stdout
    # Built again with nothing changed: still a failure, said in one line, not a quiet success.
    again = run_cli(project, "build")
    assert again.returncode == 1
    assert "is up to date: nothing changed since the last build" in again.stdout
    assert "2 metric(s) loaded nothing at the last build" in again.stderr
    assert again.stderr.strip().splitlines()[-1].startswith(
        "2 problem(s) found: 2 metric(s) that loaded nothing.")


def test_the_summary_counts_unreadable_extracts_as_problems(project: Project) -> None:
    (project.data_dir / "extracts" / "good.csv").unlink()
    result = run_cli(project, "build")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "3 problem(s) found: 2 extract(s) that could not be loaded, 1 metric(s) that loaded nothing.")


def test_rejects_lists_every_problem_of_each_row_with_the_rows_text(project: Project) -> None:
    result = run_cli(project, "rejects", "--metric", "by-period", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["source_file"], r["source_row"]) for r in rows] == [
        ("data/extracts/ledger.csv", 2), ("data/extracts/ledger.csv", 3), ("data/extracts/ledger.csv", 4)]
    reasons = rows[2]["reason"].split("; ")
    assert reasons[0].startswith("period 'P03 2023/24' is not one a monthly metric reads")
    assert reasons[1:] == ["no organisation code", "'=1+1' in column spend is not a number"]
    assert rows[2]["raw"] == "period=P03 2023/24, org=, spend==1+1, budget=120"


def test_rejects_as_csv_and_table_filtered_by_file(project: Project) -> None:
    run_cli(project, "build")
    as_csv = run_cli(project, "rejects", "--file", "extracts/ledger.csv", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 3 and {r["metric_id"] for r in rows} == {"by-period"}
    assert rows[2]["raw"] == "period=P03 2023/24, org=, spend==1+1, budget=120"
    table = run_cli(project, "rejects", "--file", "data/extracts/good.csv").stdout
    assert table == "No rejected rows.\n"
    table = run_cli(project, "rejects").stdout.splitlines()
    assert table[0] == "3 rejected row(s):"
    assert table[5].startswith("data/extracts/ledger.csv:4 (by-period): period 'P03 2023/24'")
    assert table[6] == "    period=P03 2023/24, org=, spend==1+1, budget=120"


def test_rejects_as_csv_run_no_formulas_in_a_spreadsheet() -> None:
    row = {"source_file": "data/extracts/x.csv", "source_row": 2, "metric_id": "m",
           "reason": "-1 is odd", "raw": '=HYPERLINK("http://x")'}
    assert format_rejects([row], "csv").splitlines()[1] == (
        "data/extracts/x.csv,2,m,'-1 is odd,\"'=HYPERLINK(\"\"http://x\"\")\"")
