"""One status engine behind everything the Board sees: for every quarter of both shipped plans,
the Objectives page, the Board pack and `python -m tracker status --format json` agree,
objective by objective, on the reported status, whether it comes from an example update, and
the derived status. With `example_data: false`, nothing anywhere comes from an example.

The shipped project is copied and built once for the module (a build takes seconds).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, copy_project
from tracker.cli import main
from tracker.db.queries import read_query
from tracker.db.serving import ensure_built
from tracker.project import Project, load_project
from tracker.report.pack import build_report_data, render_html
from tracker.status.objectives import exceptions, objective_status
from tracker.status.quarters import FinancialQuarter, quarters_between
from tracker.status.rag import DERIVED_LABELS, reported_label

PLANS = ("sefton-plan-2023-25", "send-jcp-2023-26")
# One appendix row of the rendered pack: id, then (after the objective and target) the reported
# status as printed and the evidence as printed.
APPENDIX_ROW = re.compile(
    r'<tr><td class="id">([^<]+)</td><td>[^<]*</td>\s*<td>[^<]*</td><td>([^<]+)</td>\s*'
    r"<td>([^<]+?)(?: ⚠)?</td>")


def _shipped(tmp_path_factory: pytest.TempPathFactory, name: str, settings: str | None) -> Project:
    root = copy_project(REPO, tmp_path_factory.mktemp(name) / "shipped")
    if settings is not None:
        (root / "settings.yaml").write_text(settings, encoding="utf-8")
    project = load_project(root)
    ensure_built(project)
    return project


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The shipped plans and data (with the shipped example updates), built once."""
    return _shipped(tmp_path_factory, "agreement", None)


def _plan_quarters(project: Project) -> dict[str, list[FinancialQuarter]]:
    plans = read_query(project, "plans/plans").set_index("plan_id")
    assert set(PLANS) <= set(plans.index)
    return {plan: quarters_between(FinancialQuarter.quarter_of(plans.at[plan, "period_start"]),
                                   FinancialQuarter.quarter_of(plans.at[plan, "period_end"]))
            for plan in PLANS}


def _all_quarters(project: Project) -> list[FinancialQuarter]:
    return sorted({q for qs in _plan_quarters(project).values() for q in qs},
                  key=lambda q: q.end_date)


def _cli_status(project: Project, quarter: FinancialQuarter) -> list[dict]:
    """`python -m tracker status --format json` for every plan, run in this process."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--root", str(project.root), "status", "--quarter", str(quarter),
                     "--format", "json"])
    assert code == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def cli(shipped: Project) -> dict[FinancialQuarter, list[dict]]:
    return {quarter: _cli_status(shipped, quarter) for quarter in _all_quarters(shipped)}


@pytest.fixture(scope="module")
def page(shipped: Project) -> Iterator[dict[FinancialQuarter, pd.DataFrame]]:
    """The Objectives page's table (all plans) for each quarter, chosen in the sidebar."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("TRACKER_ROOT", str(shipped.root))
        monkeypatch.chdir(REPO)
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
        at.run()
        at.switch_page("ui/pages/objectives.py").run()
        tables = {}
        for quarter in _all_quarters(shipped):
            at.sidebar.selectbox(key="quarter").set_value(str(quarter)).run()
            assert not at.exception, quarter
            tables[quarter] = at.dataframe[0].value.set_index("ID")
        yield tables


def _expected(record: dict) -> tuple[str, str]:
    """What every place should print for one `status` record: reported, then evidence."""
    return (reported_label(record["reported_rag"], record["reported_is_example"]),
            DERIVED_LABELS[record["derived_status"]])


def test_status_json_gives_reported_is_example_for_every_objective(
    shipped: Project, cli: dict[FinancialQuarter, list[dict]],
) -> None:
    for quarter, records in cli.items():
        assert all(isinstance(r["reported_is_example"], bool) for r in records), quarter
        assert {r["plan"] for r in records} == set(PLANS)
    # and the real command line says the same as the in-process one
    quarter = _all_quarters(shipped)[4]
    run = subprocess.run([sys.executable, "-m", "tracker", "--root", str(shipped.root), "status",
                          "--quarter", str(quarter), "--format", "json"],
                         capture_output=True, text=True, cwd=REPO, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == cli[quarter]


def test_the_objectives_page_agrees_with_status_json_every_quarter(
    cli: dict[FinancialQuarter, list[dict]], page: dict[FinancialQuarter, pd.DataFrame],
) -> None:
    for quarter, records in cli.items():
        table = page[quarter]
        assert sorted(table.index) == sorted(r["id"] for r in records), quarter
        for record in records:
            shown = (table.at[record["id"], "Reported"], table.at[record["id"], "Evidence"])
            assert shown == _expected(record), (str(quarter), record["id"])


def test_the_pack_agrees_with_status_json_for_every_quarter_of_both_plans(
    shipped: Project, cli: dict[FinancialQuarter, list[dict]],
) -> None:
    for plan, quarters in _plan_quarters(shipped).items():
        for quarter in quarters:
            records = [r for r in cli[quarter] if r["plan"] == plan]
            data = build_report_data(shipped, plan, quarter)
            where = f"{plan} {quarter}"
            appendix = {r["id"]: r for r in data.appendix}
            assert list(appendix) == [r["id"] for r in records], where
            for record in records:
                row = appendix[record["id"]]
                assert (row["reported"], row["example"], row["derived"]) == (
                    record["reported_rag"], record["reported_is_example"],
                    record["derived_status"]), (where, record["id"])
            # what is printed, not only what is gathered
            printed = {m[0]: (m[1], m[2]) for m in APPENDIX_ROW.findall(render_html(data))}
            assert printed == {r["id"]: _expected(r) for r in records}, where
            # the exceptions: the one rule, applied to the same statuses
            # (the rule also reads each objective's previous status and linked metrics' concerns,
            # which the status records do not carry: the same statuses, from the status engine)
            frame = objective_status(shipped, quarter, plan)
            assert frame[["id", "reported_rag", "derived_status", "overdue", "movement"]].to_dict(
                orient="records") == [{k: r[k] for k in ("id", "reported_rag", "derived_status",
                                                         "overdue", "movement")} for r in records]
            rule = exceptions(frame, str(quarter.previous()), shipped.settings["exceptions_include"])
            assert [e["id"] for e in data.exceptions] == list(rule["id"]), where
            assert [e["why"] for e in data.exceptions] == list(rule["why"]), where
            for e in data.exceptions:
                assert e["example"] == appendix[e["id"]]["example"], (where, e["id"])
            # the counts: every status from an example is counted as one
            assert data.example_totals == {
                s: sum(r["reported_rag"] == s and r["reported_is_example"] for r in records)
                for s in data.totals}, where
            assert data.real_updates["real"] == sum(r["has_real_update"] for r in records), where


def test_shipped_2024_25_q1_marks_every_complete_as_an_example(
    cli: dict[FinancialQuarter, list[dict]], page: dict[FinancialQuarter, pd.DataFrame],
) -> None:
    """The finding: 29 of the Sefton plan's 99 objectives showed "complete" with no mark."""
    [quarter] = [q for q in cli if str(q) == "2024-25 Q1"]
    sefton = [r for r in cli[quarter] if r["plan"] == "sefton-plan-2023-25"]
    complete = [r for r in sefton if r["reported_rag"] == "blue"]
    assert len(sefton) == 99 and len(complete) == 29
    assert all(r["reported_is_example"] and not r["has_real_update"] for r in complete)
    shown = page[quarter].loc[[r["id"] for r in complete], "Reported"]
    assert set(shown) == {"★ Complete (example)"}


@pytest.fixture(scope="module")
def shipped_without_examples(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return _shipped(tmp_path_factory, "no-examples", "example_data: false\n")


def test_with_example_data_off_no_status_comes_from_an_example(
    shipped_without_examples: Project,
) -> None:
    project = shipped_without_examples
    for quarter in _all_quarters(project):
        records = _cli_status(project, quarter)
        assert not any(r["reported_is_example"] for r in records), quarter
        for record in records:
            if record["reported_rag"] in ("red", "amber", "green", "blue"):
                assert record["has_real_update"], (str(quarter), record["id"])
        data = build_report_data(project, "sefton-plan-2023-25", quarter)
        assert not data.uses_examples and sum(data.example_totals.values()) == 0
        assert "(example)" not in render_html(data)
