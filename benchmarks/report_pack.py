"""How long the quarterly Board pack takes for the shipped data, as a user runs it.

Run: .venv/bin/python benchmarks/report_pack.py [--runs 5]

Times whole `python -m tracker report` processes (PDF and HTML, Sefton Plan,
2023-24 Q4, the quarter issue 17 measures) on an up-to-date database, beside a
baseline measured in the same run, since these machines are noisy:

- startup: a process that only imports the tracker and WeasyPrint and prints
  a one-line PDF (what any PDF command costs before it does any work).

The PDF is tagged and printed in one process (tracker/report/pdf.py): the two-process
printer it replaced could not keep the structure tree when joining its halves.

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
PLAN, QUARTER = "sefton-plan-2023-25", "2023-24 Q4"

STARTUP = ("import tracker.cli, tracker.report.pack\n"
           "from weasyprint import HTML\n"
           "HTML(string='<p>x</p>').write_pdf()\n")


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
