"""JSON Schemas for the YAML files, generated from the models.

Editors that speak the YAML language server (VS Code, Neovim, JetBrains and
others) use them for completion and inline errors while a lead types, the
same rules `python -m tracker validate` applies. They are generated, never
edited: `python -m tracker schema` rewrites them, and a test fails when the
committed copies fall behind the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from tracker.access.people import PeopleFile
from tracker.metrics.definitions import MetricFile
from tracker.plans.models import AreaFile, ExampleFile, Plan

SCHEMA_FOLDER = Path("schema")
SCHEMAS: dict[str, type[BaseModel]] = {
    "plan.schema.json": Plan,
    "area.schema.json": AreaFile,
    "examples.schema.json": ExampleFile,
    "metrics.schema.json": MetricFile,
    "people.schema.json": PeopleFile,
}


def schema_text(model: type[BaseModel], title: str) -> str:
    """The model's JSON Schema as stable, reviewable text."""
    schema = model.model_json_schema(mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def expected_schemas() -> dict[str, str]:
    return {
        name: schema_text(model, f"Sefton plan tracker: {name.removesuffix('.schema.json')} file")
        for name, model in SCHEMAS.items()
    }


def write_schemas(root: Path) -> list[Path]:
    folder = root / SCHEMA_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in expected_schemas().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
