"""Safe YAML reading that remembers where every value came from.

Programme leads need errors with a file and a line, so we turn the YAML into
plain Python values ourselves (no object construction), recording the line of
every mapping key and list item. Anchors and aliases are refused: no lead
needs them, and they are how "billion laughs" documents blow up memory.

Two readers give the same values and lines. The fast one builds the values
straight from libyaml's events (PyYAML's C parser; a national set of plans
is 20,000 objectives, which the pure-Python reader takes half a minute over).
It takes only plain documents: at anything it would have to refuse or explain
(a syntax error, an anchor, a tag, a repeated key, deep nesting) it steps
aside, and the pure-Python reader, which composes PyYAML's node tree, reads
the file again and gives its message. So messages are the same with or
without libyaml, which is used only when PyYAML was built with it.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tracker.plans.problems import Problem, SourceError

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 50

Location = tuple[str | int | float, ...]  # keys are words, mostly, but YAML allows numbers

# Control characters other than tab and line feed (a carriage return alone rewrites a terminal's
# line; YAML turns the file's own line ends into line feeds). YAML refuses them raw, but a double-quoted
# value can still write them as escapes ("\e", "\0", "\a", "\x9b"): in a terminal they retitle
# or clear it, and no plan needs them.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

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


class _TooDeep(yaml.MarkedYAMLError):
    """Nesting past MAX_DEPTH, refused while composing."""


class _SafeComposer(yaml.SafeLoader):
    """A safe loader that refuses anchors, so aliases cannot multiply data."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        # PyYAML composes one Python call per level: refuse before the interpreter's own
        # recursion limit turns a hostile file into a crash instead of a message.
        if self.depth > MAX_DEPTH:
            raise _TooDeep(None, None, f"is nested more than {MAX_DEPTH} deep",
                           self._peek().start_mark)
        self.depth += 1
        try:
            return self._compose_plain_node(parent, index)
        finally:
            self.depth -= 1

    def _compose_plain_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self._peek()
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (*name) are not allowed here", event.start_mark
            )
        event = self._peek()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise yaml.MarkedYAMLError(
                None, None, f"anchors (&{anchor}) are not allowed here", event.start_mark
            )
        return super().compose_node(parent, index)

    def _peek(self) -> Any:
        """The next event, left in place (Any: its mark is the pure-Python parser's, which the
        stubs cannot tell from libyaml's)."""
        return self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves it untyped


def read_yaml(path: Path, shown_as: str | None = None) -> LocatedDocument:
    """Read one YAML file safely; raise SourceError with a plain message if we cannot."""
    name = shown_as or str(path)
    try:  # never more than the limit in memory, however big the file is
        size = path.stat().st_size
        if size <= MAX_FILE_BYTES:
            with path.open("rb") as handle:  # read(n) sets n bytes aside: ask for what is there
                raw = handle.read(size + 1)
                if len(raw) > size:  # it grew while we looked
                    raw += handle.read(MAX_FILE_BYTES + 1 - len(raw))
            size = max(size, len(raw))
    except OSError as exc:
        raise SourceError(Problem(name, None, f"cannot be read: {exc.strerror or exc}")) from exc
    if size > MAX_FILE_BYTES:
        raise SourceError(
            Problem(name, None, f"is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
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
    if _CParser is not None:
        try:
            return _fast_parse(_CParser(text), name)
        except (_NotPlain, yaml.YAMLError, ValueError):  # unusual input: the careful reader explains it
            pass
        except Exception:  # a bug in the fast reader: logged, never hidden; the careful reader reads on
            logger.warning("the fast YAML reader failed on %s; read with the careful reader instead",
                           name, exc_info=True)
    return _careful_parse(text, name)


def _careful_parse(text: str, name: str) -> LocatedDocument:
    """The pure-Python reader: composes the node tree, then converts and checks it."""
    try:
        loader = _SafeComposer(text)
    except yaml.reader.ReaderError as exc:  # a control character, found before parsing starts
        line = text[: exc.position].count("\n") + 1
        raise SourceError(Problem(name, line, f"contains a control character (U+{exc.character:04X}) "
                                              "that YAML does not allow: delete it")) from exc
    try:
        node = loader.get_single_node()
    except _TooDeep as exc:
        raise SourceError(Problem(name, _line_of(exc.problem_mark), str(exc.problem))) from exc
    except yaml.MarkedYAMLError as exc:
        reason = exc.problem or exc.context or "is not valid YAML"
        raise SourceError(Problem(name, _line_of(exc.problem_mark or exc.context_mark),
                                  f"is not valid YAML: {reason}")) from exc
    except yaml.YAMLError as exc:
        raise SourceError(Problem(name, None, f"is not valid YAML: {exc}")) from exc
    finally:
        loader.dispose()
    doc = LocatedDocument(path=name, data=None)
    if node is not None:
        doc.data = _to_python(node, (), doc, loader)
    return doc


def _line_of(mark: yaml.Mark | None) -> int | None:
    """The line a parser's mark points at, counted from 1 (a _TooDeep always has one)."""
    return mark.line + 1 if mark else None


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
    found = CONTROL.search(node.value) if node.style == '"' else None
    if found:
        raise SourceError(Problem(
            doc.path, node.start_mark.line + 1,
            f"contains a control character (U+{ord(found.group()):04X}) written as an escape: "
            "delete it (only line breaks and tabs are allowed in text)"))
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date such as 2024-13-45
        raise SourceError(
            Problem(doc.path, node.start_mark.line + 1, f"value cannot be read: {exc}")
        ) from exc


# --- the fast reader: plain documents straight from libyaml's events ----------------------

_CParser: type[CParser] | None
try:
    from yaml._yaml import CParser

    _CParser = CParser
except ImportError:  # PyYAML built without libyaml: the careful reader does it all
    _CParser = None

_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _TAG + "str", _TAG + "map", _TAG + "seq"
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_KEY_TYPES = (str, int, bool, float)


class _NotPlain(Exception):
    """Something the fast reader leaves to the careful one."""


# What the fast reader raises at a file it leaves to the careful one: its own step aside, the
# parser's errors, and a value PyYAML's constructors refuse (ValueError: a date such as 2024-13-45).
# Anything else is a fault in the fast reader, and is logged.
_STEPS_ASIDE = (_NotPlain, yaml.YAMLError, ValueError)


def _fast_parse(parser: CParser, name: str) -> LocatedDocument:
    """Build the values from libyaml's events (`parser` holds the text); raise `_NotPlain` (or
    the parser's own error) at anything that is not a plain document, for `_careful_parse` to
    explain."""
    try:
        return _from_events(parser.get_event, name)
    finally:
        parser.dispose()


def _from_events(next_event: Any, name: str) -> LocatedDocument:
    doc = LocatedDocument(path=name, data=None)
    lines = doc.lines
    next_event()  # stream start
    event = next_event()
    if isinstance(event, yaml.StreamEndEvent):
        return doc
    # Each open collection: [container, its location, the key awaiting its value (maps)].
    stack: list[list[Any]] = []
    done: Any = None
    while True:
        event = next_event()
        kind = event.__class__
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            done = stack.pop()[0]
            if not stack:
                break
            _place(stack[-1], done)
            continue
        if event.anchor is not None or kind is yaml.AliasEvent:
            raise _NotPlain
        line = event.start_mark.line + 1
        frame = stack[-1] if stack else None
        if frame is None:
            loc: Location = ()
        elif frame[2] is _KEY:  # this event is a key
            if kind is not yaml.ScalarEvent:
                raise _NotPlain
            key = _scalar_value(event)
            if key is None or not isinstance(key, _KEY_TYPES) or key in frame[0]:
                raise _NotPlain
            frame[2] = key
            lines[(*frame[1], key)] = line
            continue
        elif frame[2] is _ITEM:
            loc = (*frame[1], len(frame[0]))
        else:
            loc = (*frame[1], frame[2])
        if len(loc) > MAX_DEPTH:
            raise _NotPlain
        lines.setdefault(loc, line)
        if kind is yaml.ScalarEvent:
            value = _scalar_value(event)
            if frame is None:
                done = value
                break
            _place(frame, value)
        elif kind is yaml.MappingStartEvent:
            if event.tag not in (None, "!", _MAP):
                raise _NotPlain
            stack.append([{}, loc, _KEY])
        elif kind is yaml.SequenceStartEvent:
            if event.tag not in (None, "!", _SEQ):
                raise _NotPlain
            stack.append([[], loc, _ITEM])
        else:
            raise _NotPlain
    next_event()  # document end
    if not isinstance(next_event(), yaml.StreamEndEvent):
        raise _NotPlain  # a second document
    doc.data = done
    return doc


_KEY, _ITEM = object(), object()


def _place(frame: list[Any], value: Any) -> None:
    """Put a finished value into the collection being built."""
    if frame[2] is _ITEM:
        frame[0].append(value)
    else:
        frame[0][frame[2]] = value
        frame[2] = _KEY


def _scalar_value(event: Any) -> Any:
    """A scalar as PyYAML's safe loader makes it (same resolvers, same constructors)."""
    value, tag = event.value, event.tag
    if event.style == '"' and CONTROL.search(value):
        raise _NotPlain  # an escaped control character: the careful reader says where
    if tag is None or tag == "!":
        if not event.implicit[0]:  # quoted, or tagged "!": text
            return value
        return _plain_scalar(value) if len(value) <= _REMEMBERED_LENGTH else _resolved_scalar(value)
    return _constructed(tag, value)


def _resolved_scalar(value: str) -> Any:
    """An unquoted, untagged scalar: the type its text resolves to."""
    return _constructed(next((t for t, pattern in _RESOLVERS.get(value[:1], ()) if pattern.match(value)),
                             _STR), value)


def _constructed(tag: str, value: str) -> Any:
    """A scalar of the given tag, made by PyYAML's own constructor (without the node
    bookkeeping `construct_object` keeps); tags the careful reader refuses or explains
    ('<<' merges, '=' values, custom tags) step aside."""
    if tag == _STR:
        return value
    if tag not in _PLAIN_TAGS or tag in (_MAP, _SEQ):
        raise _NotPlain
    return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, value))


# Short scalars are remembered: plans repeat the same words, numbers and dates (RAG words,
# leads' names, quarters) tens of thousands of times, and every result is immutable. Long
# text (commentary) is resolved each time, so the memory held stays small.
_REMEMBERED_LENGTH = 64
_plain_scalar = functools.lru_cache(maxsize=1 << 16)(_resolved_scalar)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
