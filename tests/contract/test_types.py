"""The core type-checks: mypy, strict, over tracker/ with pyproject.toml's [tool.mypy], finds nothing.

CI runs only the README's test command, so the type checker runs as a test. It runs in a
subprocess with this interpreter, so it checks against the packages (and the stubs pinned in
requirements-dev.txt) that the tests themselves run with.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ERROR_LINE = re.compile(r"^(?P<file>[^:\n]+):\d+(?::\d+)?: error:", re.M)


def errors_per_file(output: str) -> Counter[str]:
    """How many errors mypy reported in each file, so a failure says where the work is."""
    return Counter(match["file"] for match in ERROR_LINE.finditer(output))


def test_errors_are_counted_per_file() -> None:
    output = ("tracker/a.py:3: error: Bad  [misc]\ntracker/a.py:3: note: See this\n"
              "tracker/b/c.py:10:4: error: Worse  [arg-type]\ntracker/a.py:9: error: Again  [misc]\n"
              "Found 3 errors in 2 files (checked 2 source files)\n")
    assert errors_per_file(output) == Counter({"tracker/a.py": 2, "tracker/b/c.py": 1})


def test_mypy_finds_no_errors_in_tracker() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", "tracker"],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )
    output, exit_code = done.stdout + done.stderr, done.returncode
    counts = "\n".join(f"{n:4d}  {name}" for name, n in sorted(errors_per_file(output).items()))
    assert exit_code == 0, f"mypy found errors (per file):\n{counts}\n\nmypy's output:\n{output}"
    assert "Success: no issues found" in done.stdout, output
