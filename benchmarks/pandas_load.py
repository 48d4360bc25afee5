"""The baseline: the same extract load and validation written plainly in pandas.

What `tracker.metrics.extracts.load_extracts` does, the way an analyst might write it
without DuckDB: read each extract once (UTF-8 or Windows-1252, any delimiter,
Parquet), number the rows as a person sees them, and for each metric keep
the rows its filter chooses, parse periods and numbers, reject bad periods,
text in numbers, missing organisations, zero denominators and repeats or
clashes with a reason, then write the values and rejects into a DuckDB file.
Analysts' SQL is evaluated with `DataFrame.eval` after turning `=` into `==`,
which covers the benchmark's definitions (`100 * numerator`, `measure = 'm1'`),
not SQL in general. Run by `benchmarks/run.py`, which times it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.db.queries import query_text
from tracker.metrics.definitions import Metric, load_metrics
from tracker.metrics.long_forms import side_value
from tracker.project import load_project

FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%y", "%d/%m/%Y", "%d-%b-%y", "%Y-%m", "%Y%m",
           "%b-%y", "%b %y", "%b-%Y", "%b %Y", "%B %Y", "%B-%y")
QUARTER = re.compile(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*Q([1-4])$"
                     r"|^Q([1-4])\s*(\d{2}|\d{4})\s*[-/]\s*(\d{2}|\d{4})$", re.IGNORECASE)


def read_extract(path: Path, header_row: int) -> pd.DataFrame:
    """Every column as text, with `source_row` as a person sees it."""
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        frame = frame.astype("string").astype(object).where(frame.notna(), None)
        frame.insert(0, "source_row", np.arange(1, len(frame) + 1))
        return frame
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    delimiter = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                        skiprows=header_row - 1, skip_blank_lines=False, engine="c")
    frame.insert(0, "source_row", np.arange(header_row + 1, header_row + 1 + len(frame)))
    return frame[frame.drop(columns="source_row").ne("").any(axis=1)]


def parse_period(text: str) -> dt.date | None:
    for form in FORMATS:
        try:
            return dt.datetime.strptime(text, form).date().replace(day=1)
        except ValueError:
            continue
    match = QUARTER.match(text)
    if match:
        y1, y2, q = (match.group(1), match.group(2), match.group(3)) if match.group(1) else (
            match.group(5), match.group(6), match.group(4))
        first = int(y1) + (2000 if len(y1) == 2 else 0)
        if (first + 1) % 100 == int(y2) % 100:
            quarter = int(q)
            return dt.date(first + (quarter == 4), (quarter * 3) % 12 + 1, 1)
    return None


def to_number(column: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(column, errors="coerce")
    retry = numbers.isna() & column.notna() & column.ne("")
    if retry.any():
        cleaned = column[retry].str.replace(r"[£$€,%\s]", "", regex=True)
        numbers[retry] = pd.to_numeric(cleaned, errors="coerce")
    return numbers


def judge(frame: pd.DataFrame, metric: Metric, number: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One metric's loaded values and rejected rows."""
    source = metric.source
    rows = frame[frame.eval(source.filter.replace(" = ", " == "))] if source.filter else frame
    numeric_columns = {"numerator", "denominator", "value"} & set(rows.columns)
    typed = rows.copy()
    for column in numeric_columns:
        typed[column] = to_number(rows[column])
    ratio = source.numerator is not None
    out = pd.DataFrame({"metric_no": number, "source_row": rows["source_row"]})
    out["org"] = rows[source.org].str.strip().replace("", None) if source.org else source.default_org
    texts = rows[source.period].str.strip()
    lookup = {text: parse_period(text) for text in texts.unique()}
    out["period"] = texts.map(lookup)
    if ratio:
        # The synthetic metrics are wide (one row per point): only the side's expression matters.
        out["numerator"] = typed.eval(str(side_value(source.numerator))).astype(float)
        out["denominator"] = typed.eval(str(side_value(source.denominator))).astype(float)
        out["value"] = out["numerator"] / out["denominator"].replace(0, np.nan)
    else:
        out["value"] = typed.eval(source.value).astype(float)
        out["numerator"] = out["denominator"] = np.nan
    out["reason"] = None
    for column in sorted(numeric_columns):
        bad = typed[column].isna() & rows[column].ne("") & rows[column].notna()
        message = "'" + rows[column] + f"' in column {column} is not a number"
        out.loc[bad & out["reason"].isna(), "reason"] = message
    out.loc[out["org"].isna(), "reason"] = "no organisation code"
    out.loc[out["period"].isna(), "reason"] = "period '" + texts + "' is not a date, month or quarter"
    if ratio:
        out.loc[out["reason"].isna() & out["denominator"].eq(0), "reason"] = "the denominator is zero"
    out.loc[out["reason"].isna() & ~np.isfinite(out["value"]), "reason"] = "no value"
    good = out[out["reason"].isna()]
    repeated = good[good.duplicated(["org", "period"], keep=False)]
    if len(repeated):
        groups = repeated.groupby(["org", "period"])
        clash = groups["value"].transform("nunique") > 1
        first = groups["source_row"].transform("min")
        out.loc[repeated.index[clash], "reason"] = "the same organisation and period has different values"
        later = repeated.index[~clash & (repeated["source_row"] != first)]
        out.loc[later, "reason"] = "repeats row " + first[later].astype(str)
    return out[out["reason"].isna()].drop(columns="reason"), out[out["reason"].notna()]


def main(root: Path, db: Path) -> None:
    start = time.perf_counter()
    project = load_project(root)
    placed, _ = load_metrics(project)
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute(query_text(project, "db/create_metric_tables"))
    by_file: dict[str, list[tuple[int, Metric]]] = {}
    for number, item in enumerate(placed):
        by_file.setdefault(item.metric.source.file, []).append((number, item.metric))
    ids = [p.metric.id for p in placed]
    for relative, group in sorted(by_file.items()):
        frame = read_extract(project.data_dir / relative, group[0][1].source.header_row)
        results = [judge(frame, metric, number) for number, metric in group]
        values = pd.concat([r[0] for r in results])
        values["metric_id"] = [ids[n] for n in values["metric_no"]]
        rejects = pd.concat([r[1] for r in results])
        rejects["metric_id"] = [ids[n] for n in rejects["metric_no"]]
        con.register("values_frame", values)
        con.execute("insert into metric_points by name select metric_id, org, period, value, numerator, "
                    "denominator, source_row from values_frame")
        con.register("rejects_frame", rejects)
        con.execute("insert into extract_rejects by name select metric_id, $file as source_file, source_row, "
                    "reason from rejects_frame", {"file": f"data/{relative}"})
    con.execute("checkpoint")
    loaded = con.execute("select count(*) from metric_points").fetchall()[0][0]
    con.close()
    print(f"pandas: {loaded} values loaded in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
