"""Splice one new entry into an area file's YAML text, leaving every other line as it was.

Area files are shared: leads add comments, and reviewers read diffs. So we
never re-dump a whole file. We find the place from the YAML node marks,
render only the new entry (an update, a sign-off, an objective), and splice
its lines in, with the file's own indentation and line ends. These are pure
text functions: reading, checking and writing the file is `editing`'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import textwrap
from typing import Any

import yaml

from tracker.plans.refusals import EditRefused, UpdateExists
from tracker.status.quarters import parse_quarter


def splice_update(text: str, objective_id: str, update: dict[str, Any], replace: bool) -> str:
    """The file's text with `update` added to the objective's `updates` list."""
    lines, newline, root, objective = _parse_for_splice(text, objective_id)
    _, updates = _entry(objective, "updates")
    existing = _item_for_quarter(updates, update["quarter"])
    if existing is not None and not replace:
        raise UpdateExists(f"{objective_id} already has an update for {update['quarter']}")
    if existing is not None:
        rendered = _render(update, existing.start_mark.column - 2, newline)
        start, end = existing.start_mark.line, _last_content_line(lines, existing) + 1
        return "".join(lines[:start] + rendered + lines[end:])
    return _append_item(lines, objective, "updates", update, _dash_offset(root, objective), newline)


def splice_signoff(text: str, objective_id: str, quarter: str, signoff: dict[str, Any]) -> str:
    """The file's text with `signoff` added to that quarter's update of the objective."""
    lines, newline, root, objective = _parse_for_splice(text, objective_id)
    _, updates = _entry(objective, "updates")
    update = _item_for_quarter(updates, quarter)
    if update is None:
        raise EditRefused(
            f"{objective_id} has no update for {quarter} to sign off: add the update first"
        )
    _, signoffs = _entry(update, "signoffs")
    for existing in getattr(signoffs, "value", []):
        _, org = _entry(existing, "org")
        if isinstance(org, yaml.ScalarNode) and org.value.strip().lower() == signoff["org"].lower():
            raise EditRefused(f"{objective_id} {quarter} is already signed off by {org.value}")
    return _append_item(lines, update, "signoffs", signoff, _dash_offset(root, objective), newline)


def splice_objective(text: str, objective: dict[str, Any]) -> str:
    """The file's text with `objective` appended to its `objectives` list."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise EditRefused("the file has no 'objectives:' list")
    _, existing = _entry(root, "objectives")
    first = existing.value[0] if isinstance(existing, yaml.SequenceNode) and existing.value else None
    offset = _dash_offset(root, first) if isinstance(first, yaml.MappingNode) else 2
    return _append_item(lines, root, "objectives", objective, offset, newline)


def existing_update(text: str, objective_id: str, quarter: str) -> dict[str, Any] | None:
    """The objective's update for the quarter as it stands in the file (its text and its
    sign-offs), or None: shown before a replace, and kept in the trail after it."""
    lines, _, _, objective = _parse_for_splice(text, objective_id)
    _, updates = _entry(objective, "updates")
    node = _item_for_quarter(updates, quarter)
    if node is None:
        return None
    raw = "".join(lines[node.start_mark.line:_last_content_line(lines, node) + 1])
    item = yaml.safe_load(textwrap.dedent(raw.replace("- ", "  ", 1)))
    item = item if isinstance(item, dict) else {}
    signoffs = [{k: str(v) for k, v in s.items()} for s in item.get("signoffs") or []
                if isinstance(s, dict)]
    return {"text": textwrap.dedent(raw.replace("- ", "  ", 1)), "signoffs": signoffs,
            **{k: item.get(k) for k in ("rag", "commentary", "mitigations", "updated_by",
                                        "updated_on")}}


def version_of(text: str, objective_id: str) -> str:
    """A fingerprint of the objective's own lines in the file's text (see
    `editing.objective_version`): other objectives of the same file do not change it."""
    lines, _, _, objective = _parse_for_splice(text, objective_id)
    own = lines[objective.start_mark.line:_last_content_line(lines, objective) + 1]
    return hashlib.sha256("".join(own).encode("utf-8")).hexdigest()[:16]


def text_of(item: dict[str, Any]) -> str:
    """The item as the file would hold it, unindented: what the audit trail records."""
    return "".join(_render(item, 0, "\n"))


def _parse_for_splice(
    text: str, objective_id: str
) -> tuple[list[str], str, yaml.MappingNode, yaml.MappingNode]:
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise EditRefused("the file has no 'objectives:' list")
    return lines, newline, root, _objective_node(root, objective_id)


def _append_item(
    lines: list[str], mapping: yaml.MappingNode, key_name: str, item: dict[str, Any],
    dash_offset: int, newline: str,
) -> str:
    """Add `item` to the list under `key_name` of `mapping`, creating the key if absent."""
    key, value = _entry(mapping, key_name)
    if key is None or value is None:
        column = mapping.value[0][0].start_mark.column
        insert_at = _last_content_line(lines, mapping) + 1
        block = [" " * column + f"{key_name}:" + newline]
        block += _render(item, column + dash_offset, newline)
        return "".join(lines[:insert_at] + block + lines[insert_at:])
    if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
        return _fill_empty(lines, key, key_name, item, dash_offset, newline)
    if not isinstance(value, yaml.SequenceNode):
        raise EditRefused(f"'{key_name}' is not a list: fix the file by hand first")
    if value.flow_style:
        if value.value:
            raise EditRefused(f"'{key_name}' is written on one line: write it as a list first")
        return _fill_empty(lines, key, key_name, item, dash_offset, newline)
    rendered = _render(item, value.value[0].start_mark.column - 2, newline)
    insert_at = _last_content_line(lines, value.value[-1]) + 1
    return "".join(lines[:insert_at] + rendered + lines[insert_at:])


def _objective_node(root: yaml.Node | None, objective_id: str) -> yaml.MappingNode:
    _, objectives = _entry(root, "objectives") if isinstance(root, yaml.MappingNode) else (None, None)
    for node in getattr(objectives, "value", []):
        _, id_node = _entry(node, "id")
        # a node with an `id` entry is a mapping: the isinstance only tells the type checker
        if (isinstance(id_node, yaml.ScalarNode) and id_node.value == objective_id
                and isinstance(node, yaml.MappingNode)):
            return node
    raise EditRefused(f"objective '{objective_id}' was not found in its file")


def _entry(node: yaml.Node | None, name: str) -> tuple[yaml.Node | None, yaml.Node | None]:
    for key, value in getattr(node, "value", []):
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return key, value
    return None, None


def _item_for_quarter(updates: yaml.Node | None, quarter: str) -> yaml.MappingNode | None:
    for item in updates.value if isinstance(updates, yaml.SequenceNode) else []:
        _, node = _entry(item, "quarter")
        if isinstance(node, yaml.ScalarNode):
            try:
                # an item with a `quarter` entry is a mapping: the isinstance only tells the
                # type checker
                if str(parse_quarter(node.value)) == quarter and isinstance(item, yaml.MappingNode):
                    return item
            except ValueError:
                continue
    return None


def _dash_offset(root: yaml.MappingNode, objective: yaml.MappingNode) -> int:
    """How far this file indents a list's '-' right of its key (0 or 2, usually),
    read from how the `objectives:` list itself is laid out."""
    objectives_key, _ = _entry(root, "objectives")
    key_column: int = objective.value[0][0].start_mark.column
    return max(key_column - 2 - (objectives_key.start_mark.column if objectives_key else 0), 0)


def _last_content_line(lines: list[str], node: yaml.Node) -> int:
    """The last line of `node` that holds content (not a trailing blank or comment)."""
    end = node.end_mark
    # The end mark sits where the next token starts; if only indentation precedes
    # it on that line, the node itself ended on an earlier line.
    ends_on_earlier_line = end.line >= len(lines) or not lines[end.line][: end.column].strip()
    last = max(end.line - (1 if ends_on_earlier_line else 0), node.start_mark.line)
    while last > node.start_mark.line and _is_blank_or_comment(lines[last]):
        last -= 1
    return last


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _render(update: dict[str, Any], dash_column: int, newline: str) -> list[str]:
    """The update as block YAML lines, its '-' at `dash_column`."""
    body = yaml.safe_dump(
        [_plain(update)], sort_keys=False, allow_unicode=True, width=4096,
        default_flow_style=False,
    )
    pad = " " * dash_column
    return [pad + line + newline for line in body.splitlines()]


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """Updates in the documented key order; other items as given."""
    order = ["quarter", "rag", "commentary", "mitigations", "updated_by", "updated_on", "signoffs"]
    ordered = {k: item[k] for k in order if k in item}
    ordered.update({k: v for k, v in item.items() if k not in ordered})
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in ordered.items()}


def _fill_empty(
    lines: list[str], key: yaml.Node, key_name: str, item: dict[str, Any], dash_offset: int,
    newline: str,
) -> str:
    """Turn `key: []` (or an empty `key:`) into a block list holding `item`."""
    row = key.start_mark.line
    line = lines[row]
    head = line[: line.index(f"{key_name}:") + len(key_name) + 1]
    rendered = _render(item, key.start_mark.column + dash_offset, newline)
    return "".join([*lines[:row], head + newline, *rendered, *lines[row + 1:]])
