"""What the command line prints shows control characters as escapes, never raw."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.metrics.test_extracts import _metric, _project
from tracker.cli import main
from tracker.terminal import visible

ESCAPES = "\x1b]0;PWNED\x07\x1b[2J\x9b"


@pytest.mark.hostile
def test_text_from_an_extract_reaches_the_terminal_as_visible_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An extract's column names are printed when a metric names a column it lacks; escape
    sequences in them retitled and cleared the terminal, as `reminders` did with a lead's name."""
    project = _project(tmp_path, {"x.csv": f"period,v,{ESCAPES}\n2023-04,1,1\n"},
                       _metric("m", "{file: extracts/x.csv, period: period, org: nowhere, value: v}"))
    assert main(["--root", str(project.root), "build"]) == 1
    printed = capsys.readouterr()
    shown = printed.out + printed.err
    assert "the org column 'nowhere' is not in the extract" in shown
    assert not any(c in shown for c in "\x1b\x07\x9b"), shown
    assert "\\u001b]0;PWNED\\u0007\\u001b[2J\\u009b" in shown


def test_visible_keeps_tabs_and_line_feeds_and_stays_valid_json() -> None:
    assert visible("a\tb\nc\rd\n") == "a\tb\nc\\u000dd\n"
    assert json.loads(visible(json.dumps({"k": "x\x9by"}, ensure_ascii=False))) == {"k": "x\x9by"}
