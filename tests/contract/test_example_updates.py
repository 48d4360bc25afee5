"""The shipped example updates: labelled, in step with their generator, replaceable."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

from tracker.plans.catalogue import load_catalogue
from tracker.project import load_project

REPO = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("make_examples", REPO / "tools/make_example_updates.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_examples_are_what_the_generator_writes() -> None:
    generator = _generator()
    catalogue = load_catalogue(load_project(REPO))
    assert catalogue.plans
    for loaded in catalogue.plans:
        committed = generator.example_path(loaded).read_text(encoding="utf-8")
        assert committed == generator.render(loaded), (
            f"{generator.example_path(loaded)} is out of date: run "
            "python tools/make_example_updates.py"
        )


def test_every_example_says_it_is_an_example() -> None:
    for path in sorted((REPO / "objectives").glob("*/examples/*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# EXAMPLE DATA")
        body = yaml.safe_load(text)
        assert body["example"] is True
        assert body["updates"], path
        for update in body["updates"]:
            assert update["commentary"].startswith("Example update:"), update


def test_examples_cover_the_four_quarters_of_2023_24_and_leave_some_unreported() -> None:
    catalogue = load_catalogue(load_project(REPO))
    for loaded in catalogue.plans:
        quarters = {e.update.quarter for e in loaded.examples}
        assert quarters == {"2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4"}
        with_examples = {e.update.objective for e in loaded.examples}
        assert len(with_examples) < len(loaded.objectives)
