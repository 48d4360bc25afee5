"""When the tracker may fork a child process (the build reads the plans in one): only with one
Python thread, where fork exists.

A fork while another thread holds a lock would leave the child waiting for ever (the
dashboard's server runs many threads), so the pack must then print in one process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tracker.db.forking import may_fork

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="this system has no fork")
def test_the_command_line_with_one_thread_may_fork() -> None:
    """In a fresh interpreter, as `python -m tracker report` runs (the test process may hold
    other tests' threads)."""
    script = "from tracker.db.forking import may_fork; print(may_fork())"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO,
                          timeout=60, check=True)
    assert done.stdout.strip() == "True"


def test_no_fork_while_another_python_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert may_fork() is False
    finally:
        stop.set()
        thread.join()


def test_no_fork_where_the_system_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork", raising=False)
    assert may_fork() is False
