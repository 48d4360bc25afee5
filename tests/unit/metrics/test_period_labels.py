"""Pooled periods keep the publisher's words (#15): OHID's "2019 - 21" is stored at 2021 (and
"2018/19 - 20/21" at April 2020), and its label is kept beside it (`metric_period_labels`),
so the scorecard and `spc --format json` say "2019 - 21", not "Jan 2021". A calendar year
published in the same column ("2021") is never given a pooled run's words."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd

from tests.unit.metrics.test_extracts import TESTDATA, _load, _metric, _project, _rows
from tests.unit.test_cli import run_cli
from tracker.metrics.scorecard import evaluate
from tracker.metrics.scorecard_words import latest_label
from tracker.project import Project

FINGERTIPS = TESTDATA / "fingertips_export.csv"


def _fingertips_metric(metric_id: str, indicator: int) -> str:
    return _metric(metric_id, "{file: extracts/fingertips.csv, period: Time period, org: Area Code, "
                              f"value: Value, filter: '\"Indicator ID\" = {indicator}'}}", "annual")


def test_pooled_periods_keep_their_labels_and_others_have_none(tmp_path: Path) -> None:
    metrics = (_fingertips_metric("smoking", 92443) + _fingertips_metric("under-75-mortality", 108)
               + _fingertips_metric("dementia", 91891))
    con, _ = _load(_project(tmp_path, {"fingertips.csv": FINGERTIPS}, metrics))
    assert _rows(con, "select metric_id, period, label from metric_period_labels order by all") == [
        ("under-75-mortality", dt.date(2019, 1, 1), "2017 - 19"),
        ("under-75-mortality", dt.date(2020, 1, 1), "2018 - 20"),
        ("under-75-mortality", dt.date(2021, 1, 1), "2019 - 21"),
    ]


def test_pooled_financial_years_keep_their_labels(tmp_path: Path) -> None:
    text = "period,value\n2017/18 - 19/20,1\n2018/19 - 20/21,2\n"
    source = "{file: extracts/p.csv, period: period, value: value}"
    con, _ = _load(_project(tmp_path, {"p.csv": text}, _metric("pooled", source, "annual")))
    assert _rows(con, "select period, label from metric_period_labels order by period") == [
        (dt.date(2019, 4, 1), "2017/18 - 19/20"), (dt.date(2020, 4, 1), "2018/19 - 20/21")]


def test_the_scorecard_names_a_pooled_period_as_published() -> None:
    definition = {"metric_id": "m", "name": "M", "unit": "rate", "direction": "lower_is_better",
                  "frequency": "annual", "is_example": False, "target_value": None}
    series = pd.DataFrame({"period": pd.to_datetime(["2020-01-01", "2021-01-01"]), "value": [1.0, 2.0],
                           "period_label": ["2018 - 20", "2019 - 21"]})
    assert latest_label(evaluate(definition, series, pd.DataFrame(columns=["period", "value"]), [],
                                 "Sefton")) == "2.00 (2019 - 21)"
    plain = series.drop(columns="period_label")
    assert latest_label(evaluate(definition, plain, pd.DataFrame(columns=["period", "value"]), [],
                                 "Sefton")) == "2.00 (Jan 2021)"


def test_spc_json_gives_each_points_period_label(minimal_project: Project) -> None:
    extracts = minimal_project.data_dir / "extracts"
    extracts.mkdir(parents=True)
    shutil.copy(FINGERTIPS, extracts / "fingertips.csv")
    (minimal_project.data_dir / "metrics").mkdir()
    (minimal_project.data_dir / "metrics" / "fingertips.yaml").write_text(
        "metrics:" + _fingertips_metric("smoking", 92443) + _fingertips_metric("under-75-mortality", 108))

    def points(metric_id: str) -> list[tuple[str, str | None]]:
        result = run_cli(minimal_project, "spc", "--metric", metric_id, "--org", "E08000014")
        assert result.returncode == 0, result.stderr
        return [(p["period"], p["period_label"]) for p in json.loads(result.stdout)["points"]]

    assert points("under-75-mortality") == [("2019-01-01", "2017 - 19"), ("2020-01-01", "2018 - 20"),
                                             ("2021-01-01", "2019 - 21")]
    assert points("smoking") == [("2019-01-01", None), ("2020-01-01", None), ("2021-01-01", None),
                                 ("2022-01-01", None)]



def test_an_incremental_build_keeps_the_labels_a_cold_build_makes(minimal_project: Project) -> None:
    """An extract judged again brings its labels anew (none left over, none twice); the labels
    of an extract not judged again are kept."""
    from tests.conftest import db_rows
    from tracker.db.build import build

    extracts = minimal_project.data_dir / "extracts"
    extracts.mkdir(parents=True)
    shutil.copy(FINGERTIPS, extracts / "fingertips.csv")
    (extracts / "p.csv").write_text("period,value\n2017/18 - 19/20,1\n2018/19 - 20/21,2\n")
    (minimal_project.data_dir / "metrics").mkdir()
    (minimal_project.data_dir / "metrics" / "fingertips.yaml").write_text(
        "metrics:" + _fingertips_metric("under-75-mortality", 108)
        + _metric("pooled", "{file: extracts/p.csv, period: period, value: value}", "annual"))
    assert build(minimal_project).how == "cold"
    published = (extracts / "fingertips.csv").read_text()
    (extracts / "fingertips.csv").write_text(published.replace(",2017 - 19,", ",2017 - 2019,"))
    assert build(minimal_project).how == "incremental"
    assert db_rows(minimal_project, "select metric_id, period, label from metric_period_labels "
                                    "order by all") == [
        ("pooled", dt.date(2019, 4, 1), "2017/18 - 19/20"),
        ("pooled", dt.date(2020, 4, 1), "2018/19 - 20/21"),
        ("under-75-mortality", dt.date(2019, 1, 1), "2017 - 2019"),
        ("under-75-mortality", dt.date(2020, 1, 1), "2018 - 20"),
        ("under-75-mortality", dt.date(2021, 1, 1), "2019 - 21"),
    ]
