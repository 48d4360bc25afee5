"""Synthetic plans and extracts for the load benchmark, at two scales.

`sefton`: one plan of 100 objectives, 50 metrics over 10 organisations, 5 years
monthly (30,000 metric rows in 5 extracts). `national`: 200 places x 100
objectives (20,000) and 100 metrics over 1,667 organisations, 5 years monthly:
10 million metric rows in 20 extract files. The extracts vary as published
ones do (period written four ways, comma or semicolon, ratio or value, CSV or
Parquet) and carry a few bad rows of every kind (1 in 500: bad period, text in
a number, zero denominator, no organisation; plus exact repeats and clashes),
so the load does its real validation work. Deterministic: values come from
DuckDB's hash of the row number, so the same scale writes the same files.

Written to a scratch folder, never committed:
`python benchmarks/synthetic.py --scale national --out /tmp/bench-national`.
"""

from __future__ import annotations

import argparse
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

REPO = Path(__file__).resolve().parent.parent
MONTHS = 60  # April 2020 to March 2025
PERIOD_FORMATS = ("%Y-%m-%d", "%Y-%m", "%b-%y", "%d/%m/%Y")
PERIOD_COLUMNS = ("period", "Month", "Reporting Period", "month_start")
ORG_COLUMNS = ("org_code", "Provider Code", "org", "ODS code")
LEAD = "synthetic-lead"


@dataclass(frozen=True)
class Scale:
    """How big a synthetic project is."""

    name: str
    places: int
    objectives_per_place: int
    files: int
    measures_per_file: int
    orgs: int

    @property
    def rows_per_file(self) -> int:
        return self.measures_per_file * MONTHS * self.orgs


SCALES = {
    "sefton": Scale("sefton", places=1, objectives_per_place=100, files=5, measures_per_file=10, orgs=10),
    "national": Scale("national", places=200, objectives_per_place=100, files=20, measures_per_file=5,
                      orgs=1_667),
}


@dataclass(frozen=True)
class ExtractLayout:
    """One synthetic extract's layout: which of the published quirks it has."""

    index: int
    name: str
    period_column: str
    period_format: str
    org_column: str
    ratio: bool
    delimiter: str
    parquet: bool


def layouts(scale: Scale) -> list[ExtractLayout]:
    """The extracts of a scale, cycling through the layouts analysts meet."""
    result = []
    for i in range(scale.files):
        parquet = i % 5 == 4
        result.append(ExtractLayout(
            index=i, name=f"extract_{i:02d}.{'parquet' if parquet else 'csv'}",
            period_column=PERIOD_COLUMNS[i % 4], period_format=PERIOD_FORMATS[i % 4],
            org_column=ORG_COLUMNS[i % 4], ratio=i % 2 == 0,
            delimiter=";" if i % 5 == 2 else ",", parquet=parquet,
        ))
    return result


def _rows_sql(scale: Scale, layout: ExtractLayout) -> str:
    """SELECT producing one extract's rows (bad rows and duplicates included) in file order."""
    m = scale.measures_per_file
    bad = "(case when not $parquet then hash(r, $file) % 500 else 99 end)"
    numbers = (
        "(100 + hash(r, $file, 1) % 900)::bigint as den, "
        "round((100 + hash(r, $file, 1) % 900) * (0.6 + (hash(r, $file, 2) % 300) / 1000.0))::bigint as num, "
        "round(50 + (hash(r, $file, 3) % 1000) / 10.0, 1) as val"
    )
    period = ("(date '2020-04-01' + to_months((r % 60)::integer))" if layout.parquet
              else "strftime(date '2020-04-01' + to_months((r % 60)::integer), $fmt)")
    measure = "'m' || ((r // 60) % $m)::varchar"
    org = f"'O' || lpad((r // (60 * {m}))::varchar, 5, '0')"
    cols = (f"case when b = 0 then 'not a date' else {period}::varchar end as p, "
            f"case when b = 3 then '' else {org} end as o, "
            f"{measure} as measure, ")
    if layout.ratio:
        values = ("case when b = 1 then 'n/a' else num::varchar end as numerator, "
                  "case when b = 2 then '0' else den::varchar end as denominator")
    else:
        values = "case when b = 1 then 'n/a' else val::varchar end as value"
    if layout.parquet:
        cols = f"{period} as p, {org} as o, {measure} as measure, "
        values = ("num::double as numerator, den::double as denominator" if layout.ratio
                  else "val::double as value")
    # Our own fixed SQL fragments, no outside input.
    base = f"select r, {bad} as b, {numbers} from range({scale.rows_per_file}) t(r)"  # noqa: S608
    body = f"select r, b, {cols}{values} from ({base})"  # noqa: S608
    # Exact repeats (1 in 5,000) and clashes (1 in 7,000, value changed) follow the data.
    changed = ("numerator, (denominator::double + 1)::bigint::varchar" if layout.ratio and not layout.parquet
               else "numerator, denominator + 1" if layout.ratio
               else "value + 1" if layout.parquet else "(value::double + 1)::varchar")
    repeats = "select r + 1000000000, * exclude (r) from body where hash(r, $file, 9) % 5000 = 7"
    clashes = (f"select r + 2000000000, b, p, o, measure, {changed} from body "  # noqa: S608
               f"where hash(r, $file, 9) % 7000 = 11 and b not in (1, 2)")
    return (f"with body as ({body}) "  # noqa: S608
            f"select * exclude (r, b) from (select * from body union all {repeats} union all {clashes}) "
            f"order by r")


def write_extract(con: duckdb.DuckDBPyConnection, scale: Scale, layout: ExtractLayout, folder: Path) -> None:
    """Write one extract with DuckDB (fast and deterministic), in its own column names."""
    target = folder / layout.name
    rename = (f"select p as \"{layout.period_column}\", o as \"{layout.org_column}\", "  # noqa: S608
              f"* exclude (p, o) from ({_rows_sql(scale, layout)})")
    params = {"parquet": layout.parquet, "file": layout.index, "m": scale.measures_per_file}
    if not layout.parquet:
        params["fmt"] = layout.period_format
    options = ("format parquet" if layout.parquet
               else f"format csv, header true, delimiter '{layout.delimiter}'")
    con.execute(f"copy ({rename}) to '{target}' ({options})", params)


def metric_definitions(scale: Scale, layout: ExtractLayout) -> list[dict[str, object]]:
    """The metrics over one extract: one per measure, chosen with a filter."""
    metrics = []
    for k in range(scale.measures_per_file):
        source: dict[str, object] = {
            "file": f"extracts/{layout.name}", "period": layout.period_column,
            "org": layout.org_column, "filter": f"measure = 'm{k}'",
        }
        if layout.ratio:
            source.update({"numerator": "100 * numerator", "denominator": "denominator"})
        else:
            source["value"] = "value"
        metrics.append({
            "id": f"bench-{layout.index:02d}-m{k}", "name": f"Benchmark measure {layout.index}.{k}",
            "unit": "percent" if layout.ratio else "rate", "direction": "higher_is_better",
            "frequency": "monthly", "target": {"value": 75, "due": "2025-03"}, "tolerance": 2,
            "objectives": [f"P000-A{k % 5}-{(layout.index % 20) + 1:02d}"], "example": True,
            "source": source,
        })
    return metrics


def _objective(place: int, area: int, n: int) -> dict[str, object]:
    return {
        "id": f"P{place:03d}-A{area}-{n:02d}",
        "objective": f"Synthetic objective {n} of area {area} in place {place}.",
        "impacts": ["Better outcomes for residents.", "Fewer people waiting."],
        "timeframe": "March 2025",
        "target_date": "2025-03",
        "targets": [{"measure": "A measure", "value": 75, "unit": "percent", "due": "2025-03"}],
        "lead": LEAD,
        "updates": [{"quarter": "2024-25 Q2", "rag": ("green", "amber", "red")[n % 3],
                     "commentary": "Progress as planned.", "updated_by": LEAD,
                     "updated_on": "2024-10-07"}],
    }


def write_people(objectives_dir: Path) -> None:
    """The people register: the one synthetic lead every objective names (a lead who is not in
    the register is a problem, and the benchmark must time a project with none)."""
    _dump(objectives_dir / "people.yaml", {"people": [{
        "id": LEAD, "name": "A. Lead", "job_title": "Programme lead", "organisation": "Synthetic partnership",
        "email": "a.lead@example.invalid", "roles": ["lead"]}]})


def write_plans(scale: Scale, objectives_dir: Path) -> None:
    """One plan per place, five areas of equal size."""
    per_area = scale.objectives_per_place // 5
    for place in range(scale.places):
        folder = objectives_dir / f"place-{place:03d}"
        folder.mkdir(parents=True)
        areas = [{"id": f"area-{a}", "name": f"Area {a}", "code": f"P{place:03d}-A{a}"} for a in range(5)]
        plan = {"id": folder.name, "name": f"Place {place} plan 2023-25", "owner": "Synthetic partnership",
                "period": {"start": "2023-04", "end": "2025-03"},
                "groups": [{"id": "all", "name": "All areas", "areas": areas}]}
        _dump(folder / "plan.yaml", plan)
        for a in range(5):
            objectives = [_objective(place, a, n) for n in range(1, per_area + 1)]
            _dump(folder / f"area-{a}.yaml", {"objectives": objectives})


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def write_project(scale: Scale, root: Path) -> list[Path]:
    """A complete project (plans, metrics, extracts, the repo's queries) at `root`; the extracts."""
    if root.exists():
        shutil.rmtree(root)
    extracts = root / "data" / "extracts"
    extracts.mkdir(parents=True)
    (root / "data" / "metrics").mkdir()
    shutil.copytree(REPO / "queries", root / "queries")
    write_plans(scale, root / "objectives")
    write_people(root / "objectives")
    con = duckdb.connect()
    try:
        for layout in layouts(scale):
            write_extract(con, scale, layout, extracts)
            _dump(root / "data" / "metrics" / f"{layout.name.split('.')[0]}.yaml",
                  {"metrics": metric_definitions(scale, layout)})
    finally:
        con.close()
    return [extracts / layout.name for layout in layouts(scale)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="sefton")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    files = write_project(SCALES[args.scale], args.out)
    print(f"wrote {len(files)} extracts and their plans under {args.out}")


if __name__ == "__main__":
    main()
