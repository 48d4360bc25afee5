"""Logging: one set-up for each entry point, and a reference that finds the traceback."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tracker import logs
from tracker.project import Project


@pytest.fixture
def restore_root_handlers() -> Iterator[None]:
    before = list(logging.getLogger().handlers)
    try:
        yield
    finally:
        for handler in logging.getLogger().handlers:
            if handler not in before:
                logging.getLogger().removeHandler(handler)
                handler.close()


def test_setup_twice_adds_no_second_handlers_and_logs_the_reference_with_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_root_handlers: None
) -> None:
    monkeypatch.delenv(logs.LOG_FILE_ENV, raising=False)
    first = logs.setup(tmp_path)
    count = len(logging.getLogger().handlers)
    assert logs.setup(tmp_path) == first == tmp_path / "logs" / "tracker.log"
    assert len(logging.getLogger().handlers) == count
    try:
        raise KeyError("a fault")
    except KeyError:
        reference = logs.log_exception(logging.getLogger("tracker.test"), "something failed")
        assert logs.log_exception(logging.getLogger("ui.test"), "caught again") == reference
    text = first.read_text()
    assert re.search(rf"ERROR tracker\.test \[{reference}\] something failed \(reference {reference}\)", text)
    assert "Traceback (most recent call last)" in text and "KeyError: 'a fault'" in text
    assert "caught again" not in text  # logged once, under one reference


def test_the_log_file_can_be_moved_or_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(logs.LOG_FILE_ENV, str(tmp_path / "elsewhere.log"))
    assert logs.log_path(tmp_path) == tmp_path / "elsewhere.log"
    monkeypatch.setenv(logs.LOG_FILE_ENV, "off")
    assert logs.log_path(tmp_path) is None


def test_a_command_that_fails_prints_a_reference_that_finds_the_traceback_in_the_log(
    minimal_project: Project,
) -> None:
    (minimal_project.queries_dir / "status" / "objective_status.sql").write_text("select nonsense")
    env = {k: v for k, v in os.environ.items() if k not in (logs.LOG_FILE_ENV, "TRACKER_DEBUG")}
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--root", str(minimal_project.root), "status", "--quarter",
         "2023-24 Q2"],
        capture_output=True, text=True, timeout=120, env={**env, "PYTHONPATH": str(REPO)})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    found = re.search(r"\(reference ([0-9A-F]{8}) in (\S+);", result.stderr)
    assert found, result.stderr
    log = Path(found.group(2))
    assert log == minimal_project.root / "logs" / "tracker.log"
    text = log.read_text()
    assert f"[{found.group(1)}] the command 'status' failed" in text
    assert "Traceback (most recent call last)" in text and "nonsense" in text
