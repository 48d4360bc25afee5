"""Turn pydantic's validation errors into messages a programme lead can act on."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from tracker.plans.problems import Problem
from tracker.plans.yamlio import LocatedDocument

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


@dataclass
class ItemCheck:
    """One item of a document's list, validated on its own.

    `errors` pairs each problem with where it is inside the item (`("target_date",)`,
    `("updates", 2, "rag")`), so a caller can leave out just the bad fields.
    """

    index: int
    raw: Any
    parsed: Any = None
    errors: list[tuple[tuple[Any, ...], Problem]] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [problem for _, problem in self.errors]


def validate_items(
    doc: LocatedDocument, model: type[BaseModel], key: str
) -> tuple[list[Problem], list[ItemCheck] | None]:
    """Validate a document whose `key` holds a list, each item on its own.

    One bad item then costs that item, not its neighbours in the file. Returns the
    problems of the rest of the document (unknown top-level keys) and the items;
    the items are None when there is no list under `key` (the file cannot be used).
    """
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        _, problems = validate_document(doc, model)
        return problems, None
    try:  # the common case, a sound file: one validation, as fast as validating it whole
        whole = getattr(model.model_validate(data), key)
        return [], [ItemCheck(i, item, parsed) for i, (item, parsed) in enumerate(zip(data[key], whole,
                                                                                      strict=True))]
    except ValidationError:
        pass
    problems = []
    others = {k: v for k, v in data.items() if k != key}
    if others:
        _, problems = validate_document(part_of(doc, key, {**others, key: []}, None), model)
    items = []
    for index, item in enumerate(data[key]):
        check = ItemCheck(index, item)
        try:
            check.parsed = getattr(model.model_validate({key: [item]}), key)[0]
        except ValidationError as exc:
            part = part_of(doc, key, {key: [item]}, index)  # its lines, for the messages
            for error in exc.errors():
                loc = tuple(error["loc"])
                inner = loc[2:] if loc[:2] == (key, 0) else loc
                check.errors.append((inner, _problem(part, model, error)))
            check.errors = sorted(set(check.errors), key=lambda e: (e[1].line or 0, e[1].message))
        items.append(check)
    return problems, items


def part_of(
    doc: LocatedDocument, key: str, data: dict[str, Any], index: int | None
) -> LocatedDocument:
    """A view of `doc` holding one item of its `key` list (as item 0), with that item's lines."""
    lines = {loc: line for loc, line in doc.lines.items() if len(loc) < 2 or loc[0] != key}
    if index is not None:
        lines.update({(key, 0, *loc[2:]): line for loc, line in doc.lines.items()
                      if loc[:2] == (key, index)})
    return LocatedDocument(path=doc.path, data=data, lines=lines)


def error_sentence(model: type[BaseModel], error: Any) -> str:
    """One pydantic error as the plain sentence `validate` would print (no file or line)."""
    return _message(model, tuple(error["loc"]), error)


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
