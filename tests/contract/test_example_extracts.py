"""The shipped example extracts: what their generator writes, and labelled as examples."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import yaml
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("make_extracts", REPO / "tools/make_example_extracts.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sheet_values(path: Path) -> list[tuple]:
    book = load_workbook(path, read_only=True)
    try:
        return [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _parquet_rows(path: Path) -> list[tuple]:
    con = duckdb.connect()
    try:
        return con.execute(f"select * from read_parquet('{path}')").fetchall()
    finally:
        con.close()


def test_committed_example_extracts_are_what_the_generator_writes(tmp_path: Path) -> None:
    _generator().write_all(tmp_path)
    for name in ("data/extracts/example_place_performance.csv", "data/metrics/examples.yaml"):
        assert (REPO / name).read_text() == (tmp_path / name).read_text(), (
            f"{name} is out of date: run python tools/make_example_extracts.py")
    workbook = "data/extracts/example_cip_2023_24.xlsx"
    assert _sheet_values(REPO / workbook) == _sheet_values(tmp_path / workbook)
    parquet = "data/extracts/example_nctr.parquet"
    assert _parquet_rows(REPO / parquet) == _parquet_rows(tmp_path / parquet)


def test_every_example_metric_says_so() -> None:
    definitions = yaml.safe_load((REPO / "data/metrics/examples.yaml").read_text())["metrics"]
    assert len(definitions) == 11
    assert all(m["example"] is True for m in definitions)
    assert all(m["source"]["file"].startswith("extracts/example_") for m in definitions)
