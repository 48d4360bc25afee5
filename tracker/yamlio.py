"""Safe YAML reading that remembers where every value came from.

Programme leads need errors with a file and a line, so we compose the YAML
node tree (PyYAML's safe loader: no object construction) and turn it into
plain Python values ourselves, recording the line of every mapping key and
list item. Anchors and aliases are refused: no lead needs them, and they are
how "billion laughs" documents blow up memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tracker.problems import Problem, SourceError

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 50

Location = tuple[str | int, ...]

_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{kind}"
    for kind in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")
}


@dataclass
class LocatedDocument:
    """A YAML document as plain Python values, with the line of each value."""

    path: str
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, loc: Location) -> int | None:
        """The line of `loc`, or of its nearest enclosing value we know."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


class _SafeComposer(yaml.SafeLoader):
    """A safe loader that refuses anchors, so aliases cannot multiply data."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (*name) are not allowed here", event.start_mark
            )
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise yaml.MarkedYAMLError(
                None, None, f"anchors (&{anchor}) are not allowed here", event.start_mark
            )
        return super().compose_node(parent, index)


def read_yaml(path: Path, shown_as: str | None = None) -> LocatedDocument:
    """Read one YAML file safely; raise SourceError with a plain message if we cannot."""
    name = shown_as or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(Problem(name, None, f"cannot be read: {exc.strerror or exc}")) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError(
            Problem(name, None, f"is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}")
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(
            Problem(name, line, "is not UTF-8 text: save the file as UTF-8 and try again")
        ) from exc
    return parse_yaml_text(text, name)


def parse_yaml_text(text: str, name: str) -> LocatedDocument:
    """Parse YAML text into located plain values (see `read_yaml`)."""
    loader = _SafeComposer(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or exc.context or "is not valid YAML"
        raise SourceError(Problem(name, line, f"is not valid YAML: {reason}")) from exc
    except yaml.YAMLError as exc:
        raise SourceError(Problem(name, None, f"is not valid YAML: {exc}")) from exc
    finally:
        loader.dispose()
    doc = LocatedDocument(path=name, data=None)
    if node is not None:
        doc.data = _to_python(node, (), doc, loader)
    return doc


def _to_python(node: yaml.Node, loc: Location, doc: LocatedDocument, loader: Any) -> Any:
    if len(loc) > MAX_DEPTH:
        raise SourceError(
            Problem(doc.path, node.start_mark.line + 1, f"is nested more than {MAX_DEPTH} deep")
        )
    doc.lines.setdefault(loc, node.start_mark.line + 1)
    if node.tag not in _PLAIN_TAGS:
        raise SourceError(
            Problem(doc.path, node.start_mark.line + 1,
                    f"the tag '{node.tag}' is not allowed: write plain values")
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, doc, loader)
            if not isinstance(key, str | int | bool | float) or key is None:
                raise SourceError(
                    Problem(doc.path, key_node.start_mark.line + 1, "keys must be plain words")
                )
            if key in result:
                raise SourceError(
                    Problem(doc.path, key_node.start_mark.line + 1, f"key '{key}' appears twice")
                )
            doc.lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = _to_python(value_node, (*loc, key), doc, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*loc, i), doc, loader) for i, item in enumerate(node.value)]
    return _scalar(node, doc, loader)


def _scalar(node: yaml.Node, doc: LocatedDocument, loader: Any) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise SourceError(Problem(doc.path, node.start_mark.line + 1, "keys must be plain words"))
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise SourceError(
            Problem(doc.path, node.start_mark.line + 1, f"value cannot be read: {exc}")
        ) from exc
