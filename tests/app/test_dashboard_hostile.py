"""The dashboard under hostile text and failing parts: inert downloads, plain messages, recovery.

Already covered elsewhere: a corrupt database file is rebuilt and a build that cannot
write is explained (`test_dashboard.py`), one table's CSV (`test_data_quality_page.py`),
a rebuild in another process while the dashboard reruns (`test_concurrent_build.py`).
"""

from __future__ import annotations

import csv
import errno
import io
import re
from pathlib import Path
from typing import Any

import duckdb
import filelock
import pytest
import streamlit
from streamlit.testing.v1 import AppTest

import tracker.db.build
import tracker.db.serving
from tests import hostile
from tests.conftest import dashboard
from tracker.db.build import build
from tracker.project import Project

PAGES = ["ui/pages/overview.py", "ui/pages/objectives.py", "ui/pages/scorecard.py",
         "ui/pages/reminders.py", "ui/pages/data_quality.py"]


def _no_traceback(at: AppTest) -> None:
    assert not at.exception, at.exception


# --- every CSV the dashboard offers, over hostile text ---------------------------------------


@pytest.mark.hostile
def test_every_csv_download_neutralises_formulas_in_hostile_text(
    shipped_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile.make_hostile(shipped_copy, "sefton-plan-2023-25", "age-well-dementia", "AW-DEM-01", "2023-24 Q4")
    offered: dict[str, str] = {}

    def download_button(label: str, data: Any, file_name: str | None = None, **_: Any) -> bool:
        if str(file_name).endswith(".csv"):
            data = data() if callable(data) else data  # made when pressed: press it
            offered[str(file_name)] = data.decode("utf-8-sig") if isinstance(data, bytes) else str(data)
        return False

    monkeypatch.setattr(streamlit, "download_button", download_button)
    at = dashboard(shipped_copy, monkeypatch)
    at.run()
    _no_traceback(at)
    for page in PAGES:
        at.switch_page(page).run()
        _no_traceback(at)
        if page.endswith("objectives.py"):
            at.selectbox(key="detail").set_value("AW-DEM-01").run()
            _no_traceback(at)
    kinds = {name.split("-20")[0].removesuffix(".csv") for name in offered}
    assert {"objectives", "exceptions", "status-by-area", "sign-off", "headline-metrics", "changes",
            "extracts"} <= kinds, sorted(offered)
    for name, text in offered.items():
        assert hostile.formula_cells(list(csv.reader(io.StringIO(text, newline="")))) == [], name
    everything = "\n".join(offered.values())
    for written in (hostile.OBJECTIVE, hostile.AREA, hostile.METRIC, hostile.COMMENTARY):
        assert "'" + written.strip() in everything.replace('""', '"')


@pytest.mark.hostile
def test_hostile_text_reaches_markdown_only_escaped(
    shipped_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Objective text, lead and reasons go through `plain()`: no tag or link survives as markup."""
    hostile.make_hostile(shipped_copy, "sefton-plan-2023-25", "age-well-dementia", "AW-DEM-01", "2023-24 Q4")
    at = dashboard(shipped_copy, monkeypatch)
    at.run()
    at.switch_page("ui/pages/objectives.py").run()
    at.selectbox(key="detail").set_value("AW-DEM-01").run()
    _no_traceback(at)
    sources = [m.value for m in at.markdown]
    assert any("Hostile objective" in s for s in sources)
    unescaped = re.compile(r"(?<!\\)(<script|<img|<b>|\]\(javascript:|\*\*not bold|\$x)")
    for source in sources:
        assert not unescaped.search(source), source


LINKY = ("Plan ![img](http://127.0.0.1:9/x.png) <a href='http://127.0.0.1:9/a'>a</a> "
         "www.example.org https://example.org/x mail@example.org :red[red] $x$")


@pytest.mark.hostile
def test_plain_leaves_no_link_image_or_bare_address_for_markdown_to_act_on() -> None:
    """Issue 20, finding 7: Streamlit's Markdown made images and links of plan names and
    turned bare addresses into links (after escapes are read, so escaping alone is not enough)."""
    from ui.widgets import plain

    shown = plain(LINKY)
    assert not re.search(r"(?<!\\)[!\[\]()<>$]", shown)  # no image, link, tag or LaTeX syntax
    for bare in ("://", "www.", "www\\.", "@example"):
        assert bare not in shown, bare
    # What a reader sees is what was written: remove the escapes and the invisible joiners.
    assert re.sub(r"\\(.)", r"\1", shown).replace("\u2060", "") == LINKY


@pytest.mark.hostile
def test_plain_with_code_escapes_the_words_and_keeps_only_paired_code_spans() -> None:
    """The analysts' rebase advice: its words (a definition file's path among them) are
    escaped as `plain` escapes them; only the tracker's own `...` YAML is shown as code."""
    from ui.widgets import plain, plain_with_code

    shown = plain_with_code(f"in {LINKY}: consider `rebase: [{{period: 2023-07}}]` there")
    assert shown == f"in {plain(LINKY)}: consider `rebase: [{{period: 2023-07}}]` there"
    assert plain_with_code("an odd ` backtick") == plain("an odd ` backtick")  # no code at all


@pytest.mark.hostile
def test_plotly_labels_from_files_are_escaped(shipped_copy: Project) -> None:
    """Plotly draws `<a href>` in titles and labels as a link: a metric's name is escaped."""
    import dataclasses
    import datetime as dt

    from tracker.db.serving import ensure_built
    from tracker.metrics.scorecard import metric_views
    from tracker.report.charts import plotly_chart, plotly_text

    assert plotly_text("<a href='x'>y</a><br>&") == "&lt;a href=&#x27;x&#x27;&gt;y&lt;/a&gt;&lt;br&gt;&amp;"
    ensure_built(shipped_copy)
    [view] = metric_views(shipped_copy, dt.date(2024, 3, 31), ["dementia-diagnosis-rate"])
    figure = plotly_chart(dataclasses.replace(view, name=LINKY))
    assert figure.layout.title.text == plotly_text(LINKY)
    assert "<a" not in figure.layout.title.text


# --- failing parts ---------------------------------------------------------------------------


@pytest.fixture
def app(minimal_project: Project, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return dashboard(minimal_project, monkeypatch)


def _objective_ids(at: AppTest) -> list[str]:
    at.switch_page("ui/pages/objectives.py").run()
    _no_traceback(at)
    return list(at.dataframe[0].value["ID"])


def test_a_database_deleted_while_running_is_rebuilt(app: AppTest, minimal_project: Project) -> None:
    app.run()
    assert _objective_ids(app) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]
    minimal_project.db_path.unlink()
    assert _objective_ids(app) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]
    assert not app.error


@pytest.mark.logs_errors
def test_a_full_disk_is_explained_the_old_file_kept_and_the_next_good_build_recovers(
    app: AppTest, minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.run()
    before = minimal_project.db_path.read_bytes()
    area = minimal_project.objectives_dir / "demo-plan" / "live-well-cancer.yaml"
    area.write_text(area.read_text().replace("Roll out lung health checks.", "Roll out TLHC."))
    write, update = tracker.db.build._write_database, tracker.db.build._update_database

    def disk_full(path: Path, *args: Any, **kwargs: Any) -> Any:
        path.write_bytes(b"half a database")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tracker.db.build, "_write_database", disk_full)
    monkeypatch.setattr(tracker.db.build, "_update_database", disk_full)  # an incremental build
    app.run()
    _no_traceback(app)
    assert not app.error  # the last good data is still shown, with a banner saying why
    [banner] = [w.value for w in app.warning if "Showing the last good figures" in w.value]
    assert "No space left on device" in banner and "`python -m tracker build`" in banner
    assert minimal_project.db_path.read_bytes() == before  # the last good file is untouched
    assert not list(minimal_project.data_dir.glob(".*.tmp*"))  # and the half-written one is gone
    monkeypatch.setattr(tracker.db.build, "_write_database", write)
    monkeypatch.setattr(tracker.db.build, "_update_database", update)
    monkeypatch.setattr(tracker.db.serving, "RETRY_FAILED_AFTER", 0)  # as if minutes had passed
    app.run()
    assert not app.error
    objectives = app.switch_page("ui/pages/objectives.py").run().dataframe[0].value
    assert "Roll out TLHC." in list(objectives["Objective"])


def test_a_current_database_is_read_without_writing_anything(
    app: AppTest, minimal_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only data folder: once built, the dashboard needs no lock and no writable file."""
    build(minimal_project)

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise PermissionError(errno.EROFS, "Read-only file system")

    connect = duckdb.connect
    monkeypatch.setattr(filelock.FileLock, "acquire", refuse)
    monkeypatch.setattr(duckdb, "connect", lambda path=":memory:", read_only=False, **kw: (
        connect(path, read_only=read_only, **kw) if read_only or path == ":memory:" else refuse()))
    app.run()
    titles = ["Board overview", "Objectives", "Scorecard", "Reminders and changes", "Data quality"]
    for page, title in zip(PAGES, titles, strict=True):
        app.switch_page(page).run()
        _no_traceback(app)
        assert not app.error, [e.value for e in app.error]
        assert [t.value for t in app.title] == [title], page  # the page drew, from the database
        if page.endswith("objectives.py"):
            assert list(app.dataframe[0].value["ID"]) == ["LW-CAN-01", "LW-CAN-02", "LW-DEM-01"]


def test_a_missing_extract_is_explained_and_comes_back(
    shipped_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    extract = shipped_copy.data_dir / "extracts" / "nhse_ae_attendances.csv"
    kept = extract.read_bytes()
    extract.unlink()
    at = dashboard(shipped_copy, monkeypatch)
    at.run()
    _no_traceback(at)
    at.switch_page("ui/pages/data_quality.py").run()
    _no_traceback(at)
    assert any("could not be loaded" in e.value for e in at.error)
    files = next(d.value for d in at.dataframe if "Rows read" in d.value.columns)
    missing = files[files["Status"] == "unreadable"]
    assert set(missing["Message"]) == {
        "the file data/extracts/nhse_ae_attendances.csv was not found"}
    at.switch_page("ui/pages/scorecard.py").run()
    _no_traceback(at)
    extract.write_bytes(kept)
    at.switch_page("ui/pages/data_quality.py").run()
    files = next(d.value for d in at.dataframe if "Rows read" in d.value.columns)
    assert set(files["Status"]) == {"loaded"}
