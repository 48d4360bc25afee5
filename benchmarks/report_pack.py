"""How long the quarterly Board pack takes for the shipped data, as a user runs it.

Run: .venv/bin/python benchmarks/report_pack.py [--runs 5]

Times whole `python -m tracker report` processes (PDF and HTML, Sefton Plan,
2023-24 Q3) on an up-to-date database, beside two baselines measured in the
same run, since these machines are noisy:

- startup: a process that only imports the tracker and WeasyPrint and prints
  a one-line PDF (what any PDF command costs before it does any work);
- whole:   the same pack printed in one process (no halves), to show what
  printing the halves on two cores saves.

The command line starts its printer before it reads the data (see
tracker/pdf.py), so much of the start-up overlaps the pack's own work.

Target (issue 6): the pack in under 5 seconds. Medians of `--runs` runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN, QUARTER = "sefton-plan-2023-25", "2023-24 Q3"

STARTUP = ("import tracker.cli, tracker.report\n"
           "from weasyprint import HTML\n"
           "HTML(string='<p>x</p>').write_pdf()\n")
WHOLE = ("import sys\n"
         "from tracker.project import load_project\n"
         "from tracker.quarters import parse_quarter\n"
         "from tracker.report import build_report_data, render_pdf\n"
         f"data = build_report_data(load_project(), {PLAN!r}, parse_quarter({QUARTER!r}))\n"
         "open(sys.argv[1], 'wb').write(render_pdf(data))\n")


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="pack-"))
    python = sys.executable
    subprocess.run([python, "-m", "tracker", "build"], cwd=ROOT, check=True, capture_output=True)
    commands = {
        "startup (baseline)": [python, "-c", STARTUP],
        "pack PDF, one process": [python, "-c", WHOLE, str(out / "whole.pdf")],
        "pack PDF (command line)": [python, "-m", "tracker", "report", "--plan", PLAN, "--quarter",
                                    QUARTER, "--format", "pdf", "--out", str(out / "pack.pdf")],
        "pack HTML (command line)": [python, "-m", "tracker", "report", "--plan", PLAN, "--quarter",
                                     QUARTER, "--format", "html", "--out", str(out / "pack.html")],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):  # interleaved, so a noisy spell hits every command alike
        for name, command in commands.items():
            times[name].append(_seconds(command))
    startup = statistics.median(times["startup (baseline)"])
    print(f"Board pack for {PLAN}, {QUARTER}; median of {args.runs} runs on {os.cpu_count()} cores")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"  {name:26} {median:6.2f} s  ({median / startup:4.1f}x startup)  "
              f"range {min(runs):.2f}-{max(runs):.2f} s")
    verdict = "met" if statistics.median(times["pack PDF (command line)"]) < 5 else "MISSED"
    print(f"Target: the PDF pack in under 5 s: {verdict}.")


if __name__ == "__main__":
    main()
