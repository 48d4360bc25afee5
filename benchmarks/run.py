"""How fast the extracts load, against DuckDB alone and plain pandas, measured in one run.

    .venv/bin/python benchmarks/run.py [--scale sefton|national] [--dir DIR] [--reuse]

Writes a synthetic project (benchmarks/synthetic.py; a scratch folder, never
committed), then times, each in its own process so that peak memory is that
process's own (max RSS from `os.wait4`, the per-child form of
`getrusage(RUSAGE_CHILDREN)`):

- floor:  DuckDB alone reading the same extract files into a database file
          (`create table ... as select * from read_csv/read_parquet`);
- load:   `tracker.metrics.extracts.load_extracts` on a fresh database file: every row
          numbered, judged, loaded or rejected (the extract part of a build);
- build:  the whole `python -m tracker build --full` process (start-up, plans, metrics,
          extracts, the swap): a cold build, the figure the targets are about;
- pandas: the same load and validation written plainly in pandas
          (benchmarks/pandas_load.py), the baseline;
- the incremental builds (`python -m tracker build` after a cold one), issue 19:
  nothing changed; one plan file edited (a comment line appended); one extract
  replaced by a file with one value changed, beside `floor one`: DuckDB alone
  reading that one file.

The machines are noisy: each is run `--repeat` times (default 2) and the best
time is kept; the contenders take turns, so a burst of load elsewhere spoils
one run of each rather than all runs of one. Targets (issues 3 and 19): at the
national scale the cold build at most 3.5x the floor, faster than pandas, and
under 4 GiB; one plan file edited at most 1 s or 0.15x the cold build; one
extract replaced at most its own floor + 1 s; nothing changed at most 0.3 s; a
Sefton build process under 3 s. `load / floor` is printed too, to show how much
of the build is the extracts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import SCALES, write_project  # noqa: E402

GIB = 1024**3


@dataclass
class Measure:
    """One timed process: wall time (best of the runs) and its own peak memory."""

    name: str
    seconds: float
    peak_bytes: int
    output: str


def timed(name: str, command: list[str], env: dict[str, str] | None = None,
          before: Measure | None = None) -> Measure:
    """Run `command` once; keep the better wall time and the larger peak RSS of this run
    and `before` (the same contender's earlier runs)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        # The synthetic project has no problems: a contender that reports one (or fails) times
        # something else than the work, e.g. a build that could not read the extracts.
        raise SystemExit(f"{name} failed, so its time would mean nothing:\n{output}")
    peak = usage.ru_maxrss * 1024
    if before is not None:
        elapsed, peak = min(elapsed, before.seconds), max(peak, before.peak_bytes)
    return Measure(name, elapsed, peak, output)


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def floor(root: str, db: str) -> None:
    """DuckDB alone: each extract into a table of a new database file."""
    import duckdb

    Path(db).unlink(missing_ok=True)
    con = duckdb.connect(db)
    for i, path in enumerate(sorted((Path(root) / "data" / "extracts").iterdir())):
        reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
        con.execute(f"create table extract_{i} as select * from {reader}('{path}')")  # noqa: S608
    con.execute("checkpoint")
    con.close()


def floor_one(path: str, db: str) -> None:
    """DuckDB alone: one extract into a table of a new database file."""
    import duckdb

    Path(db).unlink(missing_ok=True)
    con = duckdb.connect(db)
    reader = "read_parquet" if path.endswith(".parquet") else "read_csv"
    con.execute(f"create table extract_one as select * from {reader}('{path}')")  # noqa: S608
    con.execute("checkpoint")
    con.close()


def edit_a_plan(folder: Path) -> None:
    """Append a comment line to one plan file, as a lead's edit."""
    area = sorted(p for p in (folder / "objectives").glob("*/*.yaml") if p.name != "plan.yaml")[0]
    with area.open("a") as out:
        out.write(f"# edited at {time.time()}\n")


def replace_an_extract(folder: Path) -> Path:
    """Replace one CSV extract by a file with one value changed (written beside, moved in)."""
    path = sorted((folder / "data" / "extracts").glob("*.csv"))[0]
    lines = path.read_bytes().split(b"\n")
    last = lines[1][-1:]
    lines[1] = lines[1][:-1] + (b"1" if last != b"1" else b"2")
    new = path.with_name(path.name + ".new")
    new.write_bytes(b"\n".join(lines))
    os.replace(new, path)
    return path


def load(root: str, db: str) -> None:
    """The tracker's extract load on a fresh database file, as a build runs it."""
    import duckdb

    from tracker.db.queries import query_text
    from tracker.metrics.definitions import load_metrics
    from tracker.metrics.extracts import load_extracts
    from tracker.project import load_project

    project = load_project(Path(root))
    Path(db).unlink(missing_ok=True)
    con = duckdb.connect(db)
    con.execute(query_text(project, "db/create_metric_tables"))
    placed, _ = load_metrics(project)
    report = load_extracts(con, project, placed)
    con.execute("checkpoint")
    rows = con.execute("select count(*) from metric_points").fetchall()[0][0]
    rejects = con.execute("select count(*) from extract_rejects").fetchall()[0][0]
    con.close()
    print(f"{len(report.files)} metric extracts: {rows} values loaded, {rejects} rows rejected")
    if rows == 0:
        raise SystemExit("the load loaded nothing: the synthetic project does not match the tracker")


def report(scale: str, measures: dict[str, Measure]) -> list[str]:
    """The figures, their ratios, and the targets met or missed."""
    floor_s, load_s = measures["floor"].seconds, measures["load"].seconds
    build_s, pandas_s = measures["build"].seconds, measures["pandas"].seconds
    lines = [f"scale: {scale}"]
    lines += [f"  {m.name:<15} {m.seconds:7.2f} s   peak {m.peak_bytes / GIB:5.2f} GiB"
              for m in measures.values()]
    lines += [
        f"  build / floor  = {build_s / floor_s:5.2f}   (target <= 3.5: the whole cold build process)",
        f"  load / floor   = {load_s / floor_s:5.2f}   (the extracts alone)",
        f"  pandas / build = {pandas_s / build_s:5.2f}   (national target > 1: build faster than pandas)",
    ]
    peak = max(measures["build"].peak_bytes, measures["load"].peak_bytes) / GIB
    plan_s, extract_s = measures["plan edited"].seconds, measures["extract replaced"].seconds
    nothing_s, one_floor = measures["nothing changed"].seconds, measures["floor one"].seconds
    lines.append(f"  plan edited / build = {plan_s / build_s:5.2f}; extract replaced - floor one = "
                 f"{extract_s - one_floor:5.2f} s")
    if scale == "national":
        lines.append(f"  targets: build <= 3.5x floor {'met' if build_s <= 3.5 * floor_s else 'MISSED'}; "
                     f"faster than pandas {'met' if build_s < pandas_s else 'MISSED'}; "
                     f"peak < 4 GiB {'met' if peak < 4 else 'MISSED'}")
        lines.append(
            f"  targets: plan edited <= 1 s or 0.15x build "
            f"{'met' if plan_s <= 1 or plan_s <= 0.15 * build_s else 'MISSED'}; "
            f"extract replaced <= floor one + 1 s {'met' if extract_s <= one_floor + 1 else 'MISSED'}; "
            f"nothing changed <= 0.3 s {'met' if nothing_s <= 0.3 else 'MISSED'}")
    else:
        lines.append(f"  target: build process < 3 s {'met' if build_s < 3 else 'MISSED'}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="sefton")
    parser.add_argument("--dir", type=Path, help="scratch folder (default: a new temporary one)")
    parser.add_argument("--reuse", action="store_true", help="keep the synthetic files already in --dir")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", choices=["floor", "floor_one", "load"], help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        {"floor": floor, "floor_one": floor_one, "load": load}[args.child](*args.child_args)
        return
    folder = args.dir or Path(tempfile.mkdtemp(prefix=f"tracker-bench-{args.scale}-"))
    if not (args.reuse and (folder / "data" / "extracts").is_dir()):
        started = time.perf_counter()
        write_project(SCALES[args.scale], folder)
        took = time.perf_counter() - started
        print(f"wrote the synthetic {args.scale} project to {folder} in {took:.1f} s")
    else:  # the build's own SQL may have changed since the files were written
        shutil.rmtree(folder / "queries")
        shutil.copytree(ROOT / "queries", folder / "queries")
    db = str(folder / "bench.duckdb")
    for path in sorted((folder / "data" / "extracts").iterdir()):
        path.read_bytes()  # every contender starts with the files in the page cache
    me = str(Path(__file__).resolve())
    tracker_env = {"TRACKER_ROOT": str(folder)}
    one = sorted((folder / "data" / "extracts").glob("*.csv"))[0]
    contenders: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "floor": (_python(me, "--child", "floor", str(folder), db), None),
        "load": (_python(me, "--child", "load", str(folder), db), None),
        "build": (_python("-m", "tracker", "build", "--full"), tracker_env),
        "pandas": (_python(str(ROOT / "benchmarks" / "pandas_load.py"), str(folder), db), None),
        # After the cold build: each starts from a database that is up to date.
        "nothing changed": (_python("-m", "tracker", "build"), tracker_env),
        "plan edited": (_python("-m", "tracker", "build"), tracker_env),
        "extract replaced": (_python("-m", "tracker", "build"), tracker_env),
        "floor one": (_python(me, "--child", "floor_one", str(one), db), None),
    }
    before: dict[str, Callable[[], object]] = {
        "plan edited": lambda: edit_a_plan(folder), "extract replaced": lambda: replace_an_extract(folder)}
    measures: dict[str, Measure] = {}
    for _ in range(args.repeat):  # in turns, so that a burst of load elsewhere is shared out
        for name, (command, env) in contenders.items():
            before.get(name, lambda: None)()
            measures[name] = timed(name, command, env, measures.get(name))
    for name in ("nothing changed", "plan edited", "extract replaced"):
        print(f"{name}: {measures[name].output.strip().splitlines()[-1]}")
    print(measures["load"].output.strip())
    print(measures["pandas"].output.strip())
    print("\n".join(report(args.scale, measures)))


if __name__ == "__main__":
    main()
