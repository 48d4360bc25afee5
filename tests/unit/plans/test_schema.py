"""The editors' JSON Schemas: in step with the models, and as strict as validate."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tracker.plans.schema import SCHEMA_FOLDER, expected_schemas

REPO = Path(__file__).resolve().parents[3]
MINIMAL = REPO / "tests/testdata/minimal/objectives/demo-plan"


@pytest.mark.parametrize("name", sorted(expected_schemas()))
def test_committed_schema_is_up_to_date(name: str) -> None:
    committed = (REPO / SCHEMA_FOLDER / name).read_text(encoding="utf-8")
    assert committed == expected_schemas()[name], (
        f"{SCHEMA_FOLDER / name} is stale: run python -m tracker schema"
    )


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / SCHEMA_FOLDER / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _as_json(path: Path) -> object:
    """YAML dates become text, as an editor's language server sees them."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def test_schema_accepts_valid_files_and_flags_a_misspelt_key() -> None:
    area = _validator("area.schema.json")
    document = _as_json(MINIMAL / "live-well-cancer.yaml")
    assert list(area.iter_errors(document)) == []
    document["objectives"][0]["target_dte"] = document["objectives"][0].pop("target_date")
    messages = [e.message for e in area.iter_errors(document)]
    assert any("'target_dte' was unexpected" in m for m in messages)
    assert any("'target_date' is a required property" in m for m in messages)


def test_schema_flags_a_bad_month_and_rag() -> None:
    area = _validator("area.schema.json")
    document = _as_json(MINIMAL / "live-well-cancer.yaml")
    document["objectives"][0]["target_date"] = "2023-13"
    document["objectives"][0]["updates"][0]["rag"] = "purple"
    messages = " ".join(e.message for e in area.iter_errors(document))
    assert "'2023-13'" in messages and "'purple'" in messages


def test_plan_and_examples_schemas_accept_the_test_plan() -> None:
    assert list(_validator("plan.schema.json").iter_errors(_as_json(MINIMAL / "plan.yaml"))) == []
    examples = _as_json(MINIMAL / "examples/updates.yaml")
    assert list(_validator("examples.schema.json").iter_errors(examples)) == []


def test_metrics_schema_accepts_rebase_in_both_forms_and_events_with_their_words() -> None:
    metrics = _validator("metrics.schema.json")
    document = {"metrics": [{
        "id": "m", "name": "M", "unit": "count", "direction": "neutral", "frequency": "monthly",
        "rebase": ["2023-04", {"period": "2023-10", "reason": "New service"}],
        "events": [{"period": "2023-06", "text": "Coordinators started"}],
        "source": {"file": "extracts/x.csv", "period": "month", "value": "v"},
    }]}
    assert list(metrics.iter_errors(document)) == []
    document["metrics"][0]["rebase"].append({"period": "2023-11", "reasons": "typo"})
    document["metrics"][0]["events"].append({"period": "2023-07"})
    messages = " ".join(e.message for e in metrics.iter_errors(document))
    assert "'text' is a required property" in messages
    assert "{'period': '2023-11', 'reasons': 'typo'}" in messages
