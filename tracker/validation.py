"""Turn pydantic's validation errors into messages a programme lead can act on."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from tracker.problems import Problem
from tracker.yamlio import LocatedDocument

_TYPE_WORDS = {
    "string_type": "text",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a set of 'key: value' lines",
    "model_type": "a set of 'key: value' lines",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number (not .inf or .nan)",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "date_type": "a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "a date written YYYY-MM-DD",
    "date_parsing": "a date written YYYY-MM-DD",
    "bool_type": "true or false",
}


def validate_document(
    doc: LocatedDocument, model: type[BaseModel]
) -> tuple[BaseModel | None, list[Problem]]:
    """Validate a located YAML document against `model`, reporting every error."""
    if not isinstance(doc.data, dict):
        return None, [Problem(doc.path, 1, "should be a set of 'key: value' lines, but is empty")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        problems = [_problem(doc, model, error) for error in exc.errors()]
        return None, sorted(set(problems), key=lambda p: (p.line or 0, p.message))


def _problem(doc: LocatedDocument, model: type[BaseModel], error: Any) -> Problem:
    loc = tuple(error["loc"])
    return Problem(doc.path, doc.line_of(loc), _message(model, loc, error))


def _field_name(loc: tuple[Any, ...]) -> str:
    names = [str(part) for part in loc if isinstance(part, str)]
    return names[-1] if names else "value"


def _message(model: type[BaseModel], loc: tuple[Any, ...], error: Any) -> str:
    kind = error["type"]
    name = _field_name(loc)
    if kind == "extra_forbidden":
        return _unknown_key(model, loc)
    if kind == "missing":
        return f"'{name}' is missing: add it (it is required here)"
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return f"{name} '{error.get('input')}' is not allowed: use {allowed}"
    if kind == "value_error":
        reason = str(error.get("ctx", {}).get("error", error["msg"]))
        return f"{name} {reason}"
    if kind == "too_short":
        return f"'{name}' must not be empty"
    if kind == "string_pattern_mismatch":
        return f"{name} '{error.get('input')}' is not in the expected form"
    if kind in _TYPE_WORDS:
        return f"'{name}' should be {_TYPE_WORDS[kind]}, not {_describe(error.get('input'))}"
    return f"'{name}': {error['msg']}"


def _describe(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of keys"
    text = str(value)
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def _unknown_key(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    key = str(loc[-1])
    fields = _fields_at(model, loc[:-1])
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; allowed here: {', '.join(fields)}"
    return f"unknown key '{key}'{hint}"


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed at `loc`, found by walking the model's annotations."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    """The model inside `list[Model]`, `Model | None` and the like."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
