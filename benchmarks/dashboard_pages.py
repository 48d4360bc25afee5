"""How long each dashboard page takes to draw on the shipped data (AppTest, warm cache).

Run: .venv/bin/python benchmarks/dashboard_pages.py
Each page is drawn once to warm the caches, then drawn afresh in a new AppTest
session several times; the median is reported, beside the time to draw a
trivial Streamlit page in the same run (the baseline), since these machines
are noisy.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["ui/pages/overview.py", "ui/pages/objectives.py", "ui/pages/scorecard.py",
         "ui/pages/reminders.py", "ui/pages/update.py", "ui/pages/data_quality.py"]
RUNS = 5


def _time_page(page: str) -> float:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    start = time.perf_counter()
    at.switch_page(page).run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{page} raised: {at.exception}")
    return elapsed


def _baseline() -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write("import streamlit as st\nst.title('Baseline')\nst.dataframe({'a': [1, 2]})\n")
    at = AppTest.from_file(handle.name)
    at.run()
    start = time.perf_counter()
    AppTest.from_file(handle.name).run()
    return time.perf_counter() - start


def main() -> int:
    sys.path.insert(0, str(ROOT))
    baseline = statistics.median(_baseline() for _ in range(RUNS))
    print(f"{'page':<28} {'median s':>9} {'x baseline':>11}")
    print(f"{'(trivial page, baseline)':<28} {baseline:>9.3f} {1:>11.1f}")
    for page in PAGES:
        _time_page(page)  # warm the caches
        median = statistics.median(_time_page(page) for _ in range(RUNS))
        print(f"{Path(page).stem:<28} {median:>9.3f} {median / baseline:>11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
