"""The README tells the truth: CI runs its test command, and every command and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from tracker.cli import COMMANDS
from tracker.project import DEFAULT_SETTINGS

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _code_blocks() -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S)]


def test_readme_opens_with_the_dashboard_and_test_commands() -> None:
    run_dashboard, run_tests = _code_blocks()[:2]
    assert run_dashboard.endswith("-m streamlit run dashboard.py")
    assert "pytest" in run_tests


def test_ci_runs_exactly_the_readme_test_command() -> None:
    run_tests = _code_blocks()[1]
    ci = (REPO / ".ci/run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == run_tests


def test_every_command_is_documented() -> None:
    for name in COMMANDS:
        assert f"python -m tracker {name}" in README, name


def test_every_setting_is_documented() -> None:
    for name, default in DEFAULT_SETTINGS.items():
        shown = ", ".join(default) if isinstance(default, list) else str(default).lower()
        assert (f"| `{name}` | `{shown}` |" if shown else f"| `{name}` | (none) |") in README, name
