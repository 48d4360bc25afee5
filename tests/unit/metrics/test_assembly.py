"""Points made of several rows (tracker/metrics/assembly.py, queries/metrics/extracts/assemble.sql):
NHS Digital's Recorded Dementia Diagnoses, a long file, loads with YAML only; the rate from
register / estimate, and Sefton as 01T + 01V, agree with a csv-module calculation."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from tests.unit.metrics.test_extracts import TESTDATA, _assert_reconciled, _load, _project, _rows
from tests.unit.test_cli import run_cli
from tracker.metrics.definitions import load_metrics

DEMENTIA = TESTDATA / "nhsd_dementia_diagnoses.csv"
REGISTER, ESTIMATE = "DEMENTIA_REGISTER_65_PLUS", "DEMENTIA_ESTIMATE_65_PLUS"
SIDES = (f"      numerator: {{value: 100 * VALUE, where: \"MEASURE = '{REGISTER}'\"}}\n"
         f"      denominator: {{value: VALUE, where: \"MEASURE = '{ESTIMATE}'\"}}\n")


def _definition(metric_id: str, reading: str, unit: str = "percent") -> str:
    return (f"  - id: {metric_id}\n    name: {metric_id}\n    unit: {unit}\n"
            "    direction: higher_is_better\n    frequency: monthly\n    source:\n"
            "      file: extracts/dementia.csv\n      period: ACH_DATE\n      org: ORG_CODE\n" + reading)


RATE = _definition("dementia-rate", SIDES)
SEFTON = _definition("dementia-rate-sefton", SIDES + "      combine: {SEFTON: [01T, 01V]}\n")
REGISTERED = _definition("dementia-register-sefton",
                         f"      value: VALUE\n      filter: \"MEASURE = '{REGISTER}'\"\n"
                         "      combine: {SEFTON: [01T, 01V]}\n", unit="count")


def _published() -> dict[tuple[str, dt.date], dict[str, tuple[int, float]]]:
    """Each organisation's and month's measures as published: {measure: (line, value)}."""
    found: dict[tuple[str, dt.date], dict[str, tuple[int, float]]] = defaultdict(dict)
    with DEMENTIA.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            day = dt.datetime.strptime(row["ACH_DATE"], "%d/%m/%Y").date()
            found[(row["ORG_CODE"], day.replace(day=1))][row["MEASURE"]] = (line, float(row["VALUE"]))
    return found


def _by_hand(parts: dict[str, list[str]]) -> dict[tuple[str, dt.date], float]:
    """The rate 100 x register / estimate, each organisation's parts added first, for every
    month that has both measures of every part."""
    published = _published()
    rates = {}
    for org, members in parts.items():
        for month in sorted({m for (code, m) in published if code in members}):
            measures = [published.get((code, month), {}) for code in members]
            if all(REGISTER in m and ESTIMATE in m for m in measures):
                register = sum(m[REGISTER][1] for m in measures)
                estimate = sum(m[ESTIMATE][1] for m in measures)
                rates[(org, month)] = 100 * register / estimate
    return rates


def _loaded(con: duckdb.DuckDBPyConnection, metric_id: str) -> dict[tuple[str, dt.date], float]:
    return {(org, period): value for org, period, value in con.execute(
        "select org, period, value from metric_values where metric_id = $id", {"id": metric_id}).fetchall()}


def test_the_rate_of_each_organisation_is_its_register_over_its_estimate(tmp_path: Path) -> None:
    con, report = _load(_project(tmp_path, {"dementia.csv": DEMENTIA}, RATE))
    orgs = {code: [code] for code, _ in _published()}
    expected = _by_hand(orgs)
    loaded = _loaded(con, "dementia-rate")
    assert loaded.keys() == expected.keys()
    for key, value in expected.items():
        assert loaded[key] == pytest.approx(value, rel=1e-12), key
    assert len(expected) == 5 * 4 - 1  # five organisations, four months, one estimate missing
    line = _published()[("01V", dt.date(2024, 2, 1))][REGISTER][0]
    assert _rows(con, "select source_row, reason from extract_rejects") == [
        (line, f"no denominator row (MEASURE = '{ESTIMATE}') of 01V in 2024-02 can be loaded")]
    # a point's rows all count as loaded: 19 points of two rows, the lone register row rejected
    assert report.lines() == ["data/extracts/dementia.csv (dementia-rate): "
                              "read 78 = loaded 38 + rejected 1 + filtered 39"]
    assert _rows(con, "select source_row from metric_values where metric_id = 'dementia-rate' "
                      "and org = '01T' order by period") == [
        (_published()[("01T", month)][REGISTER][0],) for month in
        (dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1))]
    _assert_reconciled(con)


def test_sefton_is_01t_and_01v_added_before_dividing(tmp_path: Path) -> None:
    con, report = _load(_project(tmp_path, {"dementia.csv": DEMENTIA}, SEFTON))
    expected = _by_hand({"SEFTON": ["01T", "01V"], "99A": ["99A"], "QYG": ["QYG"], "ENG": ["ENG"]})
    loaded = _loaded(con, "dementia-rate-sefton")
    assert loaded.keys() == expected.keys()
    for key, value in expected.items():
        assert loaded[key] == pytest.approx(value, rel=1e-12), key
    assert sorted(month for org, month in loaded if org == "SEFTON") == [
        dt.date(2024, 1, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1)]
    february = _published()
    lines = sorted([february[("01T", dt.date(2024, 2, 1))][REGISTER][0],
                    february[("01T", dt.date(2024, 2, 1))][ESTIMATE][0],
                    february[("01V", dt.date(2024, 2, 1))][REGISTER][0]])
    reason = (f"SEFTON adds 01T + 01V: no denominator row (MEASURE = '{ESTIMATE}') of 01V in 2024-02 "
              "can be loaded")
    assert _rows(con, "select source_row, reason from extract_rejects order by 1") == [
        (line, reason) for line in lines]
    assert report.lines() == ["data/extracts/dementia.csv (dementia-rate-sefton): "
                              "read 78 = loaded 36 + rejected 3 + filtered 39"]
    assert _rows(con, "select numerator, denominator, source_rows from metric_points "
                      "where org = 'SEFTON' and period = '2024-01-01'") == [
        (100 * (1648 + 1702), 2291.7342 + 2418.0915, 4)]
    _assert_reconciled(con)


def test_counts_of_the_parts_are_added(tmp_path: Path) -> None:
    con, _ = _load(_project(tmp_path, {"dementia.csv": DEMENTIA}, REGISTERED))
    published = _published()
    loaded = _loaded(con, "dementia-register-sefton")
    for month in (dt.date(2024, m, 1) for m in (1, 2, 3, 4)):
        parts = [published[(code, month)][REGISTER][1] for code in ("01T", "01V")]
        assert loaded[("SEFTON", month)] == sum(parts)
    assert _rows(con, "select count(*) from extract_rejects") == [(0,)]
    _assert_reconciled(con)


def test_a_combined_part_missing_is_rejected_with_its_reason(tmp_path: Path) -> None:
    text = "month,org,value\n2024-01,01T,5\n2024-01,01V,6\n2024-02,01T,7\n"
    metric = _definition("m", "      value: value\n      combine: {SEFTON: [01T, 01V]}\n", unit="count")
    metric = metric.replace("dementia.csv", "x.csv").replace("ACH_DATE", "month").replace("ORG_CODE", "org")
    con, report = _load(_project(tmp_path, {"x.csv": text}, metric))
    assert _rows(con, "select org, period, value, source_row, source_rows from metric_points") == [
        ("SEFTON", dt.date(2024, 1, 1), 11.0, 2, 2)]
    assert _rows(con, "select source_row, reason from extract_rejects") == [
        (4, "SEFTON adds 01T + 01V: no row of 01V in 2024-02 can be loaded")]
    assert report.lines() == ["data/extracts/x.csv (m): read 3 = loaded 2 + rejected 1"]
    _assert_reconciled(con)


def test_rows_of_a_long_file_that_cannot_pair_say_why(tmp_path: Path) -> None:
    text = ("month,org,measure,value\n"
            "2024-01,A,reg,5\n2024-01,A,est,10\n"      # a pair
            "2024-02,A,reg,5\n2024-02,A,est,0\n"       # a zero denominator
            "2024-03,A,reg,x\n2024-03,A,est,10\n"      # the numerator's row is rejected itself
            "2024-04,A,reg,6\n2024-04,A,reg,6\n2024-04,A,est,10\n"  # a repeat loads once
            "2024-05,A,both,1\n")                      # picked by both sides
    sides = ("      numerator: {value: value, where: \"measure in ('reg', 'both')\"}\n"
             "      denominator: {value: value, where: \"measure in ('est', 'both')\"}\n")
    metric = (_definition("m", sides).replace("dementia.csv", "x.csv").replace("ACH_DATE", "month")
              .replace("ORG_CODE", "org"))
    con, report = _load(_project(tmp_path, {"x.csv": text}, metric))
    assert _rows(con, "select period, value, source_row, source_rows from metric_points order by 1") == [
        (dt.date(2024, 1, 1), 0.5, 2, 2), (dt.date(2024, 4, 1), 0.6, 8, 2)]
    assert _rows(con, "select source_row, reason from extract_rejects order by 1") == [
        (4, "the denominator is zero"), (5, "the denominator is zero"),
        (6, "'x' in column value is not a number"),
        (7, "no numerator row (measure in ('reg', 'both')) of A in 2024-03 can be loaded"),
        (9, "repeats row 8"),
        (11, "the row is picked by both the numerator's and the denominator's where: make each pick "
             "its own rows")]
    assert report.lines() == ["data/extracts/x.csv (m): read 10 = loaded 4 + rejected 6"]
    _assert_reconciled(con)


def test_a_row_of_the_combined_organisation_itself_is_not_counted_twice(tmp_path: Path) -> None:
    text = "month,org,value\n2024-01,01T,5\n2024-01,01V,6\n2024-01,SEFTON,11\n"
    metric = (_definition("m", "      value: value\n      combine: {SEFTON: [01T, 01V]}\n", unit="count")
              .replace("dementia.csv", "x.csv").replace("ACH_DATE", "month").replace("ORG_CODE", "org"))
    con, _ = _load(_project(tmp_path, {"x.csv": text}, metric))
    assert _rows(con, "select org, value from metric_points") == [("SEFTON", 11.0)]
    assert _rows(con, "select source_row, reason from extract_rejects") == [
        (4, "SEFTON adds 01T + 01V, so a row of SEFTON itself would be counted twice: leave such rows "
            "out with the filter, or give the combined organisation a name of its own")]
    _assert_reconciled(con)


def test_combine_on_a_rate_given_as_value_is_refused_with_file_and_line(tmp_path: Path) -> None:
    metric = _definition("dementia-rate-given",
                         "      value: VALUE\n      filter: \"MEASURE = 'DEMENTIA_RATE_65_PLUS'\"\n"
                         "      combine: {SEFTON: [01T, 01V]}\n")
    project = _project(tmp_path, {"dementia.csv": DEMENTIA}, metric)
    placed, problems = load_metrics(project)
    written = (project.data_dir / "metrics" / "test.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(written, start=1) if "combine:" in text)
    assert placed == []
    assert [str(p) for p in problems] == [
        f"data/metrics/test.yaml:{line}: metric dementia-rate-given: 'combine' adds the organisations' "
        "values, but a percent given as 'value' is a rate: rates are never added or averaged. Give "
        "the rate's 'numerator' and 'denominator' (each is added over the organisations, then one "
        "is divided by the other), or, if the value is a count, say so with unit: count"]
    validated = run_cli(project, "validate")  # what the pre-commit hook runs
    assert validated.returncode == 1
    assert f"data/metrics/test.yaml:{line}: metric dementia-rate-given: 'combine' adds" in validated.stderr


def test_a_where_is_checked_as_a_filter_is_and_named_as_its_side(tmp_path: Path) -> None:
    sides = SIDES.replace(f"MEASURE = '{ESTIMATE}'", "MEASURE in (select 1)")
    _, report = _load(_project(tmp_path, {"dementia.csv": DEMENTIA}, _definition("m", sides)))
    [line] = report.lines()
    assert line.startswith("data/extracts/dementia.csv (m): refused: metric m: the denominator's where "
                           "expression may not use subqueries")
