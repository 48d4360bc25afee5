"""Write the shipped EXAMPLE performance extracts and their metric definitions.

The plan names measures (dementia diagnosis rate 66.7%, learning disability
health checks 75%, inpatients 8 to 6 and 2 to 1, the cancer faster diagnosis
standard 75%, and more) but the Partnership's own figures are not public, so
the dashboard ships invented, realistic series, monthly from April 2021, and
labels them as examples everywhere (`example: true`). Three layouts show that
an extract is added as published, with YAML only: a long CSV, an Excel
workbook and a Parquet file. Deterministic (seeded), so the output only
changes when this script does; tests/contract/test_example_extracts.py fails
if the committed files are not what it writes.

Run: python tools/make_example_extracts.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRACTS = ROOT / "data" / "extracts"
MONTHS = [dt.date(2021 + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(48)]  # Apr 2021-Mar 2025
SEED = 20230607  # the Board meeting that adopted the plan


def _series(rng: random.Random, start: float, end: float, noise: float,
            shift_at: int | None = None, shift: float = 0.0) -> list[float]:
    """A gentle trend from start to end with noise, optionally stepping by `shift` at a month."""
    values = []
    for i in range(len(MONTHS)):
        level = start + (end - start) * i / (len(MONTHS) - 1)
        if shift_at is not None and i >= shift_at:
            level += shift
        values.append(level + rng.gauss(0, noise))
    return values


def long_csv_rows(rng: random.Random) -> list[dict[str, object]]:
    """The place performance extract: one row per measure and month (a BI-style long file)."""
    rows: list[dict[str, object]] = []

    def add(measure: str, numerators: list[float], denominators: list[float] | None) -> None:
        for month, num, den in zip(MONTHS, numerators, denominators or [None] * 48, strict=True):
            rows.append({"month": month.strftime("%b-%y"), "measure": measure, "org": "Sefton",
                         "numerator": round(num), "denominator": den if den is None else round(den)})

    register = [4_650 + 4 * i for i in range(48)]
    dementia = _series(rng, 0.605, 0.655, 0.006, shift_at=27, shift=0.02)
    add("dementia_diagnosed", [r * p for r, p in zip(register, dementia, strict=True)], register)
    ld_register = [2_100 + 3 * i for i in range(48)]
    coverage = _series(rng, 0.63, 0.77, 0.008)  # rolling 12 months, so no year-end sawtooth
    checks = [r * c for r, c in zip(ld_register, coverage, strict=True)]
    add("ld_health_checks", checks, ld_register)
    referrals = _series(rng, 610, 700, 25)
    fds = _series(rng, 0.69, 0.78, 0.018, shift_at=30, shift=0.025)
    add("cancer_fds", [r * p for r, p in zip(referrals, fds, strict=True)], referrals)
    waiting = _series(rng, 5_200, 4_600, 120)
    six_weeks = _series(rng, 0.72, 0.86, 0.02)
    add("diagnostics_6wk", [w * p for w, p in zip(waiting, six_weeks, strict=True)], waiting)
    add("talking_therapies_access", _series(rng, 330, 420, 22, shift_at=24, shift=25), None)
    add("out_of_area_placements", [max(0, round(v)) for v in _series(rng, 9, 3, 1.5)], None)
    booked = _series(rng, 98_000, 104_000, 2_500)
    two_weeks = _series(rng, 0.82, 0.88, 0.012)
    add("gp_within_2_weeks", [b * p for b, p in zip(booked, two_weeks, strict=True)], booked)
    adults = [max(4, round(v)) for v in _series(rng, 10, 6.5, 0.7)]
    add("ld_inpatients_adults", adults, None)
    cyp = [max(0, round(v)) for v in _series(rng, 2.6, 1.2, 0.6)]
    add("ld_inpatients_cyp", cyp, None)
    return rows


def nctr_rows(rng: random.Random) -> list[tuple[object, ...]]:
    """Patients with no criteria to reside, by trust, at month end (the UEC dashboard's layout)."""
    rows: list[tuple[object, ...]] = []
    for trust, start, end in (("Southport and Ormskirk", 62, 48), ("Liverpool University", 95, 80)):
        for month, value in zip(MONTHS, _series(rng, start, end, 6, shift_at=29, shift=-8), strict=True):
            rows.append((month, trust, max(0, round(value))))
    return rows


def cip_rows(rng: random.Random) -> list[tuple[object, ...]]:
    """2023-24 cost improvement plan delivery by month, £k (the finance team's workbook)."""
    plan = 6_900 / 12
    rows = []
    for month in MONTHS[24:36]:  # April 2023 to March 2024
        rows.append((month.strftime("%B %Y"), round(plan, 1), round(plan * rng.uniform(0.78, 1.02), 1)))
    return rows


METRICS_YAML = """\
# EXAMPLE metric definitions over EXAMPLE extracts, written by tools/make_example_extracts.py.
# The values are invented (realistic in size, not Sefton's figures) and are labelled as examples
# wherever they show. Replace the extracts with real ones (and set example: false) without code changes.
# yaml-language-server: $schema=../../schema/metrics.schema.json
metrics:
  - id: dementia-diagnosis-rate
    name: Dementia diagnosis rate (65+)
    unit: percent
    direction: higher_is_better
    frequency: monthly
    target: {value: 66.7, due: 2023-09, set_by: NHS England (national ambition)}
    tolerance: 2
    objectives: [AW-DEM-01, AW-DEM-02]
    headline: true
    owner: Place intelligence team
    example: true
    source:
      file: extracts/example_place_performance.csv
      period: month
      org: org
      numerator: "100 * numerator"
      denominator: denominator
      filter: "measure = 'dementia_diagnosed'"
  - id: ld-annual-health-checks
    name: Annual health checks, people 14+ on GP learning disability registers (rolling 12 months)
    unit: percent
    direction: higher_is_better
    frequency: monthly
    target: {value: 75, due: 2024-03, set_by: NHS England (planning guidance)}
    tolerance: 5
    objectives: [LW-LDA-01]
    headline: true
    owner: Place intelligence team
    example: true
    source:
      file: extracts/example_place_performance.csv
      period: month
      org: org
      numerator: "100 * numerator"
      denominator: denominator
      filter: "measure = 'ld_health_checks'"
  - id: ld-inpatients-adults
    name: Adults with a learning disability and/or autism in inpatient care
    unit: count
    direction: lower_is_better
    frequency: monthly
    target: {value: 6, due: 2024-03}
    objectives: [LW-LDA-02]
    headline: true
    owner: Place intelligence team
    example: true
    source:
      file: extracts/example_place_performance.csv
      period: month
      org: org
      value: numerator
      filter: "measure = 'ld_inpatients_adults'"
  - id: ld-inpatients-cyp
    name: Children and young people with a learning disability and/or autism in inpatient care
    unit: count
    direction: lower_is_better
    frequency: monthly
    target: {value: 1, due: 2024-03}
    objectives: [LW-LDA-02]
    owner: Place intelligence team
    example: true
    source:
      file: extracts/example_place_performance.csv
      period: month
      org: org
      value: numerator
      filter: "measure = 'ld_inpatients_cyp'"
  - id: cancer-faster-diagnosis
    name: Cancer 28-day faster diagnosis standard
    unit: percent
    direction: higher_is_better
    frequency: monthly
    target: {value: 75, due: 2024-03, set_by: NHS England (operational standard)}
    tolerance: 3
    objectives: [LW-CAN-01, LW-CAN-03]
    headline: true
    owner: Cancer alliance analyst
    example: true
    source:
      file: extracts/example_place_performance.csv
      period: month
      org: org
      numerator: "100 * numerator"
      denominator: denominator
      filter: "measure = 'cancer_fds'"
  - id: diagnostics-within-6-weeks
    name: Diagnostic tests within 6 weeks
    unit: percent
    direction: higher_is_better
    frequency: monthly
    target: {value: 90, due: 2025-03}
    tolerance: 5
    objectives: [LW-DIA-02]
    headline: true
    owner: Place intelligence team
    example: true
    source:
      file: extracts/example_place_performance.csv
      period: month
      org: org
      numerator: "100 * numerator"
      denominator: denominator
      filter: "measure = 'diagnostics_6wk'"
  - id: talking-therapies-access
    name: Talking therapies (IAPT) people entering treatment
    unit: count
    direction: higher_is_better
    frequency: monthly
    objectives: [LW-MH-01]
    owner: Mental health analyst
    example: true
    source:
      file: extracts/example_place_performance.csv
      period: month
      org: org
      value: numerator
      filter: "measure = 'talking_therapies_access'"
  - id: out-of-area-placements
    name: Inappropriate adult acute out-of-area placements (active at month end)
    unit: count
    direction: lower_is_better
    frequency: monthly
    target: {value: 0, due: 2024-03}
    objectives: [LW-MH-02]
    owner: Mental health analyst
    example: true
    source:
      file: extracts/example_place_performance.csv
      period: month
      org: org
      value: numerator
      filter: "measure = 'out_of_area_placements'"
  - id: gp-appointments-within-2-weeks
    name: GP appointments within two weeks of booking
    unit: percent
    direction: higher_is_better
    frequency: monthly
    objectives: [AA-PC-01]
    headline: true
    owner: Primary care analyst
    example: true
    source:
      file: extracts/example_place_performance.csv
      period: month
      org: org
      numerator: "100 * numerator"
      denominator: denominator
      filter: "measure = 'gp_within_2_weeks'"
  - id: no-criteria-to-reside
    name: Patients with no criteria to reside (Sefton residents, month end)
    unit: count
    direction: lower_is_better
    frequency: monthly
    objectives: [AW-UEC-01]
    headline: true
    owner: Urgent care analyst
    example: true
    # Both of Sefton's acute trusts, as this extract names them.
    orgs: [Southport and Ormskirk, Liverpool University]
    source:
      file: extracts/example_nctr.parquet
      period: month_end
      org: trust
      value: patients
  - id: cip-2023-24-delivery
    name: 2023-24 cost improvement plan delivered in month (£k; plan £6.9m)
    unit: currency
    direction: higher_is_better
    frequency: monthly
    target: {value: 575, due: 2024-03}
    tolerance: 50
    owner: Finance business partner
    example: true
    source:
      file: extracts/example_cip_2023_24.xlsx
      sheet: CIP delivery
      period: Month
      value: '"Delivered £k"'
"""


def long_csv_text(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["month", "measure", "org", "numerator", "denominator"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_all(root: Path = ROOT) -> list[Path]:
    import duckdb
    from openpyxl import Workbook

    rng = random.Random(SEED)
    extracts = root / "data" / "extracts"
    extracts.mkdir(parents=True, exist_ok=True)
    written = []
    path = extracts / "example_place_performance.csv"
    path.write_text(long_csv_text(long_csv_rows(rng)), encoding="utf-8")
    written.append(path)
    path = extracts / "example_nctr.parquet"
    con = duckdb.connect()
    con.execute("create table nctr (month_end date, trust varchar, patients integer)")
    con.executemany("insert into nctr values (?, ?, ?)", nctr_rows(rng))
    con.execute(f"copy (select * from nctr order by trust, month_end) to '{path}' (format parquet)")  # noqa: S608
    con.close()
    written.append(path)
    path = extracts / "example_cip_2023_24.xlsx"
    book = Workbook()
    book.active.title = "Read me"
    book.active.append(["EXAMPLE DATA: invented figures for demonstration."])
    sheet = book.create_sheet("CIP delivery")
    sheet.append(["Month", "Planned £k", "Delivered £k"])
    for row in cip_rows(rng):
        sheet.append(list(row))
    book.properties.created = dt.datetime(2024, 4, 1)  # fixed, so the file is reproducible
    book.properties.modified = dt.datetime(2024, 4, 1)
    book.save(path)
    written.append(path)
    path = root / "data" / "metrics" / "examples.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(METRICS_YAML, encoding="utf-8")
    written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT):
        print(f"wrote {written_path}")
